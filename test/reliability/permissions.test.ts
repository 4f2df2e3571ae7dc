import { MessageFlags } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { option } from '../fake-discord/index.ts';
import { startCruxOnFakeDiscord, type CruxOnFakeDiscord } from '../support/discord.ts';
import { ok } from '../support/engine.ts';
import { messageOf, openTestMarket } from './trading.ts';

/*
 * Every moderator path checks the member's permissions on the server, from what Discord attaches to the
 * interaction: slash subcommands, and the Accept/Reject buttons of resolution proposals.
 */

let bot: CruxOnFakeDiscord;
let marketId: string;
beforeEach(async () => {
  bot = await startCruxOnFakeDiscord({ CRUX_RATE_LIMIT_PER_MINUTE: '0' });
  marketId = openTestMarket(bot.crux.app.service, 'moderated-market', bot.fake.guild.id);
});
afterEach(async () => {
  await bot.close();
  expect(bot.logs.filter((line) => line.includes('unexpected'))).toEqual([]);
});

/** What a non-moderator may not change: the market row, its links and the ledger. */
function snapshot() {
  return {
    market: bot.db.prepare('SELECT status, resolved_outcome, closed_at FROM markets WHERE id = ?').get(marketId),
    links: bot.db.prepare('SELECT COUNT(*) AS n FROM market_links WHERE market_id = ?').get(marketId),
    ledger: bot.ledgerCount(),
  };
}

async function expectRefused(interactionId: string, message: string) {
  const reply = messageOf(await bot.fake.waitForCallback(interactionId));
  expect((reply.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(reply.content).toBe(`⚠️ ${message}`);
}

const SUBCOMMANDS = [
  ['close', [], 'Only moderators can close a market.'],
  ['resolve', [option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/said-so')], 'Only moderators can resolve a market.'],
  ['cancel', [option.string('reason', 'I lost money')], 'Only moderators can cancel a market.'],
  ['link', [option.string('url', 'https://example.org/source')], 'Only moderators can link a source to a market.'],
] as const;

describe('moderator slash commands', () => {
  it.each(SUBCOMMANDS)('/market %s from a member is refused privately and changes nothing', async (subcommand, extra, message) => {
    await bot.fake.waitForCallback(
      bot.fake.slashCommand({ name: 'bet', user: 'alice', channel: 'markets', options: [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 10)] }).id,
    );
    const before = snapshot();
    const attempt = bot.fake.slashCommand({ name: 'mod', subcommand, user: 'alice', channel: 'markets', options: [option.string('market', marketId), ...extra] });
    await expectRefused(attempt.id, message);
    expect(snapshot()).toEqual(before);
  });

  it('a member holding the configured role by name is a moderator, and so is one with Manage Server', async () => {
    const closed = bot.fake.slashCommand({ name: 'mod', subcommand: 'close', user: 'moderator', channel: 'markets', options: [option.string('market', marketId)] });
    expect(messageOf(await bot.fake.waitForCallback(closed.id)).content).toContain('is closed for trading');
    const cancelled = bot.fake.slashCommand({
      name: 'mod',
      subcommand: 'cancel',
      user: 'admin',
      channel: 'markets',
      options: [option.string('market', marketId), option.string('reason', 'ill-posed')],
    });
    expect((await bot.confirm(cancelled, 'admin')).embeds[0]?.title).toContain('cancelled');
  });
});

describe('proposal buttons', () => {
  /** A proposal as the source poller would make it: a linked Manifold market that resolved YES. */
  function proposeYes(): number {
    const { app } = bot.crux;
    ok(app.resolution.linkSource(marketId, 'https://manifold.markets/someone/moderated-market', { realm: bot.fake.guild.id, actor: { userId: 'mod', isModerator: true }, now: Date.now() }));
    const due = app.resolution.sourcesDueForPoll(Date.now()).filter((source) => source.marketId === marketId);
    const proposal = ok(app.resolution.recordChecks(marketId, due.map((source) => ({ source, check: { kind: 'outcome', label: 'YES', detail: 'resolved YES' } })), Date.now()));
    if (proposal === undefined) throw new Error('the checks made no proposal');
    return proposal.id;
  }

  it.each(['accept', 'reject'])('%s pressed by a member is refused privately and decides nothing; a moderator may', async (action) => {
    const proposalId = proposeYes();
    const before = snapshot();
    const byMember = bot.fake.buttonPress({ customId: `crux:proposal:${action}:${proposalId}`, user: 'bob', channel: 'markets' });
    await expectRefused(byMember.id, 'Only moderators can decide resolution proposals.');
    expect(snapshot()).toEqual(before);
    expect(bot.db.prepare('SELECT status FROM proposals WHERE id = ?').get(proposalId)).toEqual({ status: 'pending' });

    const byModerator = bot.fake.buttonPress({ customId: `crux:proposal:${action}:${proposalId}`, user: 'moderator', channel: 'markets' });
    expect(messageOf(await bot.fake.waitForCallback(byModerator.id)).content).toContain(`Proposal #${proposalId}`);
    expect(bot.db.prepare('SELECT status FROM proposals WHERE id = ?').get(proposalId)).toEqual({ status: `${action}ed` });
  });
});
