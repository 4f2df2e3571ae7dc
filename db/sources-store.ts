import { z } from 'zod';
import type {
  LinkToPoll,
  GuildResolutionSettings,
  NewProposal,
  PollState,
  Proposal,
  ProposalStatus,
  ResolutionStore,
  SourceReading,
} from '../markets/resolution/store.ts';
import type { OutsideReading } from '../markets/sources/odds.ts';
import type { FailureReport, LinkStatus, SourceStatus } from '../markets/resolution/source-status.ts';
import { type SourceCheck, type SourceRef, sourceRefSchema } from '../markets/sources/index.ts';
import type { Db } from './open.ts';
import { json, parseRow, percentsColumn } from './rows.ts';
import type { RealmId } from '../markets/realms/realm.ts';

const jsonValue = z.custom<unknown>(() => true);

/** Every SourceCheck variant, as `checkSource` produces it; stored checks are parsed back through this. */
const sourceCheckSchema: z.ZodType<SourceCheck> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pending'),
    detail: z.string(),
    odds: z.array(z.object({ label: z.string(), probability: z.number() })).optional(),
  }),
  z.object({ kind: z.literal('outcome'), label: z.string(), detail: z.string() }),
  z.object({ kind: z.literal('cancel'), detail: z.string() }),
  z.object({ kind: z.literal('probability'), probability: z.number(), detail: z.string() }),
  z.object({ kind: z.literal('manual'), detail: z.string() }),
  z.object({
    kind: z.literal('evidence'),
    url: z.string(),
    status: z.number().int(),
    reachable: z.boolean(),
    title: z.string().optional(),
    contentHash: z.string(),
    changed: z.boolean().optional(),
    json: z
      .object({ path: z.string(), found: z.boolean(), value: jsonValue.optional(), matchesExpected: z.boolean().optional() })
      .optional(),
  }),
  // Errors are not kept as a link's last check; a reason is only missing from ones stored before reasons were.
  z.object({ kind: z.literal('error'), message: z.string(), reason: z.string().default('check failed') }),
]);

const oddsRow = z.object({ kind: z.string(), at: z.number().int(), probabilities: json(z.array(z.number().min(0).max(1))) });

const readingSchema = z.object({ linkId: z.number().int(), kind: z.string(), url: z.string(), check: sourceCheckSchema });

const pollColumns = {
  last_check: json(sourceCheckSchema).nullable(),
  last_checked_at: z.number().int().nullable(),
  content_hash: z.string().nullable(),
  consecutive_errors: z.number().int().nonnegative(),
  next_poll_at: z.number().int(),
};

const dueRow = z
  .object({
    link_id: z.number().int(),
    market_id: z.string(),
    url: z.string(),
    kind: z.string(),
    ref: json(sourceRefSchema).nullable(),
    polled: z.number().int(),
    ...pollColumns,
  })
  .transform(
    (row): LinkToPoll => ({
      linkId: row.link_id,
      marketId: row.market_id,
      url: row.url,
      kind: row.kind,
      ref: row.ref,
      poll: row.polled === 0 ? null : pollState(row),
    }),
  );

function pollState(row: {
  last_check: SourceCheck | null;
  last_checked_at: number | null;
  content_hash: string | null;
  consecutive_errors: number;
  next_poll_at: number;
}): PollState {
  return {
    lastCheck: row.last_check,
    lastCheckedAt: row.last_checked_at,
    contentHash: row.content_hash,
    consecutiveErrors: row.consecutive_errors,
    nextPollAt: row.next_poll_at,
  };
}

const readingRow = z
  .object({ link_id: z.number().int(), kind: z.string(), url: z.string(), last_check: json(sourceCheckSchema) })
  .transform((row): SourceReading => ({ linkId: row.link_id, kind: row.kind, url: row.url, check: row.last_check }));

const proposalRow = z
  .object({
    id: z.number().int(),
    market_id: z.string(),
    verdict: z.enum(['outcome', 'cancel', 'conflict', 'report']),
    outcome: z.number().int().nullable(),
    probabilities: percentsColumn,
    verdict_key: z.string(),
    basis: json(z.array(readingSchema)),
    evidence: z.string(),
    status: z.enum(['pending', 'accepted', 'rejected', 'applied', 'conflict']),
    created_at: z.number().int(),
    decided_by: z.string().nullable(),
    decided_at: z.number().int().nullable(),
    auto_apply_at: z.number().int().nullable(),
    message_channel_id: z.string().nullable(),
    message_id: z.string().nullable(),
  })
  .transform(
    (row): Proposal => ({
      id: row.id,
      marketId: row.market_id,
      verdict: row.verdict,
      outcome: row.outcome,
      probabilities: row.probabilities,
      verdictKey: row.verdict_key,
      basis: row.basis,
      evidence: row.evidence,
      status: row.status,
      createdAt: row.created_at,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at,
      autoApplyAt: row.auto_apply_at,
      messageChannelId: row.message_channel_id,
      messageId: row.message_id,
    }),
  );

