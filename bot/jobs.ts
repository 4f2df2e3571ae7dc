import cron, { type ScheduledTask } from 'node-cron';
import { CONDITION_RESOLVER } from '../markets/cruxes/conditions.ts';
import type { Market } from '../markets/market.ts';
import { REQUEST_MEMORY_MS } from '../markets/service.ts';
import type { DueSource, Proposal } from '../markets/resolution/store.ts';
import type { App } from './commands/command.ts';
import { ConfigError } from './config.ts';
import type { Settlement } from '../markets/settlement/types.ts';
import { conditionalReply, disputeMessage, settlementReply, verdictOf } from './render/settlement-card.ts';
import { evidenceBehind } from './components/proposals.ts';
import { nudgeMessage, proposalMessage } from './render/proposal-card.ts';
import { sourceFailureMessage } from './render/source-status.ts';
import type { Reply } from './reply.ts';
import type { SourceChecker } from './source-checker.ts';
import { errorMessage } from '../markets/errors.ts';
import type { RealmId } from '../markets/realms/realm.ts';
import { CardDestinations, postMissingCards } from './missing-cards.ts';

/** Once a day, at an odd minute so it does not start together with jobs set on the hour. */
const PRUNE_REQUESTS_CRON = '17 4 * * *';
/** Every minute: a card that was never posted is looked for often, since the query is cheap and failures back off. */
const MISSING_CARDS_CRON = '* * * * *';

export interface PostedMessage {
  channelId: string;
  messageId: string;
}

export interface JobHooks {
  /** Tells a market's channel that it has closed. */
  announceClosed(market: Market): Promise<void>;
  /**
   * Posts a market's card in `channelId` and records it, as `/market open` does; false, posting nothing, when the
   * market is gone or has a card by now.
   */
  postCard(marketId: string, channelId: string): Promise<boolean>;
  /** Redraws a market's posted card, e.g. with outside odds just read. */
  redrawMarket(marketId: string): Promise<void>;
  /** Posts to the moderators' channel (or the market's own); undefined when there is nowhere to post. */
  postToModerators(reply: Reply, market: Market): Promise<PostedMessage | undefined>;
  checkSource: SourceChecker;
  /** Takes an online backup and prunes old ones (see backup-job.ts). */
  backUp(): Promise<unknown>;
  /** Rebuilds the whole ledger off the event loop and moves the checkpoint on (see verify-job.ts). */
  verifyLedger(): Promise<unknown>;
  /** Posts every market's waiting thread lines. */
  flushThreads(): Promise<void>;
  /** Sends the DMs that are due. */
  sendDueDms(): Promise<void>;
  /** The jobs' only clock, so tests can run them at any moment. */
  now: () => number;
  /**
   * The one realm the jobs act for: the console's, whose moderators must not close, poll or settle a server's markets
   * unseen by it. Every realm when absent (the bot's jobs).
   */
  realm?: RealmId;
}

/**
 * Hooks that post to no channel, redraw nothing, take no backup and run no full check: for the console, which runs
 * the resolution jobs by hand (`/poll`), and for tests. The clock and the source checker are the caller's, and so is
 * anything else it gives.
 */
export function quietJobHooks(own: Pick<JobHooks, 'now' | 'checkSource'> & Partial<JobHooks>): JobHooks {
  return {
    announceClosed: async () => undefined,
    postCard: async () => false,
    redrawMarket: async () => undefined,
    postToModerators: async () => undefined,
    backUp: async () => undefined,
    verifyLedger: async () => undefined,
    flushThreads: async () => undefined,
    sendDueDms: async () => undefined,
    ...own,
  };
}

/** Closes every market whose close time has passed and announces each; safe to run at any moment. */
export async function closeDueMarkets(app: App, hooks: JobHooks): Promise<Market[]> {
  const result = app.service.closeDueMarkets(hooks.now(), hooks.realm);
  if (!result.ok) {
    app.log('the close job was refused', { error: result.error.message });
    return [];
  }
  for (const market of result.value) {
    await hooks.announceClosed(market).catch((error: unknown) =>
      app.log('could not announce a closed market', { market: market.id, error: String(error) }),
    );
  }
  return result.value;
}

export interface PollReport {
  checked: number;
  failed: number;
  proposals: Proposal[];
}

/**
 * Checks every linked source that is due, records what it said (errors back off), and posts each new proposal,
 * conflict or report to the moderators. A source that fails is logged and retried later; it never resolves anything,
 * and once it has failed for a day the moderators are told, once.
 */
