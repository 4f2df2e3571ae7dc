import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClaims } from '../../bot/startup.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, T0 } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-claims-');

let harness: TestApp | undefined;
afterEach(() => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

const CLOSES = new Date(T0 + 30 * DAY).toISOString();

function claim(slug: string, more: Record<string, unknown> = {}) {
  return { slug, question: `Will ${slug} happen?`, criteria: 'Reported by two outlets.', outcomes: ['Yes', 'No'], closes: CLOSES, ...more };
}

/** Writes the pack to a file and loads it as --load-claims does; returns the line start-up prints, and the markets. */
function load(claims: unknown[]) {
  const h = (harness ??= testApp());
  const path = join(dir(), 'pack.json');
  writeFileSync(path, JSON.stringify({ claims }));
  const said = loadClaims(h.app, path, null, T0);
  const slugs = h.db.prepare<[], { slug: string }>('SELECT slug FROM markets ORDER BY slug').all().map((row) => row.slug);
  return { said, slugs, path };
}

describe('claim packs', () => {
  it('opens the claims not open yet, and counts those already open as present', () => {
    expect(load([claim('alpha'), claim('beta', { probability: 0.3 })])).toMatchObject({ slugs: ['alpha', 'beta'], said: expect.stringMatching(/opened 2 market\(s\) \(alpha, beta\); 0 already present/) });
    expect(load([claim('alpha'), claim('gamma')]).said).toMatch(/opened 1 market\(s\) \(gamma\); 1 already present or past their close\.$/);
  });

  it('refuses a pack with a slug twice, saying so rather than calling it already present', () => {
    const { said, slugs, path } = load([claim('alpha'), claim('beta'), claim('alpha', { question: 'Will alpha happen, asked again?' })]);
    expect(said).toBe(`Could not load ${path}: The claim pack is invalid at slug of claims[2] (alpha): the slug appears twice in the pack, also at claims[0]`);
    expect(slugs).toEqual([]);
  });

  it('refuses a single opening probability on a claim of three outcomes instead of dropping it', () => {
    const { said, slugs } = load([claim('alpha'), claim('three-way', { outcomes: ['Low', 'Mid', 'High'], probability: 0.7 })]);
    expect(said).toMatch(/^Could not load \S+: claims\[1\] \(three-way\): .*an opening probability applies to binary markets only; give a vector for more outcomes/);
    expect(slugs).toEqual([]);
    expect(load([claim('three-way', { outcomes: ['Low', 'Mid', 'High'], probabilities: [0.2, 0.7, 0.1] })]).slugs).toEqual(['three-way']);
  });

  it('names the bad claim, by its place in the pack and its slug', () => {
    // JSON leaves an undefined field out: a claim without its criteria.
    expect(load([claim('alpha'), claim('beta', { criteria: undefined })]).said).toMatch(/: The claim pack is invalid at criteria of claims\[1\] \(beta\): /);
    expect(load([claim('alpha'), claim('Not A Slug')]).said).toMatch(/: The claim pack is invalid at slug of claims\[1\] \(Not A Slug\): /);
    expect(load([claim('alpha'), 'no claim']).said).toMatch(/: The claim pack is invalid at claims\[1\]: /);
    const refused = load([claim('alpha'), claim('gamma', { outcomes: ['A', 'B', 'C'], probabilities: [0.5, 0.5] })]);
    expect(refused.said).toMatch(/^Could not load \S+: claims\[1\] \(gamma\): .*give one opening probability per outcome/);
    expect(refused.slugs).toEqual([]);
  });
});
