import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { parseCommandLine, runConsole } from '../../bot/console.ts';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';
import { runScript } from '../support/process.ts';

let harness: TestApp | undefined;
afterEach(() => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

describe('the console', () => {
  it('opens, trades and resolves a market with the same commands as Discord', async () => {
    const h = (harness = testApp());
    const out = await driveConsole(h, [
      '/market open question:Will a replication be published by 2027? criteria:YES if a second team reports it. closes:2027-12-31 probability:30',
      '/as bob',
      '/bet market:replication-published-2027 outcome:Yes amount:100',
      '/as carol',
      '/bet market:replication-published-2027 outcome:No amount:40 max_price:90',
      '/sell market:replication-published-2027 outcome:No shares:10',
      '/mod resolve market:replication-published-2027 outcome:Yes evidence:https://example.org/paper',
      '/as mod --moderator',
      '/mod resolve market:replication-published-2027 outcome:Yes evidence:https://example.org/paper',
      '/as bob',
      '/portfolio',
    ]);
    expect(out).toContain('┌ Will a replication be published by 2027?');
    expect(out).toMatch(/Prices:\n│ {3}█+░+ 30\.0% Yes/);
    expect(out).toContain('bob bought');
    expect(out).toMatch(/Yes price: 30\.0% → \d+\.\d%/);
    expect(out).toContain('carol sold 10 No shares');
    expect(out).toContain('⚠️ Only moderators can resolve a market.');
    expect(out).toContain('✅ replication-published-2027 resolved Yes');
    const bob = h.db.prepare(`SELECT balance FROM accounts WHERE id = 'user:console:bob'`).get() as { balance: number };
    expect(bob.balance).toBeGreaterThan(1_000_000);
    expect(out).toMatch(/Portfolio of bob\n│ No open positions\.\n│ Balance: 1,\d{3}(\.\d\d)? credits/);
  });

  it('answers bad input with a clear error and writes nothing', async () => {
    const h = (harness = testApp());
    const before = verify(h.db).entries;
    const out = await driveConsole(h, [
      'hello',
      '/frobnicate',
      '/market',
      '/bet market:nope outcome:Yes amount:10',
      '/bet market:nope outcome:Yes amount:lots',
      "/bet market:x'; DROP TABLE ledger; -- outcome:Yes amount:10",
      '/market open question:Too soon criteria:x closes:yesterday',
    ]);
    expect(out).toContain('⚠️ Commands start with /');
    expect(out).toContain('⚠️ Unknown command /frobnicate');
    expect(out).toContain('⚠️ /market needs one of: open, show, list');
    expect(out).toContain('⚠️ There is no market nope.');
    expect(out).toContain('⚠️ amount: give a number of credits.');
    expect(out).toContain('⚠️ market: a market id is lower-case words joined by dashes');
    expect(out).toContain('⚠️ closes: I could not read "yesterday"');
    expect(verify(h.db).entries).toBe(before);
  });

  it('refuses a request id reused by another user or for another command, and replays it for its own', async () => {
    const h = (harness = testApp());
    const bet = '/bet market:rome-seek-power outcome:Yes amount:50 --request r-1';
    const out = await driveConsole(h, [
      '/market open question:Did ROME seek power? criteria:YES if the logs show it. closes:2030-01-01 --request r-0',
      '/as alice',
      bet,
      '/as bob',
      bet,
      '/as alice',
      '/portfolio --request r-1',
      '/mod close market:rome-seek-power --request r-1',
      bet,
    ]);
    expect(out.match(/alice bought/g)).toHaveLength(2);
    expect(out).not.toContain('bob bought');
    expect(out).toContain('⚠️ That request id was already used by another member. Nothing was done; send it with a new id.\ndone r-1');
    expect(out.match(/⚠️ That request id was already used for a different command\. Nothing was done; send it with a new id\.\ndone r-1/g)).toHaveLength(2);
    expect(out).not.toContain('Something went wrong');
    const bob = h.db.prepare(`SELECT COUNT(*) AS n FROM accounts WHERE id = 'user:bob'`).get();
    expect(bob).toEqual({ n: 0 });
    expect(h.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'buy'`).get()).toEqual({ n: 1 });
  });

  it('refuses a forecast whose request id another user already used, rather than dropping it unsaid', async () => {
    const h = (harness = testApp());
    const forecast = '/forecast market:rome-seek-power probability:70 --request f-1';
    const out = await driveConsole(h, [
      '/market open question:Did ROME seek power? criteria:YES if the logs show it. closes:2030-01-01',
      '/as alice',
      forecast,
      '/as bob',
      forecast,
      '/as alice',
      forecast,
    ]);
    expect(out.match(/alice forecasts 70\.0% Yes/g)).toHaveLength(2);
    expect(out).not.toContain('bob forecasts');
    expect(out).toContain('⚠️ That request id was already used by another member. Nothing was done; send it with a new id.\ndone f-1');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM forecasts').get()).toEqual({ n: 1 });
  });

  it('reads option values with spaces up to the next known option name', () => {
    const parsed = parseCommandLine('/market open question:Did it: really happen? criteria:Logs say so closes:in 3 weeks');
    expect(typeof parsed).toBe('object');
    if (typeof parsed === 'object') {
      expect(parsed.subcommand).toBe('open');
      expect(parsed.options).toEqual({ question: 'Did it: really happen?', criteria: 'Logs say so', closes: 'in 3 weeks' });
    }
  });

  it('keeps a quoted value whole, even where it contains an option name', () => {
    const parsed = parseCommandLine('/market open question:"Does the criteria: word break parsing?" criteria:"Logs say closes: soon" closes:in 3 weeks');
    expect(typeof parsed === 'object' && parsed.options).toEqual({
      question: 'Does the criteria: word break parsing?',
      criteria: 'Logs say closes: soon',
      closes: 'in 3 weeks',
    });
  });
});

describe('npm start without a token', () => {
  it('loads the starter claims and runs the console on stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crux-console-'));
    const database = join(dir, 'crux.sqlite');
    try {
      const { code, stdout, stderr } = await runScript(
        'bot/main.ts',
        ['--load-claims', 'claims/starter.json'],
        { CRUX_DATABASE: database },
        '/as dana\n/bet market:rome-genuine-power-seeking outcome:Yes amount:25\n/market list\n',
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('opened 5 market(s)');
      expect(stdout).toContain('To connect to Discord, set DISCORD_TOKEN');
      expect(stdout).toContain('dana bought');
      expect(stdout).toContain('Yes price: 45.0% →');
      expect(stdout).toContain('first-unauthorized-compute-lab');
      const db = openDatabase(database);
      try {
        expect(verify(db).ok).toBe(true);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad configuration value with one line naming the variable', async () => {
    const { code, stderr } = await runScript('bot/main.ts', [], { CRUX_STARTING_GRANT: 'lots', CRUX_DATABASE: ':memory:' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Configuration error — CRUX_STARTING_GRANT: /);
  });
});

describe('scores in the console', () => {
  it('takes /forecast, then prints /calibration, /leaderboard by: and /market show with their attachments as lines', async () => {
    const h = (harness = testApp({ CRUX_LEADERBOARD_MIN_MARKETS: '1' }));
    const out = await driveConsole(h, [
      '/market open question:Will a replication be published by 2027? criteria:YES if a second team reports it. closes:2027-12-31 probability:30',
      '/as bob',
      '/bet market:replication-published-2027 outcome:Yes amount:100',
      '/as carol',
      '/forecast market:replication-published-2027 probability:20 outcome:No',
      '/as mod --moderator',
      '/mod resolve market:replication-published-2027 outcome:Yes evidence:https://example.org/paper',
      '/as carol',
      '/forecast market:replication-published-2027 probability:90',
      '/calibration format:csv',
      '/calibration user:bob',
      '/leaderboard by:log',
      '/market show market:replication-published-2027',
    ]);
    expect(out).toContain('┌ carol forecasts 20.0% No\n│ Yes: 80.0%\n│ No: 20.0%');
    expect(out).toContain('⚠️ Market replication-published-2027 is resolved; forecasts are taken while it trades.');
    expect(out).toContain('┌ Calibration of carol\n│ Markets scored: 1\n│ Mean Brier (lower is better): 0.040');
    expect(out).toMatch(/\[attachment: calibration-carol\.csv, \d+ bytes\]/);
    expect(out).toMatch(/┌ Calibration of bob\n[\s\S]*│ \[image: calibration-bob\.png\][\s\S]*\[attachment: calibration-bob\.png, \d+ bytes\]/);
    expect(out).toMatch(/┌ Leaderboard — mean time-averaged log score \(higher is better\)\n│ 🥇 carol — -0\.223 over 1 market\n│ 🥈 bob — -0\.\d{3} over 1 market/);
    expect(out).toMatch(/│ \[image: replication-published-2027-prices\.png\][\s\S]*\[attachment: replication-published-2027-prices\.png, \d+ bytes\]/);
  });

  it("closes a market at its close time before the next line, and scores the issue's case to its scheduled close", async () => {
    const h = (harness = testApp());
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    let clock = T0;
    const done = runConsole({ input, output, app: h.app, now: () => clock });
    // One line at a time, each at its own moment, waiting for its `done` before the clock moves on.
    const at = async (time: number, line: string, step: string) => {
      clock = time;
      input.write(`${line} --request ${step}\n`);
      while (!text.includes(`done ${step}\n`)) await new Promise((resolve) => setTimeout(resolve, 5));
      return text.slice(text.lastIndexOf('┌'));
    };
    await at(T0, `/market open question:Does the window end at the close? criteria:x closes:${new Date(T0 + 4000).toISOString().slice(0, 19)}`, 'open');
    await at(T0 + 487, '/forecast market:window-end-at-close probability:90', 'f90');
    await at(T0 + 1958, '/forecast market:window-end-at-close probability:10', 'f10');
    const shown = await at(T0 + 4000 + 500, '/market list status:open', 'list');
    expect(shown).not.toContain('window-end-at-close');
    await at(T0 + 4000 + 8336, '/mod resolve market:window-end-at-close outcome:No evidence:x', 'resolve');
    input.end();
    await done;
    const you = h.app.forecasts.scoredUser('you', null);
    // 0.9 on Yes for 1471 ms (Brier 0.81, ln 0.1), then 0.1 for 2042 ms to the close (Brier 0.01, ln 0.9)
    expect(you?.meanBrier).toBeCloseTo((0.81 * 1471 + 0.01 * 2042) / 3513, 12);
    expect(you?.meanBrier.toFixed(6)).toBe('0.344984');
    expect(you?.meanLogScore.toFixed(6)).toBe('-1.025405');
    const closedAt = h.db.prepare<[], { closed_at: number }>("SELECT closed_at FROM markets WHERE id = 'window-end-at-close'").get();
    expect(closedAt?.closed_at).toBe(T0 + 4000);
  });
});
