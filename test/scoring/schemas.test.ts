import { describe, expect, it } from 'vitest';
import {
  FORECAST_DEFINITION,
  ForecastSchema,
  PricePointSchema,
  SCORING_DEFINITIONS,
  ScoredMarketSchema,
} from '../../markets/scoring/index.ts';

describe('schemas for re-imported exports', () => {
  it('accepts a forecast whose probabilities sum to 1 within rounding', () => {
    const forecast = { userId: 'u', marketId: 'm', at: 1_700_000_000_000, probabilities: [0.1, 0.2, 0.7000001] };
    expect(ForecastSchema.parse(forecast)).toEqual(forecast);
  });

  it.each([
    ['probabilities not summing to 1', { probabilities: [0.5, 0.6] }],
    ['a negative probability', { probabilities: [-0.1, 1.1] }],
    ['a single outcome', { probabilities: [1] }],
    ['a fractional time', { at: 1.5 }],
    ['an empty user id', { userId: '' }],
  ])('rejects a forecast with %s', (_reason, override) => {
    const forecast = { userId: 'u', marketId: 'm', at: 0, probabilities: [0.5, 0.5], ...override };
    expect(ForecastSchema.safeParse(forecast).success).toBe(false);
  });

  it('accepts a resolved market and rejects impossible ones', () => {
    const market = { marketId: 'm', outcomes: ['Yes', 'No'], openedAt: 0, closesAt: 10, resolvedOutcome: 1 };
    expect(ScoredMarketSchema.parse(market)).toEqual(market);
    expect(ScoredMarketSchema.safeParse({ ...market, resolvedOutcome: 2 }).success).toBe(false);
    expect(ScoredMarketSchema.safeParse({ ...market, closesAt: -1 }).success).toBe(false);
    expect(ScoredMarketSchema.safeParse({ ...market, openedAt: 11 }).success).toBe(false);
    // a cancelled market has no resolved outcome and cannot be expressed
    expect(ScoredMarketSchema.safeParse({ ...market, resolvedOutcome: null }).success).toBe(false);
  });

  it('parses price points', () => {
    expect(PricePointSchema.safeParse({ at: 0, probabilities: [0.25, 0.75] }).success).toBe(true);
  });
});

describe('definitions', () => {
  it('states the forecast definition once, quoted by the full set', () => {
    expect(FORECAST_DEFINITION).toBe(
      "A user's forecast is the market probability right after each of their trades (the price they moved the market to), " +
        'or an explicit forecast they state without betting; it holds until replaced.',
    );
    expect(SCORING_DEFINITIONS.forecast).toBe(FORECAST_DEFINITION);
    expect(SCORING_DEFINITIONS.logScore).toContain('ln(1e-9) = -20.72');
  });
});