export async function pollSources(app: App, hooks: JobHooks): Promise<PollReport> {
  const now = hooks.now();
  const report: PollReport = { checked: 0, failed: 0, proposals: [] };
  const byMarket = new Map<string, DueSource[]>();
  for (const source of app.resolution.sourcesDueForPoll(now, hooks.realm)) byMarket.set(source.marketId, [...(byMarket.get(source.marketId) ?? []), source]);
  for (const [marketId, sources] of byMarket) {
    const checks = [];
    for (const source of sources) {
      const previousContentHash = source.poll?.contentHash ?? undefined;
      const check = await hooks.checkSource(source.ref, { now, ...(previousContentHash === undefined ? {} : { previousContentHash }) });
      if (check.kind === 'error') {
        report.failed += 1;
        app.log('a linked source could not be checked', { market: marketId, url: source.url, error: check.message });
      }
      checks.push({ source, check });
    }
    report.checked += checks.length;
    const recorded = app.resolution.recordChecks(marketId, checks, now);
    if (!recorded.ok) {
      app.log('source checks could not be recorded', { market: marketId, error: recorded.error.message });
    } else if (recorded.value !== undefined) {
      report.proposals.push(recorded.value);
      await postProposal(app, hooks, recorded.value);
    }
    // Odds that arrived change what the card shows under Crux's price.
    if (recorded.ok && checks.some(({ check }) => check.kind === 'pending' && check.odds !== undefined)) {
      await hooks.redrawMarket(marketId).catch((error: unknown) => app.log('could not redraw a market card', { market: marketId, error: String(error) }));
    }
  }
  await reportFailingSources(app, hooks);
  return report;
}

/** Tells the moderators of each source failing for a day, once: a report is claimed before it is posted. */
async function reportFailingSources(app: App, hooks: JobHooks): Promise<void> {
  for (const failure of app.resolution.claimFailureReports(hooks.realm)) {
    const market = app.views.marketByKey(failure.marketId)?.market;
    if (market === undefined) continue;
    await hooks.postToModerators(sourceFailureMessage(failure, market), market).catch((error: unknown) =>
      app.log('could not report a failing source', { market: market.id, url: failure.url, error: String(error) }),
    );
  }
}

async function postProposal(app: App, hooks: JobHooks, proposal: Proposal): Promise<void> {
  const market = app.views.marketByKey(proposal.marketId)?.market;
  if (!market) return;
  try {
    const posted = await hooks.postToModerators(proposalMessage(proposal, market), market);
    if (posted) app.resolution.recordProposalMessage(proposal.id, posted.channelId, posted.messageId);
  } catch (error) {
    app.log('could not post a resolution proposal', { proposal: proposal.id, market: market.id, error: String(error) });
  }
}

/** Applies proposals whose grace period passed without a veto, and tells the moderators what happened. */
export async function applyDueProposals(app: App, hooks: JobHooks): Promise<Proposal[]> {
  const applied: Proposal[] = [];
  for (const { proposal, result } of app.resolution.applyDueProposals(hooks.now(), hooks.realm)) {
    if (!result.ok) {
      app.log('an auto-resolve proposal could not be applied', { proposal: proposal.id, error: result.error.message });
      continue;
    }
    const { settlement } = result.value;
    if (settlement === undefined) {
      app.log('an auto-resolve proposal was set aside: its sources no longer agree', { proposal: proposal.id, market: proposal.marketId });
      continue;
    }
    applied.push(result.value.proposal);
    const reply = settlementReply(
      settlement,
      `🤖 ${settlement.market.slug} settled automatically from proposal #${proposal.id}`,
      evidenceBehind(app, result.value.proposal, settlement.market),
    );
    await hooks.postToModerators(reply, settlement.market).catch((error: unknown) =>
      app.log('could not announce an auto-resolved market', { market: settlement.market.id, error: String(error) }),
    );
  }
  return applied;
}

/**
 * Ends dispute windows: tells the moderators of new disputes, applies every settlement whose window ended with none
 * open (each exactly once: see SettlementService), then posts each applied settlement not yet posted. Each message is
 * marked sent only after it went out, so a crash in between posts it again on the next run rather than never.
 */
export async function endDisputeWindows(app: App, hooks: JobHooks): Promise<Settlement[]> {
  for (const notice of app.settlements.unnotifiedDisputes()) {
    try {
      await hooks.postToModerators(disputeMessage(notice), notice.market);
      app.settlements.markDisputeNotified(notice.dispute.id, hooks.now());
    } catch (error) {
      app.log('could not tell the moderators of a dispute', { dispute: notice.dispute.id, error: String(error) });
    }
  }
  for (const { record, result } of app.settlements.applyDue(hooks.now())) {
    if (!result.ok) app.log('a settlement could not be applied', { settlement: record.id, error: result.error.message });
  }
  const announced: Settlement[] = [];
  for (const settlement of app.settlements.unannounced()) {
    try {
      // A conditional cancelled by its condition's settlement is posted on its own, saying so, where its holders are too.
      const reply =
        settlement.record.decidedBy === CONDITION_RESOLVER
          ? conditionalReply(settlement)
          : settlementReply(settlement, `⚖️ ${settlement.market.slug} ${verdictOf(settlement.market, settlement.record)}: the dispute window ended and the money moved`);
      await hooks.postToModerators(reply, settlement.market);
      app.settlements.markAnnounced(settlement.record.id, hooks.now());
      announced.push(settlement);
    } catch (error) {
      app.log('could not announce a settlement', { settlement: settlement.record.id, error: String(error) });
    }
  }
  return announced;
}

