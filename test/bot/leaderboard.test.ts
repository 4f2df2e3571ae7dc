import { afterEach, describe, expect, it } from 'vitest';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';
import { ok, T0 } from '../support/engine.ts';

let harness: TestApp | undefined;
afterEach(() => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

/** Four markets tagged ai, each resolved Yes: ann states 80% on three of them, bob 60% on two, cy 90% on one. */
function lines(h: TestApp): string[] {
  const script: string[] = [];
  for (const n of [1, 2, 3, 4]) {
    const id = `claim-${n}`;
    // /market open takes no tags (claim packs bring them), so the markets are opened directly.
    const mod = { realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: T0 };
    ok(h.app.service.openMarket({ id, question: `Will claim ${n} hold?`, criteria: 'x', closesAt: T0 + 1000, tags: ['ai'] }, mod));
    script.push('/as ann');
    if (n <= 3) script.push(`/forecast market:${id} probability:80`);
    script.push('/as bob');
    if (n <= 2) script.push(`/forecast market:${id} probability:60`);
    script.push('/as cy');
    if (n === 1) script.push(`/forecast market:${id} probability:90`);
    script.push('/as mod --moderator', `/mod resolve market:${id} outcome:Yes evidence:x`);
  }
  return script;
}

describe('/leaderboard by a score', () => {
  it('lists only members with at least CRUX_LEADERBOARD_MIN_MARKETS scored markets, with the count beside each score', async () => {
    const h = (harness = testApp({ CRUX_LEADERBOARD_MIN_MARKETS: '2' }));
    const out = await driveConsole(h, [...lines(h), '/leaderboard by:brier', '/leaderboard by:baseline']);
    // Brier: ann (0.8 - 1)^2 = 0.04 on three markets, bob (0.6 - 1)^2 = 0.16 on two; cy has one market and is left off.
    expect(out).toContain('┌ Leaderboard — mean time-averaged Brier (lower is better)\n│ 🥇 ann — 0.040 over 3 markets\n│ 🥈 bob — 0.160 over 2 markets\n└ Members with at least 2 scored markets.');
    // Baseline: 100 (1 + log2 p), ann 67.8, bob 26.3: each forecast stood over the whole (zero-length) window.
    expect(out).toContain(`│ 🥇 ann — ${(100 * (1 + Math.log2(0.8))).toFixed(1)} over 3 markets\n│ 🥈 bob — ${(100 * (1 + Math.log2(0.6))).toFixed(1)} over 2 markets\n└`);
    expect(out).not.toMatch(/cy — .* over 1 market/);
  });

  it('says how many markets it takes when nobody has that many yet', async () => {
    const h = (harness = testApp());
    const out = await driveConsole(h, [...lines(h), '/leaderboard by:peer', '/calibration user:ann tag:bio', '/calibration user:ann tag:ai format:csv']);
    // The default minimum is 3: ann has exactly three scored markets; bob two, cy one.
    expect(out).toMatch(/┌ Leaderboard — mean peer score \(higher is better\)\n│ 🥇 ann — -?\d+\.\d over 3 markets\n└/);
    expect(out).toContain('ann has no scored forecasts on markets tagged bio yet');
    expect(out).toContain('┌ Calibration of ann — ai\n│ Markets scored: 3');
  });
});
