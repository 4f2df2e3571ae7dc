import { z } from 'zod';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

function setFollowing(following: boolean) {
  return (invocation: Invocation, app: App): Reply => {
    const { market: slug } = parseOptions(z.object({ market: marketOption }), invocation);
    const { market, changed } = unwrap(app.notifications.follow(slug, following, contextOf(invocation)));
    const content = following
      ? changed
        ? `🔔 You follow \`${market.slug}\`: you will get a DM when it resolves, closes soon, moves a lot or gets a proposal (see /notify).`
        : `You already follow \`${market.slug}\`.`
      : changed
        ? `🔕 You no longer follow \`${market.slug}\`. While you hold shares you are still told of it; /notify turns kinds off.`
        : `You were not following \`${market.slug}\`.`;
    return replyWith({ ephemeral: true, content });
  };
}

export const followMarket = setFollowing(true);
export const unfollowMarket = setFollowing(false);
