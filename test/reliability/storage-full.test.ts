import { afterEach, expect, it } from 'vitest';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';

let harness: TestApp | undefined;
afterEach(() => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

const STORAGE_FULL = "⚠️ Crux could not save because the server's storage is full; nothing was changed.";

it('answers a disk that fills up mid-trading in words, and keeps every trade it acknowledged and nothing else', async () => {
  const h = (harness = testApp());
  await driveConsole(h, ['/as mod --moderator', '/market open question:Will the disk fill up? criteria:YES if it does. closes:2027-12-31']);
  // SQLite answers a write past max_page_count exactly as it answers a full disk: SQLITE_FULL.
  const pages = Number(h.db.pragma('page_count', { simple: true }));
  h.db.pragma(`max_page_count = ${pages + 2}`);
  const bets = Array.from({ length: 200 }, (_, i) => [`/as member-${i}`, '/bet market:disk-fill-up outcome:Yes amount:1']).flat();

  const out = await driveConsole(h, bets);

  expect(out).toContain(STORAGE_FULL);
  expect(out).not.toContain('Something went wrong');
  const acknowledged = out.split('\n').filter((line) => / bought /.test(line)).length;
  expect(acknowledged).toBeGreaterThan(0);
  const buys = h.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'buy'`).get() as { n: number };
  expect(buys.n).toBe(acknowledged);
});