const statusColumns = z.object({
  link_id: z.number().int(),
  checked_at: z.number().int(),
  last_ok_at: z.number().int().nullable(),
  failing_since: z.number().int().nullable(),
  failure_reason: z.string().nullable(),
  report_state: z.enum(['due', 'claimed']).nullable(),
});

function sourceStatusOf(row: z.output<typeof statusColumns>): SourceStatus {
  return {
    linkId: row.link_id,
    checkedAt: row.checked_at,
    lastOkAt: row.last_ok_at,
    failingSince: row.failing_since,
    failureReason: row.failure_reason,
    reportState: row.report_state,
  };
}

const statusRow = statusColumns.transform(sourceStatusOf);

const linkStatusRow = statusColumns.extend({ url: z.string() }).transform((row): LinkStatus => ({ ...sourceStatusOf(row), url: row.url }));

const reportRow = z
  .object({ link_id: z.number().int(), market_id: z.string(), url: z.string(), kind: z.string(), failing_since: z.number().int(), failure_reason: z.string() })
  .transform(
    (row): FailureReport => ({
      linkId: row.link_id,
      marketId: row.market_id,
      url: row.url,
      kind: row.kind,
      failingSince: row.failing_since,
      reason: row.failure_reason,
    }),
  );

const settingsRow = z
  .object({ guild_id: z.string(), auto_apply: z.number().int(), trusted_kinds: json(z.array(z.string())), grace_ms: z.number().int() })
  .transform(
    (row): GuildResolutionSettings => ({
      guildId: row.guild_id,
      autoApply: row.auto_apply === 1,
      trustedKinds: row.trusted_kinds,
      graceMs: row.grace_ms,
    }),
  );

/** Linked sources, their poll state, resolution proposals and per-guild auto-resolve settings, over SQLite. */
export class SqliteResolutionStore implements ResolutionStore {
  private readonly statements;

