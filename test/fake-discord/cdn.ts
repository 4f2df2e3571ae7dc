import { DiscordErrorCode, unknownResource } from './errors.ts';
import type { MessageStore } from './message-store.ts';
import { Router } from './router.ts';

/** Serves uploaded attachment bytes at the URLs put in attachment objects, as Discord's CDN would. */
export function createCdnRouter(messages: MessageStore): Router {
  return new Router().on(
    'GET',
    '/attachments/:channelId/:attachmentId/:filename',
    ({ param }) => {
      const file = messages.hostedFile(param('attachmentId'));
      if (!file) throw unknownResource(DiscordErrorCode.General, 'Attachment');
      return { status: 200, bytes: file.bytes, contentType: file.contentType };
    },
    { requiresBotToken: false },
  );
}
