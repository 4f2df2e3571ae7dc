import { describe, expect, it } from 'vitest';
import type { Context } from '../../markets/service.ts';
import { testApp } from '../support/app.ts';
import { DAY, T0 } from '../support/engine.ts';

const ALPHA = '111111111111111111';
const BETA = '222222222222222222';

const as = (realm: string, userId: string, displayName: string, isModerator = false, now = T0): Context => ({
  realm,
  actor: { userId, displayName, isModerator },
  now,
});

describe("a member's name on a server's boards", () => {
  it('is the one they used in that server, never their nickname in another', () => {
    const { app } = testApp();
    const openIn = (realm: string) =>
      app.service.openMarket({ question: 'Will it rain?', criteria: 'If it rains.', closesAt: T0 + DAY, guildId: realm }, as(realm, 'mod', 'mod', true));
    const inAlpha = openIn(ALPHA);
    const inBeta = openIn(BETA);
    if (!inAlpha.ok || !inBeta.ok) throw new Error('the markets did not open');
    // Stating a forecast opens no account, so the boards name such a member by their forecasts.
    expect(app.forecasts.state({ marketId: inAlpha.value.slug, probability: 0.8 }, as(ALPHA, 'u1', 'AlphaNick', false, T0 + 1)).ok).toBe(true);
    expect(app.forecasts.state({ marketId: inBeta.value.slug, probability: 0.3 }, as(BETA, 'u1', 'SecretBetaNick', false, T0 + 2)).ok).toBe(true);
    expect(app.service.resolveMarket(inAlpha.value.slug, 'Yes', 'https://example.org/rain', as(ALPHA, 'mod', 'mod', true, T0 + 3)).ok).toBe(true);

    expect(app.forecasts.board({ guildId: ALPHA, by: 'brier', minMarkets: 1, limit: 10 }).map((row) => row.displayName)).toEqual(['AlphaNick']);
    expect(app.forecasts.scoredUser('u1', ALPHA)?.displayName).toBe('AlphaNick');
  });
});
