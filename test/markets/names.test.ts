import { afterEach, describe, expect, it } from 'vitest';
import { normaliseName } from '../../markets/names.ts';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';
import { DAY, failure, ok, T0, testEngine, type TestEngine } from '../support/engine.ts';

const market = { question: 'Did the ROME agent seek power?', criteria: 'YES if the logs show it.', closesAt: T0 + 30 * DAY };

let engine: TestEngine | undefined;
let harness: TestApp | undefined;
afterEach(() => {
  engine?.assertVerified();
  engine?.db.close();
  engine = undefined;
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

describe('names as members read them', () => {
  it('folds compatibility forms and drops zero-width and bidirectional control characters', () => {
    expect(normaliseName('Yes\u200b')).toBe('Yes');
    expect(normaliseName('\u202eseY\u202c')).toBe('seY');
    expect(normaliseName('\u2066Yes\u2069 \u200d')).toBe('Yes');
    expect(normaliseName('Ｙｅｓ')).toBe('Yes');
    expect(normaliseName('ﬁnal\u00a0 answer\ufeff')).toBe('final answer');
    expect(normaliseName('Tag\u{E0041}s')).toBe('Tags');
    expect(normaliseName('Ja, sí — 是')).toBe('Ja, sí — 是');
  });

  it('refuses outcomes that look the same once normalised, and writes nothing', () => {
    engine = testEngine();
    const alice = engine.member('alice');
    for (const outcomes of [['Yes', 'Yes\u200b'], ['Yes', '\u202eYes'], ['Ｙｅｓ', 'yes'], ['Yes', 'No', 'No\u00ad']]) {
      const refused = failure(engine.service.openMarket({ ...market, outcomes }, alice));
      expect(refused.code).toBe('invalid_input');
      expect(refused.message).toMatch(/^outcomes: outcomes must differ, and "(Yes|yes|No)" is given twice/);
    }
    expect(failure(engine.service.openMarket({ ...market, outcomes: ['Yes', '\u200b'] }, alice)).message).toBe('outcomes.1: An outcome must be at least 1 character.');
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM markets').get()).toEqual({ n: 0 });
  });

  it('stores the question, outcomes, tags and id normalised', () => {
    engine = testEngine();
    const opened = ok(
      engine.service.openMarket(
        { ...market, id: 'ｒｏｍｅ', question: 'Did the \u202eROME\u202c agent seek power?\u200b', outcomes: ['Ｙｅｓ', 'No\u2060'], tags: ['ali\u200bgnment'] },
        engine.member('alice'),
      ),
    );
    expect(opened).toMatchObject({ id: 'rome', question: 'Did the ROME agent seek power?', outcomes: ['Yes', 'No'], tags: ['alignment'] });
  });

  it('in the console, refuses outcomes:Yes,Yes<zero-width space> and finds a market and outcome named with invisible characters', async () => {
    const h = (harness = testApp());
    const out = await driveConsole(h, [
      '/market open question:Did ROME seek power? criteria:YES if the logs show it. closes:2030-01-01 outcomes:Yes,Yes\u200b',
      '/market open question:Did ROME seek power? criteria:YES if the logs show it. closes:2030-01-01',
      '/bet market:rome-seek-power\u200b outcome:\u202eYes amount:5',
    ]);
    expect(out).toContain('⚠️ outcomes: outcomes must differ, and "Yes" is given twice');
    expect(out).toContain('you bought');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM markets').get()).toEqual({ n: 1 });
  });
});
