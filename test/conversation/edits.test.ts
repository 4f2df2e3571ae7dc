import { describe, expect, it } from 'vitest';
import { marketCard } from '../../bot/render/market-card.ts';
import type { Context } from '../../markets/use-case.ts';
import { testApp } from '../support/app.ts';
import { DAY, failure, ok, T0 } from '../support/engine.ts';

const member = (userId: string, now = T0): Context => ({ realm: 'g1', actor: { userId, displayName: userId, isModerator: false }, now });
const moderator = (userId: string, now = T0): Context => ({ realm: 'g1', actor: { userId, displayName: userId, isModerator: true }, now });

function withMarket() {
  const harness = testApp();
  ok(harness.app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, member('alice')));
  return harness;
}

const dmNotices = (harness: ReturnType<typeof testApp>, userId: string) =>
  (harness.db.prepare(`SELECT notices FROM outbox WHERE target = 'dm' AND user_id = ?`).all(userId) as { notices: string }[]).flatMap(
    (row) => JSON.parse(row.notices) as { kind: string }[],
  );

describe('careful edits', () => {
  it('lets the creator edit while nobody else has traded, records every field, and the card says edited', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 5_000 }, member('alice')));
    const { edits } = ok(app.edits.edit({ marketId: 'rome', question: 'Will ROME replicate by 2027?', addTag: 'Evals' }, member('alice', T0 + 1)));
    expect(edits).toEqual([
      { field: 'question', from: 'Will ROME replicate?', to: 'Will ROME replicate by 2027?', reason: null, editedBy: 'alice', editedAt: T0 + 1 },
      { field: 'tags', from: '', to: 'evals', reason: null, editedBy: 'alice', editedAt: T0 + 1 },
    ]);
    expect(app.edits.history('g1', 'rome').edits).toEqual(edits);
    const view = app.views.market('g1', 'rome');
    expect(view.market.question).toBe('Will ROME replicate by 2027?');
    expect(marketCard(view).footer).toContain('edited');
    expect(failure(app.edits.edit({ marketId: 'rome', question: 'Will ROME replicate by 2027?' }, member('alice'))).code).toBe('invalid_input');
  });

  it('after others trade only a moderator may edit, with a reason, and the holders are told', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 5_000 }, member('bob')));
    expect(failure(app.edits.edit({ marketId: 'rome', criteria: 'Anything.' }, member('alice'))).code).toBe('not_moderator');
    expect(failure(app.edits.edit({ marketId: 'rome', criteria: 'Anything.' }, member('bob'))).code).toBe('not_moderator');
    expect(failure(app.edits.edit({ marketId: 'rome', criteria: 'Anything.' }, moderator('mod'))).code).toBe('invalid_input');
    expect(dmNotices(harness, 'bob')).toEqual([]);
    ok(app.edits.edit({ marketId: 'rome', criteria: 'A second, independent team.', reason: 'clarity' }, moderator('mod')));
    expect(dmNotices(harness, 'bob')).toEqual([expect.objectContaining({ kind: 'edit', field: 'criteria', reason: 'clarity' })]);
    expect(dmNotices(harness, 'mod')).toEqual([]);
  });

  it('moves the close: the close job closes at the new time, and a settled market is no longer edited', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.edits.edit({ marketId: 'rome', closesAt: T0 + 2 * DAY }, member('alice')));
    expect(ok(app.service.closeDueMarkets(T0 + DAY))).toEqual([]);
    expect(ok(app.service.closeDueMarkets(T0 + 2 * DAY)).map((m) => m.slug)).toEqual(['rome']);
    expect(failure(app.edits.edit({ marketId: 'rome', closesAt: T0 + 9 * DAY, reason: 'more time' }, moderator('mod', T0 + 3 * DAY))).code).toBe('market_not_open');
    ok(app.service.cancelMarket('rome', 'ill-posed', moderator('mod', T0 + 3 * DAY)));
    expect(failure(app.edits.edit({ marketId: 'rome', question: 'Other?', reason: 'x' }, moderator('mod', T0 + 3 * DAY))).code).toBe('market_settled');
  });
});
