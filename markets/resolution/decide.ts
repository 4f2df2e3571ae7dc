import { formatProbability } from '../sources/format.ts';
import { mapToMarketOutcome, type SourceCheck } from '../sources/index.ts';
import type { SourceReading } from './store.ts';

/** An outcome, with `probabilities` (whole percents per outcome) when the sources resolved to a probability; or cancelling. */
export type Verdict = { kind: 'outcome'; outcome: number; probabilities?: readonly number[] } | { kind: 'cancel' };

/**
 * What a market's linked sources say together. A `proposal` names one verdict every decisive source agrees on; a
 * `conflict` means sources disagree (or one resolved in a way we cannot apply while another gave a verdict); a
 * `report` is a terminal answer no rule may apply by itself (a split, an outcome we do not have, a probability of YES
 * on a market whose outcomes are not Yes and No). A resolution to a probability that maps is a verdict like any other.
 * Conflicts and reports go to moderators and are never applied automatically.
 */
export type Decision =
  | { kind: 'none' }
  | { kind: 'proposal'; verdict: Verdict; verdictKey: string; basis: SourceReading[]; evidence: string }
  | { kind: 'conflict' | 'report'; verdictKey: string; basis: SourceReading[]; evidence: string };

/** Resolution evidence is stored with the market and shown in an embed field. */
export const MAX_EVIDENCE_LENGTH = 1000;

const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  manifold: 'Manifold',
  metaculus: 'Metaculus',
  polymarket: 'Polymarket',
  url: 'Web page',
};

export function platformName(kind: string): string {
  return PLATFORM_NAMES[kind] ?? kind;
}

export function verdictKeyOf(verdict: Verdict): string {
  if (verdict.kind === 'cancel') return 'cancel';
  return verdict.probabilities === undefined ? `outcome:${verdict.outcome}` : `outcome:${verdict.outcome}@${verdict.probabilities.join(',')}`;
}

/** From the latest check of each linked source to what, if anything, moderators should be asked to apply. */
export function decideResolution(outcomes: readonly string[], readings: readonly SourceReading[]): Decision {
  const verdicts: { reading: SourceReading; verdict: Verdict }[] = [];
  const unappliable: SourceReading[] = [];
  for (const reading of readings) {
    const { check } = reading;
    if (check.kind === 'pending' || check.kind === 'error' || check.kind === 'evidence') continue;
    const mapped = mapToMarketOutcome(check, outcomes);
    if (mapped.kind === 'outcome') {
      const probabilities = mapped.percents === undefined ? {} : { probabilities: mapped.percents };
      verdicts.push({ reading, verdict: { kind: 'outcome', outcome: mapped.outcomeIndex, ...probabilities } });
    }
    else if (mapped.kind === 'cancel') verdicts.push({ reading, verdict: { kind: 'cancel' } });
    else unappliable.push(reading);
  }
  const distinct = [...new Set(verdicts.map((v) => verdictKeyOf(v.verdict)))].sort();
  const basis = [...verdicts.map((v) => v.reading), ...unappliable];
  const [agreed] = verdicts;
  if (agreed !== undefined && distinct.length === 1 && unappliable.length === 0) {
    return {
      kind: 'proposal',
      verdict: agreed.verdict,
      verdictKey: verdictKeyOf(agreed.verdict),
      basis,
      evidence: describeEvidence(readings),
    };
  }
  if (distinct.length >= 1) {
    return { kind: 'conflict', verdictKey: `conflict:${describeKey(basis)}`, basis, evidence: describeEvidence(readings) };
  }
  if (unappliable.length > 0) {
    return { kind: 'report', verdictKey: `report:${describeKey(unappliable)}`, basis, evidence: describeEvidence(readings) };
  }
  return { kind: 'none' };
}

/** One line per source: platform, link and what it said, so the stored evidence cites every source consulted. */
export function describeEvidence(readings: readonly SourceReading[]): string {
  const text = readings.map((reading) => `${platformName(reading.kind)} <${reading.url}>: ${whatItSaid(reading.check)}`).join('\n');
  return text.length > MAX_EVIDENCE_LENGTH ? `${text.slice(0, MAX_EVIDENCE_LENGTH - 1)}…` : text;
}

function whatItSaid(check: SourceCheck): string {
  switch (check.kind) {
    case 'pending':
    case 'outcome':
    case 'cancel':
    case 'manual':
    case 'probability':
      return check.detail;
    case 'evidence': {
      const title = check.title === undefined ? '' : ` "${check.title}"`;
      const changed = check.changed === undefined ? '' : check.changed ? ', changed since last check' : ', unchanged';
      return `HTTP ${check.status}${title}${changed}.`;
    }
    case 'error':
      return `could not be checked (${check.message})`;
  }
}

/** Stable for the same sources saying the same things, so a conflict or report is raised once, not on every poll. */
function describeKey(readings: readonly SourceReading[]): string {
  return readings
    .map((reading) => `${reading.linkId}=${checkSummary(reading.check)}`)
    .sort()
    .join(',');
}

function checkSummary(check: SourceCheck): string {
  switch (check.kind) {
    case 'outcome':
      return `outcome:${check.label}`;
    case 'probability':
      return `probability:${formatProbability(check.probability)}`;
    default:
      return check.kind;
  }
}
