import { describe, expect, it } from 'vitest';
import { findCommand } from '../../bot/commands/index.ts';
import { citedNumbers } from '../../markets/evidence/evidence.ts';
import { checkEvidenceUrl } from '../../markets/evidence/url.ts';
import { marketCard } from '../../bot/render/market-card.ts';
import type { Context } from '../../markets/use-case.ts';
import { testApp } from '../support/app.ts';
import { DAY, failure, ok, T0 } from '../support/engine.ts';

const member = (userId: string, now = T0): Context => ({ realm: 'g1', actor: { userId, displayName: userId, isModerator: false }, now });
const moderator = (userId: string): Context => ({ realm: 'g1', actor: { userId, displayName: userId, isModerator: true }, now: T0 });

function withMarket() {
  const harness = testApp();
  const { app } = harness;
  ok(app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, member('alice')));
  return harness;
}

describe('evidence links', () => {
  it('accepts public http(s) links and refuses other schemes, credentials, localhost and private or loopback literals', () => {
    expect(checkEvidenceUrl(' https://example.org/paper ')).toBe('https://example.org/paper');
    expect(checkEvidenceUrl('http://93.184.216.34/x')).toBe('http://93.184.216.34/x');
    for (const bad of [
      'ftp://example.org/x',
      'javascript:alert(1)',
      'not a url',
      'https://user:pw@example.org/',
      'http://localhost:8080/',
      'http://api.localhost/',
      'http://127.0.0.1/',
      'http://10.1.2.3/',
      'http://172.20.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
    ]) {
      expect(() => checkEvidenceUrl(bad), bad).toThrow();
    }
    expect(checkEvidenceUrl('http://172.32.0.1/report')).toBe('http://172.32.0.1/report');
    expect(() => checkEvidenceUrl('http://100.64.0.1/')).toThrow('private or local address');
  });
});

describe('evidence on a market', () => {
  it('records who, when, stance, note and the price then; lists newest first; the card counts for and against', () => {
    const { app } = withMarket();
    ok(app.evidence.add({ marketId: 'rome', url: 'https://example.org/a', stance: 'for', note: 'a preprint' }, member('bob')));
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 40_000 }, member('bob')));
    const second = ok(app.evidence.add({ marketId: 'rome', url: 'https://example.org/b', stance: 'against' }, member('carol', T0 + 1000)));
    expect(second.item).toMatchObject({ number: 2, stance: 'against', note: null, addedBy: 'carol', addedAt: T0 + 1000 });
    expect(second.item.pricesThen[0]).toBeGreaterThan(0.5);

    const { items } = app.evidence.list('g1', 'rome', false);
    expect(items.map((item) => [item.number, item.stance, item.note])).toEqual([
      [2, 'against', null],
      [1, 'for', 'a preprint'],
    ]);
    expect(items[1]?.pricesThen[0]).toBeCloseTo(0.5, 6);

    const card = marketCard(app.views.market('g1', 'rome'));
    const field = card.fields?.find((f) => f.name === 'Evidence')?.value ?? '';
    expect(field).toContain('1 for · 1 against · 0 context');
    expect(field).toContain('#2');
  });

  it('refuses a long note and an unknown market, and another realm cannot see the market', () => {
    const { app } = withMarket();
    expect(failure(app.evidence.add({ marketId: 'rome', url: 'https://example.org/a', stance: 'for', note: 'x'.repeat(301) }, member('bob'))).code).toBe('invalid_input');
    expect(failure(app.evidence.add({ marketId: 'rome', url: 'https://example.org/a', stance: 'for' }, { ...member('bob'), realm: 'g2' })).code).toBe('unknown_market');
  });

  it('lets moderators hide an item with a reason; it leaves the card and the members’ list but stays in the record', () => {
    const { app } = withMarket();
    ok(app.evidence.add({ marketId: 'rome', url: 'https://spam.example/buy', stance: 'for' }, member('mallory')));
    expect(failure(app.evidence.hide('rome', 1, 'spam', member('bob'))).code).toBe('not_moderator');
    expect(failure(app.evidence.hide('rome', 1, '  ', moderator('mod'))).code).toBe('invalid_input');
    ok(app.evidence.hide('rome', 1, 'spam', moderator('mod')));
    expect(app.evidence.list('g1', 'rome', false).items).toEqual([]);
    expect(app.evidence.list('g1', 'rome', true).items[0]?.hidden).toEqual({ by: 'mod', at: T0, reason: 'spam' });
    expect(marketCard(app.views.market('g1', 'rome')).fields?.some((f) => f.name === 'Evidence')).toBe(false);
    expect(failure(app.evidence.hide('rome', 1, 'again', moderator('mod'))).code).toBe('invalid_input');
  });
});

describe('a resolution citing evidence', () => {
  it('reads "#n" citations, not URL fragments', () => {
    expect(citedNumbers('#2 and (#5), see #2; https://example.org/#7 or page#8')).toEqual([2, 5]);
  });

  it('shows the cited items on the settlement card, and refuses a number the market has not, settling nothing', async () => {
    const { app } = withMarket();
    ok(app.evidence.add({ marketId: 'rome', url: 'https://example.org/replication', stance: 'for', note: 'the paper' }, member('bob')));
    const mod = findCommand('mod');
    const resolve = (evidence: string) =>
      mod?.execute(
        {
          command: 'mod',
          subcommand: 'resolve',
          options: { market: 'rome', outcome: 'Yes', evidence },
          actor: { userId: 'mod', displayName: 'mod', isModerator: true },
          realm: 'g1',
          guildId: 'g1',
          channelId: 'c1',
          requestId: `r-${evidence}`,
          now: T0,
        },
        app,
      );
    expect(() => resolve('as shown in #4')).toThrow('has no evidence #4');
    expect(app.views.market('g1', 'rome').market.status).toBe('open');
    const reply = await resolve('as shown in #1');
    const field = reply?.cards[0]?.fields?.find((f) => f.name === 'Cited evidence')?.value ?? '';
    expect(field).toContain('#1 for');
    expect(field).toContain('<https://example.org/replication> — the paper');
  });
});
