import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { exportChunks, type ExportKind } from '../../bot/export/exports.ts';
import { csvChunks, type ExportFormat, isoTime } from '../../bot/export/format.ts';
import { LedgerExportSchema, replayLedgerExport } from '../../markets/exports.ts';
import { toScoredMarket } from '../../markets/forecasts.ts';
import { FORECAST_DEFINITION, SCORING_DEFINITIONS, scoreCrowd, summariseUsers } from '../../markets/scoring/index.ts';
import { ok, T0, type TestEngine, testEngine } from '../support/engine.ts';
import { GUILD, HOUR, OTHER_GUILD, playScoringFixture, scoringOf } from '../support/scoring-fixture.ts';
import { runScript, spawnScript } from '../support/process.ts';
import { verify } from '../../db/verify.ts';
import { openDatabase } from '../../db/open.ts';
import { creditsToMillis } from '../../markets/money.ts';

let engine: TestEngine | undefined;
let folder: string | undefined;
afterEach(() => {
  engine?.db.close();
  engine = undefined;
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

function played(path = ':memory:') {
  const e = (engine = testEngine({}, path));
  const { scoring, forecasts } = scoringOf(e.store);
  playScoringFixture(e.service, forecasts);
  const text = (kind: ExportKind, format: ExportFormat, guildId: string | null = GUILD) =>
    [...exportChunks(kind, { scoring, forecasts }, { format, guildId, generatedAt: T0 + 9 * HOUR })].join('');
  return { e, scoring, forecasts, text };
}

/** The played fixture in a database file of its own folder (removed after the test), closed for a CLI to read. */
function playedFile(): { folder: string; database: string } {
  const made = mkdtempSync(join(tmpdir(), 'crux-export-'));
  folder = made;
  const database = join(made, 'crux.sqlite');
  played(database).e.db.close();
  engine = undefined;
  return { folder: made, database };
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): { comments: string[]; header: string[]; rows: Record<string, string>[] } {
  const lines = text.split('\n');
  const comments = lines.filter((line) => line.startsWith('# '));
  const body = lines.filter((line) => !line.startsWith('# ')).join('\n');
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') record.push(field), (field = '');
    else if (char === '\n') record.push(field), records.push(record), (record = []), (field = '');
    else field += char;
  }
  const [header = [], ...rows] = records;
  return { comments, header, rows: rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? '']))) };
}

