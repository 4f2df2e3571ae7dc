import type { RealmId } from '../../markets/realms/realm.ts';
import type { Reply } from '../reply.ts';
import type { App } from './command.ts';

/**
 * In a server with quiet channel mode (and threads), what a command says about a market goes to the market's thread
 * only: its public answer becomes a private receipt. Without threads there is nowhere else, so nothing changes.
 */
export function quietWhereAsked(app: App, realm: RealmId, reply: Reply): Reply {
  const { quietChannel, threadMode } = app.realms.values(realm);
  return quietChannel && threadMode ? { ...reply, ephemeral: true } : reply;
}