  constructor(readonly db: Db) {
    this.statements = {
      setLinkRef: db.prepare('UPDATE market_links SET kind = ?, ref = ? WHERE market_id = ? AND url = ?'),
      due: db.prepare<{ now: number; realm: string | null }>(
        `SELECT l.id AS link_id, l.market_id, l.url, l.kind, l.ref, p.link_id IS NOT NULL AS polled,
           p.last_check, p.last_checked_at, p.content_hash, COALESCE(p.consecutive_errors, 0) AS consecutive_errors,
           COALESCE(p.next_poll_at, 0) AS next_poll_at
         FROM market_links l
         JOIN markets m ON m.id = l.market_id
         LEFT JOIN source_polls p ON p.link_id = l.id
         WHERE m.status IN ('open', 'closed') AND (p.link_id IS NULL OR p.next_poll_at <= @now) AND (@realm IS NULL OR m.realm = @realm)
         ORDER BY COALESCE(p.next_poll_at, 0), l.id`,
      ),
      savePoll: db.prepare(
        `INSERT INTO source_polls (link_id, last_check, last_checked_at, content_hash, consecutive_errors, next_poll_at)
         VALUES (@linkId, @lastCheck, @lastCheckedAt, @contentHash, @consecutiveErrors, @nextPollAt)
         ON CONFLICT (link_id) DO UPDATE SET last_check = excluded.last_check, last_checked_at = excluded.last_checked_at,
           content_hash = excluded.content_hash, consecutive_errors = excluded.consecutive_errors, next_poll_at = excluded.next_poll_at`,
      ),
      readings: db.prepare<[string]>(
        `SELECT l.id AS link_id, l.kind, l.url, p.last_check FROM market_links l JOIN source_polls p ON p.link_id = l.id
         WHERE l.market_id = ? AND p.last_check IS NOT NULL ORDER BY l.id`,
      ),
      proposalExists: db.prepare<[string, string], { found: number }>(
        'SELECT 1 AS found FROM proposals WHERE market_id = ? AND verdict_key = ?',
      ),
      insertProposal: db.prepare(
        `INSERT INTO proposals (market_id, verdict, outcome, probabilities, verdict_key, basis, evidence, status, created_at, auto_apply_at)
         VALUES (@marketId, @verdict, @outcome, @probabilities, @verdictKey, @basis, @evidence, @status, @createdAt, @autoApplyAt)`,
      ),
      findProposal: db.prepare<[number]>('SELECT * FROM proposals WHERE id = ?'),
      decideProposal: db.prepare('UPDATE proposals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?'),
      supersede: db.prepare(
        `UPDATE proposals SET status = 'conflict', decided_at = ? WHERE market_id = ? AND status = 'pending' AND verdict IN ('outcome', 'cancel')`,
      ),
      setProposalMessage: db.prepare('UPDATE proposals SET message_channel_id = ?, message_id = ? WHERE id = ?'),
      openProposals: db.prepare<[string]>(
        `SELECT p.* FROM proposals p JOIN markets m ON m.id = p.market_id
         WHERE m.realm = ? AND p.status IN ('pending', 'conflict') ORDER BY p.id`,
      ),
      dueToApply: db.prepare<{ now: number; realm: string | null }>(
        `SELECT p.* FROM proposals p WHERE p.status = 'pending' AND p.auto_apply_at IS NOT NULL AND p.auto_apply_at <= @now
           AND (@realm IS NULL OR EXISTS (SELECT 1 FROM markets m WHERE m.id = p.market_id AND m.realm = @realm))
         ORDER BY p.auto_apply_at, p.id`,
      ),
      guildSettings: db.prepare<[string]>('SELECT * FROM guild_resolution_settings WHERE guild_id = ?'),
      saveGuildSettings: db.prepare(
        `INSERT INTO guild_resolution_settings (guild_id, auto_apply, trusted_kinds, grace_ms, updated_by, updated_at)
         VALUES (@guildId, @autoApply, @trustedKinds, @graceMs, @updatedBy, @updatedAt)
         ON CONFLICT (guild_id) DO UPDATE SET auto_apply = excluded.auto_apply, trusted_kinds = excluded.trusted_kinds,
           grace_ms = excluded.grace_ms, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ),
      staleClosed: db.prepare<[number, number], { id: string }>(
        `SELECT m.id FROM markets m LEFT JOIN market_nudges n ON n.market_id = m.id
         WHERE m.status = 'closed' AND m.closed_at <= ? AND (n.nudged_at IS NULL OR n.nudged_at <= ?)
         ORDER BY m.closed_at, m.id`,
      ),
      recordOdds: db.prepare(
        'INSERT INTO outside_odds (link_id, market_id, kind, at, probabilities) VALUES (@linkId, @marketId, @kind, @at, @probabilities)',
      ),
      oddsHistory: db.prepare<[string]>('SELECT kind, at, probabilities FROM outside_odds WHERE market_id = ? ORDER BY at, id'),
      // The newest reading of each of the market's links (the highest id is the newest: readings are appended in time).
      latestOdds: db.prepare<[string]>(
        `SELECT kind, at, probabilities FROM outside_odds
         WHERE id IN (SELECT MAX(id) FROM outside_odds WHERE market_id = ? GROUP BY link_id) ORDER BY link_id`,
      ),
      sourceStatus: db.prepare<[number]>('SELECT * FROM source_checks WHERE link_id = ?'),
      saveSourceStatus: db.prepare(
        `INSERT INTO source_checks (link_id, checked_at, last_ok_at, failing_since, failure_reason, report_state)
         VALUES (@linkId, @checkedAt, @lastOkAt, @failingSince, @failureReason, @reportState)
         ON CONFLICT (link_id) DO UPDATE SET checked_at = excluded.checked_at, last_ok_at = excluded.last_ok_at,
           failing_since = excluded.failing_since, failure_reason = excluded.failure_reason, report_state = excluded.report_state`,
      ),
      sourceStatuses: db.prepare<[string]>(
        'SELECT c.*, l.url FROM source_checks c JOIN market_links l ON l.id = c.link_id WHERE l.market_id = ? ORDER BY l.id',
      ),
      dueReports: db.prepare<{ realm: string | null }>(
        `SELECT c.link_id, l.market_id, l.url, l.kind, c.failing_since, c.failure_reason
         FROM source_checks c JOIN market_links l ON l.id = c.link_id
         WHERE c.report_state = 'due' AND (@realm IS NULL OR EXISTS (SELECT 1 FROM markets m WHERE m.id = l.market_id AND m.realm = @realm))
         ORDER BY c.failing_since, c.link_id`,
      ),
      claimReport: db.prepare<[number]>(`UPDATE source_checks SET report_state = 'claimed' WHERE link_id = ? AND report_state = 'due'`),
      recordNudge: db.prepare(
        `INSERT INTO market_nudges (market_id, nudged_at) VALUES (?, ?)
         ON CONFLICT (market_id) DO UPDATE SET nudged_at = excluded.nudged_at`,
      ),
    };
  }

  recordOdds(linkId: number, marketId: string, reading: OutsideReading): void {
    this.statements.recordOdds.run({ linkId, marketId, kind: reading.kind, at: reading.at, probabilities: JSON.stringify(reading.probabilities) });
  }

  latestOdds(marketId: string): OutsideReading[] {
    return this.statements.latestOdds.all(marketId).map((row) => parseRow(oddsRow, 'outside_odds', row));
  }

  oddsHistory(marketId: string): OutsideReading[] {
    return this.statements.oddsHistory.all(marketId).map((row) => parseRow(oddsRow, 'outside_odds', row));
  }

  sourceStatus(linkId: number): SourceStatus | undefined {
    const row = this.statements.sourceStatus.get(linkId);
    return row === undefined ? undefined : parseRow(statusRow, 'source_checks', row);
  }

  saveSourceStatus(status: SourceStatus): void {
    this.statements.saveSourceStatus.run(status);
  }

  sourceStatuses(marketId: string): LinkStatus[] {
    return this.statements.sourceStatuses.all(marketId).map((row) => parseRow(linkStatusRow, 'source_checks', row));
  }

  claimDueFailureReports(realm?: RealmId): FailureReport[] {
    const reports = this.statements.dueReports.all({ realm: realm ?? null }).map((row) => parseRow(reportRow, 'source_checks', row));
    for (const report of reports) this.statements.claimReport.run(report.linkId);
    return reports;
  }

  setLinkRef(marketId: string, url: string, ref: SourceRef): void {
    this.statements.setLinkRef.run(ref.kind, JSON.stringify(ref), marketId, url);
  }

  sourcesDueForPoll(now: number, realm?: RealmId): LinkToPoll[] {
    return this.statements.due.all({ now, realm: realm ?? null }).map((row) => parseRow(dueRow, 'market_links', row));
  }

  savePoll(linkId: number, state: PollState): void {
    this.statements.savePoll.run({ ...state, linkId, lastCheck: state.lastCheck === null ? null : JSON.stringify(state.lastCheck) });
  }

  latestReadings(marketId: string): SourceReading[] {
    return this.statements.readings.all(marketId).map((row) => parseRow(readingRow, 'source_polls', row));
  }

  proposalExists(marketId: string, verdictKey: string): boolean {
    return this.statements.proposalExists.get(marketId, verdictKey) !== undefined;
  }

  insertProposal(proposal: NewProposal): number {
    const probabilities = proposal.probabilities === null ? null : JSON.stringify(proposal.probabilities);
    return Number(this.statements.insertProposal.run({ ...proposal, probabilities, basis: JSON.stringify(proposal.basis) }).lastInsertRowid);
  }

  findProposal(id: number): Proposal | undefined {
    const row = this.statements.findProposal.get(id);
    return row === undefined ? undefined : parseRow(proposalRow, 'proposals', row);
  }

  decideProposal(id: number, decision: { status: ProposalStatus; decidedBy: string; decidedAt: number }): void {
    this.statements.decideProposal.run(decision.status, decision.decidedBy, decision.decidedAt, id);
  }

  supersedePendingVerdicts(marketId: string, at: number): void {
    this.statements.supersede.run(at, marketId);
  }

  setProposalMessage(id: number, channelId: string, messageId: string): void {
    this.statements.setProposalMessage.run(channelId, messageId, id);
  }

  openProposals(realm: string): Proposal[] {
    return this.statements.openProposals.all(realm).map((row) => parseRow(proposalRow, 'proposals', row));
  }

  proposalsDueToApply(now: number, realm?: RealmId): Proposal[] {
    return this.statements.dueToApply.all({ now, realm: realm ?? null }).map((row) => parseRow(proposalRow, 'proposals', row));
  }

  guildSettings(guildId: string): GuildResolutionSettings | undefined {
    const row = this.statements.guildSettings.get(guildId);
    return row === undefined ? undefined : parseRow(settingsRow, 'guild_resolution_settings', row);
  }

  saveGuildSettings(settings: GuildResolutionSettings, updatedBy: string, updatedAt: number): void {
    this.statements.saveGuildSettings.run({
      guildId: settings.guildId,
      autoApply: settings.autoApply ? 1 : 0,
      trustedKinds: JSON.stringify(settings.trustedKinds),
      graceMs: settings.graceMs,
      updatedBy,
      updatedAt,
    });
  }


  staleClosedMarkets(closedBefore: number, nudgedBefore: number): string[] {
    return this.statements.staleClosed.all(closedBefore, nudgedBefore).map((row) => row.id);
  }

  recordNudge(marketId: string, at: number): void {
    this.statements.recordNudge.run(marketId, at);
  }
}