describe('exports', () => {
  it('writes times exactly as toISOString does, at any instant', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: -8.64e15, max: 8.64e15 })), (epochMs) => {
        expect(isoTime(epochMs)).toBe(new Date(epochMs).toISOString());
      }),
      { numRuns: 5000 },
    );
    expect(isoTime(T0 + 1)).toBe('2026-11-24T12:00:00.001Z');
  });

  it('re-importing the JSON ledger export alone recomputes the same scores', () => {
    const { scoring, forecasts, text } = played();
    expectReplayMatches(scoring, forecasts, text);
  });

  it('re-importing recomputes the same scores with a market resolved to a probability, whose decider held a position', () => {
    const { e, scoring, forecasts, text } = played();
    const at = (hours: number, userId: string, isModerator = false) => ({ realm: GUILD, actor: { userId, displayName: userId, isModerator }, now: T0 + hours * HOUR });
    ok(e.service.openMarket({ id: 'split', question: 'Partly?', criteria: 'As judged.', closesAt: T0 + 100 * HOUR, guildId: GUILD, outcomes: ['A', 'B', 'C'] }, at(0, 'alice')));
    ok(e.service.buy({ marketId: 'split', outcome: 'A', amount: creditsToMillis(20) }, at(1, 'alice')));
    ok(e.service.buy({ marketId: 'split', outcome: 'B', amount: creditsToMillis(10) }, at(2, 'mod', true)));
    ok(e.service.resolveMarket('split', 'A', 'https://example.org/split', at(3, 'mod', true), { probabilities: 'A=60,B=30,C=10' }));
    const replayed = expectReplayMatches(scoring, forecasts, text);
    expect(replayed.markets.find((market) => market.marketId === 'split')?.resolvedProbabilities).toEqual([0.6, 0.3, 0.1]);
    const split = parseCsv(text('markets', 'csv')).rows.find((row) => row['market_id'] === 'split');
    expect(split).toMatchObject({ resolved_probabilities: '[0.6,0.3,0.1]', settlements_decided_by: '["mod"]', settlements_decider_held_position: '[1]' });
  });

  /** The scores recomputed from the JSON ledger export alone equal the database's; returns the replay. */
  function expectReplayMatches(scoring: ReturnType<typeof played>['scoring'], forecasts: ReturnType<typeof played>['forecasts'], text: ReturnType<typeof played>['text']) {
    const replayed = replayLedgerExport(LedgerExportSchema.parse(JSON.parse(text('ledger', 'json'))));
    expect(replayed.markets).toEqual([...scoring.markets(GUILD)].flatMap((market) => toScoredMarket(market) ?? []));
    const fromDatabase = forecasts.scoredUsers(GUILD).map(({ displayName: _name, profit: _profit, ...scores }) => scores);
    const fromExport = summariseUsers(replayed.markets, replayed.forecasts).map(({ profit: _profit, ...scores }) => scores);
    expect(fromExport).toEqual(fromDatabase);
    for (const market of replayed.markets) {
      expect(scoreCrowd(market, replayed.pricePaths.get(market.marketId) ?? [])).toEqual(scoreCrowd(market, scoring.pricePath(market.marketId)));
    }
    return replayed;
  }

  it('refuses a tampered ledger export instead of scoring it', () => {
    const { text } = played();
    const document = JSON.parse(text('ledger', 'json')) as { entries: { prices_after: number[] | null }[] };
    const trade = document.entries.find((entry) => entry.prices_after !== null);
    if (trade) trade.prices_after = [0.9, 0.9];
    expect(LedgerExportSchema.safeParse(document).success).toBe(false);
  });

  it('writes CSV with the definitions as comments, plain column names, ISO UTC times and quoted text', () => {
    const { text } = played();
    const markets = parseCsv(text('markets', 'csv'));
    expect(markets.comments[0]).toBe(`# Crux markets export, generated ${new Date(T0 + 9 * HOUR).toISOString()}`);
    expect(markets.comments).toContain(`# forecast: ${FORECAST_DEFINITION}`);
    expect(markets.comments).toContain(`# brier: ${SCORING_DEFINITIONS.brier}`);
    expect(markets.header).toEqual([
      'market_id', 'guild_id', 'question', 'outcomes', 'status', 'created_by', 'created_at', 'closes_at', 'closed_at',
      'resolved_outcome', 'resolved_outcome_index', 'resolved_probabilities', 'resolved_at', 'liquidity', 'condition_market_id', 'condition_outcome',
      'settlements_decided_by', 'settlements_decider_held_position', 'settlements_status', 'crowd_brier', 'crowd_log_score', 'crowd_final_brier', 'crowd_final_log_score',
      'manifold_probabilities', 'manifold_at', 'metaculus_probabilities', 'metaculus_at', 'polymarket_probabilities', 'polymarket_at',
    ]);
    const rome = markets.rows.find((row) => row['market_id'] === 'rome');
    expect(rome).toMatchObject({
      question: 'Will ROME "replicate", soon?',
      outcomes: '["Yes","No"]',
      status: 'resolved',
      created_at: '2026-11-24T12:00:00.000Z',
      closed_at: '2026-11-24T18:00:00.000Z',
      resolved_outcome: 'Yes',
      resolved_outcome_index: '0',
      resolved_probabilities: '[1,0]',
      settlements_decided_by: '["mod"]',
      settlements_decider_held_position: '[0]',
      settlements_status: '["applied"]',
    });
    expect(Number(rome?.['crowd_brier'])).toBeGreaterThan(0);
    expect(markets.rows.find((row) => row['market_id'] === 'void')).toMatchObject({ status: 'cancelled', crowd_brier: '', resolved_outcome: '' });

    const users = parseCsv(text('calibration', 'csv'));
    expect(users.header).toEqual([
      'user_id', 'guild_id', 'display_name', 'markets_forecast', 'mean_brier', 'mean_log_score', 'mean_relative_brier',
      'mean_final_brier', 'mean_final_log_score', 'mean_baseline_score', 'mean_peer_score', 'mean_coverage', 'profit_credits',
    ]);
    expect(users.rows.map((row) => row['user_id'])).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(new Set(users.rows.map((row) => row['guild_id']))).toEqual(new Set([GUILD]));
    // Without --guild, every realm's members, each row naming its server: alice is scored in both apart.
    const everywhere = parseCsv(text('calibration', 'csv', null));
    expect(everywhere.rows.filter((row) => row['user_id'] === 'alice').map((row) => row['guild_id'])).toEqual([GUILD, OTHER_GUILD]);
    const bob = users.rows.find((row) => row['user_id'] === 'bob');
    expect(Number(bob?.['mean_brier'])).toBeCloseTo((0.8 - 1) ** 2, 12);
    // Bob only stated a forecast: he never traded, so he made nothing, and he is named all the same.
    expect(bob).toMatchObject({ profit_credits: '0', display_name: 'bob' });

    const forecastRows = parseCsv(text('forecasts', 'csv'));
    expect(forecastRows.header).toEqual(['user_id', 'market_id', 'guild_id', 'at', 'source', 'seq', 'probabilities']);
    expect(new Set(forecastRows.rows.map((row) => row['guild_id']))).toEqual(new Set([GUILD]));
    expect(forecastRows.rows.filter((row) => row['source'] === 'stated').map((row) => [row['user_id'], row['at']])).toEqual([
      ['erin', '2026-11-24T14:00:00.000Z'],
      ['bob', '2026-11-24T14:00:00.000Z'],
    ]);

    const ledger = parseCsv(text('ledger', 'csv', null));
    expect(ledger.header).toEqual([
      'entry_id', 'guild_id', 'at', 'from_account', 'to_account', 'amount_millis', 'reason', 'market_id', 'holder', 'outcome', 'shares_millis', 'prices_after',
    ]);
    expect(ledger.rows[0]).toMatchObject({ entry_id: '1', guild_id: GUILD, reason: 'subsidy', market_id: 'rome', holder: '', prices_after: '[0.5,0.5]' });
    // A grant belongs to the server of the account it funds.
    expect(ledger.rows.find((row) => row['reason'] === 'grant' && row['to_account'] === `user:${OTHER_GUILD}:alice`)?.['guild_id']).toBe(OTHER_GUILD);
  });

  it('writes text a spreadsheet would run as a formula with a leading apostrophe, so it stays text', () => {
    const rows = [{ q: '=HYPERLINK("http://evil","x")' }, { q: '@SUM(1)' }, { q: '+1' }, { q: '-1 or so' }, { q: 'fine = fine' }];
    const written = [...csvChunks({ name: 'test', generatedAt: T0 }, ['q'], rows)].join('').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(written).toEqual(['q', `"'=HYPERLINK(""http://evil"",""x"")"`, "'@SUM(1)", "'+1", "'-1 or so", 'fine = fine']);
  });

  it('writes JSON as one document with the definitions and a row array per section', () => {
    const { text } = played();
    const calibration = JSON.parse(text('calibration', 'json')) as Record<string, unknown> & { users: Record<string, unknown>[] };
    expect(Object.keys(calibration)).toEqual(['export', 'generated_at', 'definitions', 'users']);
    expect(calibration['definitions']).toEqual(SCORING_DEFINITIONS);
    expect(calibration.users[0]).toMatchObject({ user_id: 'alice', markets_forecast: 1 });
    expect(calibration.users[0]?.['calibration']).toHaveLength(10);
    const ledger = JSON.parse(text('ledger', 'json')) as Record<string, unknown[]>;
    expect(Object.keys(ledger)).toEqual(['export', 'generated_at', 'definitions', 'markets', 'stated_forecasts', 'entries']);
    expect(ledger['stated_forecasts']).toHaveLength(2);
  });

  it('npm run export writes a file from the database named by CRUX_DATABASE, and explains bad arguments', async () => {
    const { folder, database } = playedFile();
    const out = join(folder, 'ledger.json');
    const run = (args: string[]) => runScript('bot/export-cli.ts', args, { CRUX_DATABASE: database });
    const written = await run(['ledger', '--format', 'json', '--guild', GUILD, '--out', out]);
    expect(written).toMatchObject({ code: 0, stderr: `Wrote the ledger export (json) to ${out}\n` });
    const replayed = replayLedgerExport(LedgerExportSchema.parse(JSON.parse(readFileSync(out, 'utf8'))));
    expect(replayed.markets.map((market) => market.marketId)).toEqual(['labs', 'rome']);
    const toStdout = await run(['calibration']);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toContain('\nuser_id,guild_id,display_name,markets_forecast,');
    const bad = await run(['everything', '--format', 'xml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^crux export: the first argument names the export: one of calibration, forecasts, ledger, markets; usage: /);
  });

  it('npm run export says in one line what the operator must fix, and writes no file', async () => {
    const { folder, database } = playedFile();
    const notDatabase = join(folder, 'notes.txt');
    writeFileSync(notDatabase, 'not a database\n');
    const out = join(folder, 'out', 'markets.csv');
    mkdirSync(join(folder, 'out'));
    const otherDatabase = join(folder, 'copy.sqlite');
    copyFileSync(database, otherDatabase);
    const refusals = [
      { env: database, args: ['markets', '--out', database], says: `--out ${database} is Crux's database` },
      { env: database, args: ['markets', '--out', otherDatabase], says: `--out ${otherDatabase} is a SQLite database` },
      { env: database, args: ['markets', '--out', join(folder, 'missing', 'markets.csv')], says: `There is no folder ${join(folder, 'missing')} to write` },
      { env: database, args: ['markets', '--out', join(folder, 'out')], says: `--out ${join(folder, 'out')} is a folder` },
      { env: notDatabase, args: ['markets', '--out', out], says: `${notDatabase} is not a SQLite database` },
      { env: database, args: ['markets', '--guild', '999', '--out', out], says: 'no markets in server 999; nothing exported' },
    ];
    for (const { env, args, says } of refusals) {
      const refused = await runScript('bot/export-cli.ts', args, { CRUX_DATABASE: env });
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(/^crux export: [^\n]+\n$/);
      expect(refused.stderr).toContain(says);
    }
    expect(readdirSync(join(folder, 'out'))).toEqual([]);
    expect(existsSync(join(folder, 'missing'))).toBe(false);
    expect(readFileSync(otherDatabase)).toEqual(readFileSync(database));
    const reopened = openDatabase(database, { readonly: true });
    expect(verify(reopened).ok).toBe(true);
    reopened.close();
  });

  it('npm run export replaces an earlier export keeping its permissions', async () => {
    const { folder, database } = playedFile();
    const out = join(folder, 'ledger.csv');
    writeFileSync(out, 'an earlier export\n');
    chmodSync(out, 0o600);
    const written = await runScript('bot/export-cli.ts', ['ledger', '--out', out], { CRUX_DATABASE: database });
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Crux ledger export/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('npm run export to stdout for a server with no markets prints nothing and fails', async () => {
    const { database } = playedFile();
    const unknown = await runScript('bot/export-cli.ts', ['calibration', '--guild', '12345'], { CRUX_DATABASE: database });
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'crux export: no markets in server 12345; nothing exported (check the id, or leave out --guild for every server).\n' });
    const known = await runScript('bot/export-cli.ts', ['markets', '--guild', OTHER_GUILD], { CRUX_DATABASE: database });
    expect(known.code).toBe(0);
    expect(parseCsv(known.stdout).rows.length).toBeGreaterThan(0);
  });

  it('npm run export leaves no half-written file when reading fails part way', async () => {
    folder = mkdtempSync(join(tmpdir(), 'crux-export-'));
    const database = join(folder, 'crux.sqlite');
    const { e } = played(database);
    // Markets enough (about 100 kB) that the file is being written before the ledger entries are read.
    e.db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        ok(e.service.openMarket({ id: `filler-${i}`, question: `Filler ${i}: ${'will this be answered? '.repeat(10)}`, criteria: 'x', closesAt: T0 + 100 * HOUR, guildId: GUILD }, { ...e.member('mod'), realm: GUILD }));
      }
    })();
    e.db.exec('DROP TRIGGER ledger_refuses_updates');
    e.db.prepare(`UPDATE ledger SET prices_after = '["damaged"]' WHERE id = (SELECT max(id) FROM ledger WHERE prices_after IS NOT NULL)`).run();
    e.db.close();
    engine = undefined;
    const out = join(folder, 'ledger.json');
    const failed = await runScript('bot/export-cli.ts', ['ledger', '--format', 'json', '--out', out], { CRUX_DATABASE: database });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('Non-numbers in ledger row');
    expect(readdirSync(folder).filter((name) => name.startsWith('ledger'))).toEqual([]);
  });

  it('npm run export describes one moment, even when the bot trades while it writes', async () => {
    folder = mkdtempSync(join(tmpdir(), 'crux-export-'));
    const database = join(folder, 'crux.sqlite');
    const { e } = played(database);
    // Enough markets (about 1 MB of them) that the export is held up by the full pipe while it still lists them,
    // before it has read any ledger entry.
    const question = (i: number) => `Filler ${i}: ${'will this question ever be answered? '.repeat(7)}`;
    e.db.transaction(() => {
      for (let i = 0; i < 3_000; i++) {
        ok(e.service.openMarket({ id: `filler-${i}`, question: question(i), criteria: 'x', closesAt: T0 + 100 * HOUR, guildId: GUILD }, { ...e.member('mod'), realm: GUILD }));
      }
    })();
    const entriesBefore = verify(e.db).entries;
    const exporting = spawnScript('bot/export-cli.ts', ['ledger', '--format', 'json'], { CRUX_DATABASE: database });
    const { stdout } = exporting.child;
    // Stops reading at the export's first bytes: it has begun reading and now waits on the pipe.
    await new Promise((resolve) => stdout.once('data', () => resolve(stdout.pause())));
    const late = ok(e.service.buy({ marketId: 'filler-0', outcome: 'Yes', amount: creditsToMillis(5) }, { ...e.member('late'), realm: GUILD }));
    expect(verify(e.db).entries).toBeGreaterThan(entriesBefore);
    stdout.resume();
    expect((await exporting.exited).code).toBe(0);

    const exported = LedgerExportSchema.parse(JSON.parse(exporting.stdout));
    expect(exported.entries).toHaveLength(entriesBefore);
    expect(exported.entries.some((entry) => entry.holder === 'late')).toBe(false);
    expect(exported.markets.find((market) => market.market_id === 'filler-0')).toBeDefined();
    expect(late.quote.cash).toBeGreaterThan(0);
  });
});
