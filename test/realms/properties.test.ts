import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import { testApp } from '../support/app.ts';
import { DAY, T0 } from '../support/engine.ts';

const REALMS = ['111', '222', 'console'] as const;
const MEMBERS = ['ann', 'ben', 'cat'];

const context = (realm: string, userId: string, isModerator = false): Context => ({
  realm,
  actor: { userId, displayName: userId, isModerator },
  now: T0,
});

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('open' as const), realm: fc.nat() }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('bet' as const), realm: fc.nat(), market: fc.nat(), member: fc.nat(), yes: fc.boolean(), credits: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sell' as const), realm: fc.nat(), market: fc.nat(), member: fc.nat(), yes: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), realm: fc.nat(), market: fc.nat(), yes: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), realm: fc.nat(), market: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('correct' as const), realm: fc.nat(), market: fc.nat(), yes: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grant' as const), realm: fc.nat(), credits: fc.integer({ min: 0, max: 5_000 }) }) },
  // A market named from the wrong realm: always refused as unknown, and nothing moves.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trespass' as const), realm: fc.nat(), market: fc.nat(), member: fc.nat() }) },
);

describe('realms keep their books apart', () => {
  it('closes every realm’s books after random operations across three realms, and no ledger row crosses realms', () => {
    let trades = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
        const t = testApp();
        const { service, resolution, realms } = t.app;
        const markets: { realm: string; slug: string }[] = [];
        const open = (realm: string) => {
          const opened = service.openMarket({ question: `Same question in every realm?`, criteria: 'x', closesAt: T0 + DAY }, context(realm, 'mod', true));
          if (opened.ok) markets.push({ realm, slug: opened.value.slug });
        };
        // One market in each realm from the start, so that the bets drawn find one to trade on whatever their order.
        for (const realm of REALMS) open(realm);
        for (const o of ops) {
          const realm = REALMS[o.realm % REALMS.length]!;
          const mod = context(realm, 'mod', true);
          if (o.kind === 'open') {
            open(realm);
            continue;
          }
          if (o.kind === 'grant') {
            expect(realms.update({ starting_grant: String(o.credits) }, mod).ok).toBe(true);
            continue;
          }
          const own = markets.filter((market) => market.realm === realm);
          const market = own[o.market % Math.max(1, own.length)];
          if (o.kind === 'trespass') {
            const elsewhere = markets.filter((m) => m.realm !== realm)[o.market % Math.max(1, markets.length)];
            if (!elsewhere || own.some((m) => m.slug === elsewhere.slug)) continue;
            const before = verify(t.db).entries;
            const member = context(realm, MEMBERS[o.member % MEMBERS.length]!, true);
            const tries = [
              service.buy({ marketId: elsewhere.slug, outcome: 'Yes', amount: creditsToMillis(10) }, member),
              service.closeMarket(elsewhere.slug, member),
              service.resolveMarket(elsewhere.slug, 'Yes', 'e', member),
              service.cancelMarket(elsewhere.slug, 'r', member),
            ];
            for (const result of tries) expect(result.ok ? 'ok' : result.error.code).toBe('unknown_market');
            expect(verify(t.db).entries).toBe(before);
            continue;
          }
          if (!market) continue;
          if (o.kind === 'bet' || o.kind === 'sell') {
            const member = context(realm, MEMBERS[o.member % MEMBERS.length]!);
            const outcome = o.yes ? 'Yes' : 'No';
            const result =
              o.kind === 'bet'
                ? service.buy({ marketId: market.slug, outcome, amount: creditsToMillis(o.credits) }, member)
                : service.sell({ marketId: market.slug, outcome }, member);
            if (result.ok) trades++;
          } else if (o.kind === 'resolve') service.resolveMarket(market.slug, o.yes ? 'Yes' : 'No', 'e', mod);
          else if (o.kind === 'cancel') service.cancelMarket(market.slug, 'r', mod);
          else resolution.correctResolution(market.slug, o.yes ? { outcome: 'Yes' } : { cancel: true }, 'e', mod);
        }
        const report = verify(t.db);
        expect(report.problems).toEqual([]);
        for (const books of report.realms) expect(books.held).toBe(books.minted);
        // Independently of verify: every row is between accounts of one realm, or with the mint.
        const crossing = t.db
          .prepare(
            `SELECT COUNT(*) AS n FROM ledger l JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
             WHERE f.kind <> 'mint' AND t.kind <> 'mint' AND f.realm IS NOT t.realm`,
          )
          .get() as { n: number };
        expect(crossing.n).toBe(0);
        t.db.close();
      }),
      { numRuns: 60 },
    );
    expect(trades).toBeGreaterThan(100);
  });

  it('reports a ledger row that moves credits from one realm to another, and the books it unbalances', () => {
    const t = testApp();
    const a = context('111', 'ann');
    const b = context('222', 'ann');
    expect(t.app.service.account(a).ok && t.app.service.account(b).ok).toBe(true);
    t.db.prepare("INSERT INTO ledger (at, from_account, to_account, amount, reason) VALUES (0, 'user:111:ann', 'user:222:ann', 500, 'grant')").run();
    t.db.prepare("UPDATE accounts SET balance = balance - 500 WHERE id = 'user:111:ann'").run();
    t.db.prepare("UPDATE accounts SET balance = balance + 500 WHERE id = 'user:222:ann'").run();
    const report = verify(t.db);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain('ledger entry 3 (grant) moves credits from realm 111 to realm 222');
    expect(report.problems).toContain('realm 111: its accounts hold 999500 but the ledger brought 1000000 into it');
  });
});
