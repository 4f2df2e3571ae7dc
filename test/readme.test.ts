import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCORING_DEFINITIONS } from '../markets/scoring/index.ts';

it('the README quotes every score definition word for word, so the manual and the exports never disagree', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const definition of Object.values(SCORING_DEFINITIONS)) expect(readme).toContain(definition);
});
