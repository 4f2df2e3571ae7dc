import { describe, expect, it } from 'vitest';
import { decideResolution } from '../../markets/resolution/decide.ts';
import type { SourceReading } from '../../markets/resolution/store.ts';
import type { SourceCheck } from '../../markets/sources/index.ts';

const BINARY = ['Yes', 'No'];

function reading(linkId: number, kind: string, check: SourceCheck): SourceReading {
  return { linkId, kind, url: `https://example.org/${kind}/${linkId}`, check };
}

const manifoldYes = reading(1, 'manifold', { kind: 'outcome', label: 'YES', detail: 'Manifold "Q" resolved YES.' });
const metaculusYes = reading(2, 'metaculus', { kind: 'outcome', label: 'yes', detail: 'Metaculus "Q" resolved yes.' });
const metaculusNo = reading(2, 'metaculus', { kind: 'outcome', label: 'no', detail: 'Metaculus "Q" resolved no.' });
const polymarketOpen = reading(3, 'polymarket', { kind: 'pending', detail: 'Polymarket "Q": open.' });
const brokenSource = reading(4, 'manifold', { kind: 'error', message: 'Manifold answered HTTP 500.', reason: 'HTTP 500' });

describe('deciding a resolution from linked sources', () => {
  it('proposes the outcome every decisive source agrees on, citing platform, link and what each said', () => {
    const decision = decideResolution(BINARY, [manifoldYes, metaculusYes, polymarketOpen]);
    expect(decision).toMatchObject({ kind: 'proposal', verdict: { kind: 'outcome', outcome: 0 }, verdictKey: 'outcome:0' });
    if (decision.kind !== 'proposal') throw new Error('expected a proposal');
    expect(decision.basis.map((r) => r.linkId)).toEqual([1, 2]);
    expect(decision.evidence.split('\n')).toEqual([
      'Manifold <https://example.org/manifold/1>: Manifold "Q" resolved YES.',
      'Metaculus <https://example.org/metaculus/2>: Metaculus "Q" resolved yes.',
      'Polymarket <https://example.org/polymarket/3>: Polymarket "Q": open.',
    ]);
  });

  it('proposes cancelling when the source cancelled or annulled the question', () => {
    const decision = decideResolution(BINARY, [reading(1, 'metaculus', { kind: 'cancel', detail: 'Metaculus "Q" was annulled.' })]);
    expect(decision).toMatchObject({ kind: 'proposal', verdict: { kind: 'cancel' }, verdictKey: 'cancel' });
  });

  it('calls two sources that disagree a conflict', () => {
    const decision = decideResolution(BINARY, [manifoldYes, metaculusNo]);
    expect(decision.kind).toBe('conflict');
  });

  it('proposes a Manifold MKT resolution as a resolution to that probability, one verdict per probability', () => {
    const mkt = reading(1, 'manifold', { kind: 'probability', probability: 0.62, detail: 'Manifold "Q" resolved MKT at 62%.' });
    expect(decideResolution(BINARY, [mkt])).toMatchObject({
      kind: 'proposal',
      verdict: { kind: 'outcome', outcome: 0, probabilities: [62, 38] },
      verdictKey: 'outcome:0@62,38',
      evidence: expect.stringContaining('resolved MKT at 62%'),
    });
    // A certain Yes beside it is another verdict: moderators must look.
    expect(decideResolution(BINARY, [mkt, metaculusYes]).kind).toBe('conflict');
    // On a market whose outcomes are not Yes and No it cannot be applied: a report.
    expect(decideResolution(['Debate', 'RLHF'], [mkt]).kind).toBe('report');
  });

  it('reports a manual check and an outcome that names none of the market outcomes', () => {
    expect(decideResolution(BINARY, [reading(1, 'polymarket', { kind: 'manual', detail: 'resolved 50-50.' })]).kind).toBe('report');
    expect(decideResolution(BINARY, [reading(1, 'polymarket', { kind: 'outcome', label: 'Celtics', detail: 'resolved "Celtics".' })]).kind).toBe(
      'report',
    );
  });

  it('never resolves anything from errors, pending sources or plain web pages', () => {
    const page = reading(5, 'url', { kind: 'evidence', url: 'https://example.org', status: 200, reachable: true, contentHash: 'ab' });
    expect(decideResolution(BINARY, [brokenSource, polymarketOpen, page])).toEqual({ kind: 'none' });
    expect(decideResolution(BINARY, [])).toEqual({ kind: 'none' });
  });

  it('keys a conflict by what the sources said, so the same disagreement is raised once', () => {
    const first = decideResolution(BINARY, [manifoldYes, metaculusNo]);
    const again = decideResolution(BINARY, [metaculusNo, manifoldYes]);
    expect(first.kind === 'conflict' && again.kind === 'conflict' && first.verdictKey === again.verdictKey).toBe(true);
  });
});
