import { parseBody } from './errors.ts';
import { messageBodySchema } from './message-body.ts';
import { noContent, ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { Router } from './router.ts';

// These routes authenticate with the interaction token in the path; discord.js sends no bot token.
const TOKEN_IN_PATH = { requiresBotToken: false };

/** The initial interaction response and the interaction webhook (follow-ups, edits of @original). */
export function registerInteractionRoutes(router: Router, { interactions }: RestContext): void {
  router
    .on(
      'POST',
      '/interactions/:interactionId/:token/callback',
      ({ param, query, body, files }) => {
        const result = interactions.respond(param('interactionId'), param('token'), body, files);
        return query.get('with_response') === 'true' ? ok(result) : noContent();
      },
      TOKEN_IN_PATH,
    )
    .on(
      'POST',
      '/webhooks/:applicationId/:token',
      ({ param, query, body, files }) => {
        const message = interactions.followUp(
          param('applicationId'),
          param('token'),
          parseBody(messageBodySchema, body),
          files,
        );
        return query.get('wait') === 'true' ? ok(message) : noContent();
      },
      TOKEN_IN_PATH,
    )
    .on(
      'GET',
      '/webhooks/:applicationId/:token/messages/:messageId',
      ({ param }) => ok(interactions.getMessage(param('applicationId'), param('token'), param('messageId'))),
      TOKEN_IN_PATH,
    )
    .on(
      'PATCH',
      '/webhooks/:applicationId/:token/messages/:messageId',
      ({ param, body, files }) =>
        ok(
          interactions.editMessage(
            param('applicationId'),
            param('token'),
            param('messageId'),
            parseBody(messageBodySchema, body),
            files,
          ),
        ),
      TOKEN_IN_PATH,
    )
    .on(
      'DELETE',
      '/webhooks/:applicationId/:token/messages/:messageId',
      ({ param }) => {
        interactions.deleteMessage(param('applicationId'), param('token'), param('messageId'));
        return noContent();
      },
      TOKEN_IN_PATH,
    );
}
