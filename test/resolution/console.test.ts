import { expect, it } from 'vitest';
import { driveConsole, testApp } from '../support/app.ts';

it('corrects a resolution from the console with the same commands as Discord, and refuses bad links and switches', async () => {
  const h = testApp();
  const text = await driveConsole(h, [
      '/market open question:Will a replication be published by 2027? criteria:YES if a second team reports it. closes:2027-12-31',
      '/as bob',
      '/bet market:replication-published-2027 outcome:Yes amount:100',
      '/as carol',
      '/bet market:replication-published-2027 outcome:No amount:40',
      '/mod correct market:replication-published-2027 outcome:No evidence:too early',
      '/as mod --moderator',
      '/mod resolve market:replication-published-2027 outcome:Yes evidence:https://example.org/a',
      '/mod correct market:replication-published-2027 outcome:No evidence:https://example.org/erratum',
      '/mod correct market:replication-published-2027 outcome:cancel evidence:ill-posed',
      '/mod link market:replication-published-2027 url:https://manifold.markets/Austin',
      '/mod autoresolve enabled:true sources:manifold grace_hours:12',
      '/mod autoresolve enabled:maybe',
      '/quit',
  ]);

  expect(text).toContain('Only moderators can correct a resolution.');
  expect(text).toContain('replication-published-2027: resolved Yes → resolved No');
  expect(text).toContain('replication-published-2027: resolved No → cancelled');
  expect(text).toContain('That Manifold link is not a market');
  // The console is a realm of its own, with its own auto-resolve choice.
  expect(text).toContain('Auto-resolve is on: proposals backed only by Manifold apply themselves 12 h after they are posted');
  expect(text).toContain('say on or off');
  h.assertVerified();
});
