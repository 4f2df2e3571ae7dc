import { describe, expect, it } from 'vitest';
import type { Context } from '../../markets/service.ts';
import { testApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';

const as = (realm: string, userId: string, isModerator: boolean, now = T0): Context => ({ realm, actor: { userId, isModerator }, now });

describe('per-server settings', () => {
  it('reads the environment until a server sets its own, records each change, and leaves other servers alone', () => {
    const t = testApp({ CRUX_STARTING_GRANT: '250', CRUX_MODERATOR_ROLE: 'Forecasters' });
    const { realms } = t.app;
    expect(realms.settingsOf('111')).toMatchObject({
      values: { startingGrant: 250_000, moderatorRole: 'Forecasters', marketChannel: null },
      sources: { startingGrant: 'default', moderatorRole: 'default' },
    });

    const changed = realms.update({ starting_grant: '75.5', market_channel: '<#123456789>', moderator_role: 'none' }, as('111', 'mod', true, T0 + 1));
    expect(changed.ok && changed.value.changes.map(({ key, from, to }) => [key, from, to])).toEqual([
      ['startingGrant', null, 75_500],
      ['marketChannel', null, '123456789'],
      ['moderatorRole', null, null],
    ]);
    expect(realms.settingsOf('111')).toMatchObject({
      values: { startingGrant: 75_500, marketChannel: '123456789', moderatorRole: null },
      sources: { startingGrant: 'server', marketChannel: 'server', moderatorRole: 'server', dailyAllowance: 'default' },
    });
    expect(realms.values('222').startingGrant).toBe(250_000);

    // The same value again changes nothing and records nothing; "default" goes back to the environment's.
    const again = realms.update({ starting_grant: '75.5' }, as('111', 'mod', true, T0 + 2));
    expect(again.ok && again.value.changes).toEqual([]);
    const reset = realms.update({ starting_grant: 'default' }, as('111', 'mod', true, T0 + 3));
    expect(reset.ok && reset.value.changes.map(({ from, to }) => [from, to])).toEqual([[75_500, null]]);
    expect(realms.settingsOf('111').sources.startingGrant).toBe('default');
    expect(realms.history('111', 10).map(({ key, changedAt }) => [key, changedAt])).toEqual([
      ['startingGrant', T0 + 3],
      ['moderatorRole', T0 + 1],
      ['marketChannel', T0 + 1],
      ['startingGrant', T0 + 1],
    ]);
    expect(realms.history('222', 10)).toEqual([]);
  });

  it('refuses members, unknown settings and bad values in words, and writes nothing', () => {
    const t = testApp();
    const { realms } = t.app;
    const refused = (options: Record<string, unknown>, context = as('111', 'mod', true)) => {
      const result = realms.update(options, context);
      return result.ok ? 'accepted' : result.error.message;
    };
    expect(refused({ starting_grant: '5' }, as('111', 'ann', false))).toBe("Only moderators can change the server settings.");
    expect(refused({ colour: 'red' })).toBe('There is no setting `colour`.');
    expect(refused({ starting_grant: '-5' })).toBe('Starting grant: cannot be negative.');
    expect(refused({ default_liquidity: '2' })).toBe('Default liquidity: at least 10.');
    expect(refused({ market_channel: 'general' })).toBe('Market channel: a channel (mention it, or give its id).');
    // One bad value refuses the whole change.
    expect(refused({ starting_grant: '10', rate_limit: 'lots' })).toBe('Rate limit: give a whole number.');
    expect(realms.history('111', 10)).toEqual([]);
    expect(realms.values('111').startingGrant).toBe(1_000_000);
  });

  it('grants a new member the starting grant their server has now, and never changes an existing balance', () => {
    const t = testApp();
    const { service, realms, views } = t.app;
    expect(service.account(as('111', 'ann', false)).ok).toBe(true);
    expect(realms.update({ starting_grant: '10' }, as('111', 'mod', true)).ok).toBe(true);
    expect(service.account(as('111', 'ben', false)).ok).toBe(true);
    expect(views.portfolio('111', 'ann').balance).toBe(1_000_000);
    expect(views.portfolio('111', 'ben').balance).toBe(10_000);
    t.assertVerified();
  });
});
