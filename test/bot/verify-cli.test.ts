import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { verify } from '../../db/verify.ts';
import { formatCredits } from '../../markets/money.ts';
import { openTestMarket } from '../reliability/trading.ts';
import { ok, testEngine } from '../support/engine.ts';
import { runScript } from '../support/process.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-verify-');
let database: string;
beforeEach(() => {
  database = join(dir(), 'crux.sqlite');
});

it('npm run verify runs the CLI', () => {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  expect(scripts['verify']).toBe('tsx bot/verify-cli.ts');
});

it('says in one line that the ledger verifies (exit 0), that it does not (exit 1), or that there is no database (exit 1)', async () => {
  const engine = testEngine({}, database);
  const marketId = openTestMarket(engine.service, 'verified-market');
  ok(engine.service.buy({ marketId, outcome: 'Yes', amount: 5_000 }, { ...engine.member('dana'), now: Date.now() }));

  const sound = await runScript('bot/verify-cli.ts', [], { CRUX_DATABASE: database });
  expect(sound).toMatchObject({ code: 0, stderr: '' });
  const { entries, accounts, minted } = verify(engine.db);
  expect(sound.stdout).toBe(`The ledger of ${database} verifies: ${entries} entries, ${accounts} accounts, ${formatCredits(minted)} credits in circulation.\n`);

  // A balance changed behind the ledger's back, as a hand-edited file would be.
  engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:dana'`).run();
  const tampered = await runScript('bot/verify-cli.ts', [], { CRUX_DATABASE: database });
  expect(tampered).toMatchObject({ code: 1, stdout: '' });
  expect(tampered.stderr).toMatch(/^crux verify: the ledger of .+crux\.sqlite does not verify: account user:console:dana: stored balance \d+ but the ledger gives \d+ \(and 2 more problem\(s\)\)\n$/);
  engine.db.close();

  const missing = await runScript('bot/verify-cli.ts', [], { CRUX_DATABASE: join(dir(), 'nowhere.sqlite') });
  expect(missing).toMatchObject({ code: 1, stdout: '' });
  expect(missing.stderr).toMatch(/^crux verify: there is no database at .+nowhere\.sqlite to serve read-only: check CRUX_DATABASE\.\n$/);
});
