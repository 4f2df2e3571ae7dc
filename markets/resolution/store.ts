import type { SourceCheck, SourceRef } from '../sources/index.ts';
import type { OutsideReading } from '../sources/odds.ts';
import type { FailureReport, LinkStatus, SourceStatus } from './source-status.ts';
import type { RealmId } from '../realms/realm.ts';

/** A market's link with the source reference the adapters understand (null for links stored before references were). */
export interface LinkedSource {
  linkId: number;
  marketId: string;
  url: string;
  kind: string;
  ref: SourceRef | null;
}

export interface PollState {
  lastCheck: SourceCheck | null;
  lastCheckedAt: number | null;
  contentHash: string | null;
  consecutiveErrors: number;
  nextPollAt: number;
}

export interface LinkToPoll extends LinkedSource {
  /** Null until the link is first checked. */
  poll: PollState | null;
}

/** A link ready to check: its reference is known. */
export interface DueSource extends LinkToPoll {
  ref: SourceRef;
}

/** The latest thing one linked source said. */
export interface SourceReading {
  linkId: number;
  kind: string;
  url: string;
  check: SourceCheck;
}

export type ProposalVerdict = 'outcome' | 'cancel' | 'conflict' | 'report';
export type ProposalStatus = 'pending' | 'accepted' | 'rejected' | 'applied' | 'conflict';

export interface NewProposal {
  marketId: string;
  verdict: ProposalVerdict;
  /** The winning outcome's index when the verdict is `outcome`. */
  outcome: number | null;
  /** For an outcome verdict to a probability: each outcome's whole percent, in outcome order; null when certain. */
  probabilities: readonly number[] | null;
  verdictKey: string;
  basis: SourceReading[];
  evidence: string;
  status: ProposalStatus;
  createdAt: number;
  /** When set, the proposal applies itself at this time unless a moderator rejects it first. */
  autoApplyAt: number | null;
}

export interface Proposal extends NewProposal {
  id: number;
  decidedBy: string | null;
  decidedAt: number | null;
  messageChannelId: string | null;
  messageId: string | null;
}

export interface GuildResolutionSettings {
  guildId: string;
  autoApply: boolean;
  /** Source kinds whose proposals may apply themselves. */
  trustedKinds: string[];
  graceMs: number;
}

/** What resolving against linked sources needs from storage. One implementation lives in db/. */
export interface ResolutionStore {
  /** Records the parsed reference (and its kind) of a link the market service has just stored. */
  setLinkRef(marketId: string, url: string, ref: SourceRef): void;
  /** Links of open and closed markets that were never checked or whose next check is due. */
  /** In `realm` only where one is given (the console's), else in every realm; the same for the two below. */
  sourcesDueForPoll(now: number, realm?: RealmId): LinkToPoll[];
  savePoll(linkId: number, state: PollState): void;
  /** The last check of every checked link of a market, in link order. */
  latestReadings(marketId: string): SourceReading[];
  /** Keeps what a platform trades a market's question at now, in the market's outcome order. */
  recordOdds(linkId: number, marketId: string, reading: OutsideReading): void;
  /** The newest reading of each of a market's linked platforms, in link order. */
  latestOdds(marketId: string): OutsideReading[];
  /** Every reading of a market's linked platforms, oldest first. */
  oddsHistory(marketId: string): OutsideReading[];
  /** A link's last check in words; undefined before its first. */
  sourceStatus(linkId: number): SourceStatus | undefined;
  saveSourceStatus(status: SourceStatus): void;
  /** The status of each of a market's checked links, in link order. */
  sourceStatuses(marketId: string): LinkStatus[];
  /** Marks every due failure report claimed and returns them: each is handed out once, whatever happens next. */
  claimDueFailureReports(realm?: RealmId): FailureReport[];

  proposalExists(marketId: string, verdictKey: string): boolean;
  insertProposal(proposal: NewProposal): number;
  findProposal(id: number): Proposal | undefined;
  decideProposal(id: number, decision: { status: ProposalStatus; decidedBy: string; decidedAt: number }): void;
  setProposalMessage(id: number, channelId: string, messageId: string): void;
  /** Marks a market's pending outcome and cancel proposals as in conflict, so nobody applies them. */
  supersedePendingVerdicts(marketId: string, at: number): void;
  /** A realm's proposals a moderator can still act on (pending, or set aside as a conflict), oldest first. */
  openProposals(realm: string): Proposal[];
  /** Pending proposals whose auto-apply time has come. */
  proposalsDueToApply(now: number, realm?: RealmId): Proposal[];

  guildSettings(guildId: string): GuildResolutionSettings | undefined;
  saveGuildSettings(settings: GuildResolutionSettings, updatedBy: string, updatedAt: number): void;

  /** Markets closed before `closedBefore`, still unresolved, and not nudged since `nudgedBefore`. */
  staleClosedMarkets(closedBefore: number, nudgedBefore: number): string[];
  recordNudge(marketId: string, at: number): void;
}