/** Reminds moderators of markets closed and unresolved for `CRUX_NUDGE_DAYS` days, at most once per that many days. */
export async function nudgeModerators(app: App, hooks: JobHooks): Promise<Market[]> {
  const days = app.config.CRUX_NUDGE_DAYS;
  if (days === 0) return [];
  const result = app.resolution.nudgeStaleMarkets(hooks.now(), days);
  if (!result.ok) {
    app.log('the nudge job was refused', { error: result.error.message });
    return [];
  }
  for (const market of result.value) {
    await hooks.postToModerators(nudgeMessage(market), market).catch((error: unknown) =>
      app.log('could not nudge moderators', { market: market.id, error: String(error) }),
    );
  }
  return result.value;
}

/**
 * Decides the reminders that are due (closing within a day, big moves, markets of yours closed and unresolved), then
 * sends what the outbox holds: thread lines and due DMs, including any a restart left waiting.
 */
export async function deliverConversation(app: App, hooks: JobHooks): Promise<void> {
  const now = hooks.now();
  for (const [name, result] of [
    ['closing', app.notifications.remindClosing(now)],
    ['moves', app.notifications.remindMoves(now)],
    ['stale', app.notifications.remindStale(now, app.config.CRUX_NUDGE_DAYS)],
  ] as const) {
    if (!result.ok) app.log('a reminder job was refused', { reminder: name, error: result.error.message });
  }
  await hooks.flushThreads();
  await hooks.sendDueDms();
}

/** Forgets request ids older than a day, so the table of applied requests stays a day's worth of rows. */
export function pruneRequests(app: App, hooks: JobHooks): number {
  return app.service.forgetRequestsBefore(hooks.now() - REQUEST_MEMORY_MS);
}

export interface Jobs {
  /** Starts the schedules (once the client is ready). */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Builds the scheduled jobs without starting them, so that a schedule which cannot run stops start-up with a line
 * naming its variable, before the bot logs in, instead of leaving it running with no jobs. `stop` waits for none to be
 * half-way through.
 */
export function scheduleJobs(app: App, hooks: JobHooks): Jobs {
  let running: Promise<unknown> = Promise.resolve();
  // One job at a time: each waits for the last, so a slow poll never overlaps a close or a nudge.
  const schedule = (variable: string, expression: string, name: string, job: () => Promise<unknown>): ScheduledTask => {
    try {
      return cron.createTask(expression, () => {
        running = running.then(job).catch((error: unknown) => app.log('a scheduled job failed', { job: name, error: String(error) }));
        return running;
      }, { name, noOverlap: true });
    } catch (error) {
      throw new ConfigError(`${variable}: cannot schedule the ${name} job on "${expression}": ${errorMessage(error)}`);
    }
  };
  const { config } = app;
  const cardDestinations = new CardDestinations();
  const tasks: ScheduledTask[] = [
    schedule('CRUX_CLOSE_CRON', config.CRUX_CLOSE_CRON, 'close-due-markets', () => closeDueMarkets(app, hooks)),
    schedule('CRUX_SOURCE_POLL_CRON', config.CRUX_SOURCE_POLL_CRON, 'poll-sources', async () => {
      await pollSources(app, hooks);
      await applyDueProposals(app, hooks);
    }),
    schedule('CRUX_SETTLEMENT_CRON', config.CRUX_SETTLEMENT_CRON, 'end-dispute-windows', () => endDisputeWindows(app, hooks)),
    schedule('CRUX_NUDGE_CRON', config.CRUX_NUDGE_CRON, 'nudge-moderators', () => nudgeModerators(app, hooks)),
    schedule('the built-in schedule', PRUNE_REQUESTS_CRON, 'prune-requests', async () => pruneRequests(app, hooks)),
    schedule('the built-in schedule', MISSING_CARDS_CRON, 'post-missing-cards', () => postMissingCards(app, hooks, cardDestinations)),
    schedule('CRUX_BACKUP_CRON', config.CRUX_BACKUP_CRON, 'back-up', () => hooks.backUp()),
    schedule('CRUX_VERIFY_CRON', config.CRUX_VERIFY_CRON, 'verify-ledger', () => hooks.verifyLedger()),
    schedule('CRUX_NOTIFY_CRON', config.CRUX_NOTIFY_CRON, 'deliver-conversation', () => deliverConversation(app, hooks)),
  ];
  return {
    start() {
      for (const task of tasks) void task.start();
    },
    async stop() {
      await Promise.all(tasks.map((task) => task.stop()));
      await running;
    },
  };
}
