import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { exportChunks } from '../../bot/export/exports.ts';
import { applyDueProposals, pollSources, quietJobHooks, type JobHooks } from '../../bot/jobs.ts';
import { marketCard } from '../../bot/render/market-card.ts';
import { renderPriceHistoryChart } from '../../bot/render/charts.ts';
import { ScoringStore } from '../../db/scoring-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { currentPrices } from '../../markets/market.ts';
import type { SourceCheck } from '../../markets/sources/index.ts';
import { mapOdds } from '../../markets/sources/odds.ts';
import type { Context } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const moderator: Context = { realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: T0 };

let harness: TestApp | undefined;
afterEach(() => {
  harness?.db.close();
  harness = undefined;
});

describe('mapping outside odds onto a market', () => {
  it('maps labels one to one, ignoring case, and refuses any other shape', () => {
    expect(mapOdds([{ label: 'NO', probability: 0.62 }, { label: 'YES', probability: 0.38 }], ['Yes', 'No'])).toEqual([0.38, 0.62]);
    // An answer we do not have, one missing, a label matching twice, or probabilities that do not add up: nothing.
    expect(mapOdds([{ label: 'YES', probability: 0.4 }, { label: 'NO', probability: 0.3 }, { label: 'Maybe', probability: 0.3 }], ['Yes', 'No'])).toBeNull();
    expect(mapOdds([{ label: 'A', probability: 0.5 }, { label: 'B', probability: 0.5 }], ['Yes', 'No'])).toBeNull();
    expect(mapOdds([{ label: 'yes', probability: 0.5 }, { label: 'YES', probability: 0.5 }], ['Yes', 'No'])).toBeNull();
    expect(mapOdds([{ label: 'YES', probability: 0.7 }, { label: 'NO', probability: 0.7 }], ['Yes', 'No'])).toBeNull();
  });
});

function hooksAnswering(answers: Record<string, SourceCheck>, clock: { now: number }): JobHooks {
  return quietJobHooks({
    now: () => clock.now,
    checkSource: async (ref) => answers[ref.kind] ?? { kind: 'error', message: 'no answer', reason: 'no answer' },
  });
}

describe('outside odds beside ours', () => {
  it('the poller keeps each platform\'s odds with their time; the card, chart and export show them; Crux\'s price and status never move', async () => {
    const t = (harness = testApp());
    const opened = ok(
      t.app.resolution.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'x', closesAt: T0 + 30 * DAY }, 'https://manifold.markets/Austin/rome-replicates', moderator),
    );
    ok(t.app.resolution.linkSource('rome', 'https://polymarket.com/market/rome-replicates', moderator));
    ok(t.app.resolution.linkSource('rome', 'https://www.metaculus.com/questions/3479/', moderator));
    const before = currentPrices(opened);
    const clock = { now: T0 + HOUR };
    const answers: Record<string, SourceCheck> = {
      manifold: { kind: 'pending', detail: 'open', odds: [{ label: 'YES', probability: 0.38 }, { label: 'NO', probability: 0.62 }] },
      polymarket: { kind: 'pending', detail: 'open', odds: [{ label: 'Yes', probability: 0.41 }, { label: 'No', probability: 0.59 }] },
      // A shape Crux cannot map shows nothing.
      metaculus: { kind: 'pending', detail: 'open', odds: [{ label: 'Up', probability: 0.5 }, { label: 'Down', probability: 0.5 }] },
    };
    await pollSources(t.app, hooksAnswering(answers, clock));
    // Two hours on, every source is due again (they are read every 30 minutes) and Manifold has moved.
    clock.now = T0 + 3 * HOUR;
    answers['manifold'] = { kind: 'pending', detail: 'open', odds: [{ label: 'YES', probability: 0.45 }, { label: 'NO', probability: 0.55 }] };
    await pollSources(t.app, hooksAnswering(answers, clock));
    expect(await applyDueProposals(t.app, hooksAnswering(answers, clock))).toEqual([]);

    const view = t.app.views.market('console', 'rome');
    expect(view.market.status).toBe('open');
    expect(view.prices).toEqual(before);
    const { history, latest } = t.app.resolution.outsideOdds(view.market.id);
    expect(history.map((reading) => [reading.kind, reading.at, reading.probabilities[0]])).toEqual([
      ['manifold', T0 + HOUR, 0.38],
      ['polymarket', T0 + HOUR, 0.41],
      ['manifold', T0 + 3 * HOUR, 0.45],
      ['polymarket', T0 + 3 * HOUR, 0.41],
    ]);
    expect(latest.map((reading) => reading.kind)).toEqual(['manifold', 'polymarket']);
    const outside = marketCard(view).fields?.find((field) => field.name === 'Outside odds')?.value;
    expect(outside).toBe(`Manifold 45% · Polymarket 41% · <t:${(T0 + 3 * HOUR) / 1000}:R>`);

    const scoring = new ScoringStore(new SqliteStore(t.db));
    const text = [...exportChunks('markets', { scoring, forecasts: t.app.forecasts }, { format: 'json', guildId: null, generatedAt: clock.now })].join('');
    const [row] = (JSON.parse(text) as { markets: Record<string, unknown>[] }).markets;
    expect(row).toMatchObject({
      manifold_probabilities: [0.45, 0.55],
      manifold_at: new Date(T0 + 3 * HOUR).toISOString(),
      polymarket_probabilities: [0.41, 0.59],
      polymarket_at: new Date(T0 + 3 * HOUR).toISOString(),
      metaculus_probabilities: null,
      metaculus_at: null,
    });
  });

  it('draws outside odds as dashed series beside the market\'s own', async () => {
    const points = [{ at: T0, probabilities: [0.5, 0.5] }];
    const plain = PNG.sync.read(await renderPriceHistoryChart({ question: 'Q?', outcomes: ['Yes', 'No'], points, endAt: T0 + DAY }));
    const withOutside = PNG.sync.read(
      await renderPriceHistoryChart({
        question: 'Q?',
        outcomes: ['Yes', 'No'],
        points,
        endAt: T0 + DAY,
        outside: [{ label: 'Manifold', points: [{ at: T0 + HOUR, probabilities: [0.1, 0.9] }, { at: T0 + 20 * HOUR, probabilities: [0.2, 0.8] }] }],
      }),
    );
    const differing = plain.data.reduce((n, byte, i) => n + (byte === withOutside.data[i] ? 0 : 1), 0);
    expect(differing).toBeGreaterThan(1000);
  });
});
