import { describe, expect, it } from 'vitest';
import { parseSourceUrl, type ParseSourceOptions, type SourceRef, sourceRefSchema } from '../../markets/sources/index.ts';

function refOf(input: string, options?: ParseSourceOptions): SourceRef {
  const result = parseSourceUrl(input, options);
  if (!result.ok) throw new Error(`expected "${input}" to parse, got: ${result.message}`);
  return result.ref;
}

function refusalOf(input: string, options?: ParseSourceOptions): string {
  const result = parseSourceUrl(input, options);
  if (result.ok) throw new Error(`expected "${input}" to be refused, got ${JSON.stringify(result.ref)}`);
  return result.message;
}

describe('parseSourceUrl: Manifold', () => {
  it.each([
    [
      'https://manifold.markets/EliezerYudkowsky/will-ai-wipe-out-humanity-before-th',
      'will-ai-wipe-out-humanity-before-th',
      'https://manifold.markets/EliezerYudkowsky/will-ai-wipe-out-humanity-before-th',
    ],
    ['https://manifold.markets/Austin/test-market?r=QXVzdGlu', 'test-market', 'https://manifold.markets/Austin/test-market'],
    ['https://www.manifold.markets/Austin/test-market/#comments', 'test-market', 'https://www.manifold.markets/Austin/test-market/'],
    ['https://manifold.markets/embed/Austin/test-market', 'test-market', 'https://manifold.markets/embed/Austin/test-market'],
    ['  HTTPS://Manifold.Markets/Austin/Test_Market  ', 'Test_Market', 'https://manifold.markets/Austin/Test_Market'],
  ])('%s → slug %s', (input, slug, url) => {
    expect(refOf(input)).toEqual({ kind: 'manifold', slug, url });
  });

  it('reads a bare id and a bare slug when told the platform', () => {
    expect(refOf('kupKInoLsjMuiDiNfogm', { bareIdKind: 'manifold' })).toEqual({
      kind: 'manifold',
      id: 'kupKInoLsjMuiDiNfogm',
      url: 'https://api.manifold.markets/v0/market/kupKInoLsjMuiDiNfogm',
    });
    expect(refOf('will-ai-wipe-out-humanity-before-th', { bareIdKind: 'manifold' })).toEqual({
      kind: 'manifold',
      slug: 'will-ai-wipe-out-humanity-before-th',
      url: 'https://manifold.markets/market/will-ai-wipe-out-humanity-before-th',
    });
  });

  it.each([
    ['https://manifold.markets/Austin', 'not a market'],
    ['https://manifold.markets/', 'not a market'],
    ['https://manifold.markets/Austin/test-market/extra', 'not a market'],
    ['https://manifold.markets/Austin/%2E%2E', 'not a market'],
    ['https://manifold.markets/Austin/caf%C3%A9', 'Manifold link: slug: expected a slug'],
  ])('refuses %s', (input, message) => {
    expect(refusalOf(input)).toContain(message);
  });

  it('refuses a bare Manifold id with characters no id has', () => {
    expect(refusalOf('abc$def', { bareIdKind: 'manifold' })).toContain('is not a Manifold market id');
  });
});

describe('parseSourceUrl: Metaculus', () => {
  it.each([
    ['https://www.metaculus.com/questions/3479/date-weakly-general-ai-is-publicly-known/', 3479],
    ['https://metaculus.com/questions/3479', 3479],
    ['https://www.metaculus.com/questions/3479/?sub-question=21104#comment-1', 3479],
    ['https://www.metaculus.com/c/risk/12345/will-it-happen/', 12345],
  ])('%s → post %d', (input, postId) => {
    expect(refOf(input)).toMatchObject({ kind: 'metaculus', postId });
  });

  it('stores the link without its query and fragment', () => {
    expect(refOf('https://www.metaculus.com/questions/3479/slug/?utm_source=x#comment-2')).toEqual({
      kind: 'metaculus',
      postId: 3479,
      url: 'https://www.metaculus.com/questions/3479/slug/',
    });
  });

  it('keeps the sub-question a link to one question of a group picks, and only that of its query', () => {
    expect(refOf('https://www.metaculus.com/questions/3479/slug/?sub-question=21104&utm_source=x#x')).toEqual({
      kind: 'metaculus',
      postId: 3479,
      questionId: 21104,
      url: 'https://www.metaculus.com/questions/3479/slug/?sub-question=21104',
    });
  });

  it('refuses a sub-question that is not a number', () => {
    expect(refusalOf('https://www.metaculus.com/questions/3479/?sub-question=abc')).toContain('is not a Metaculus sub-question id');
  });

  it('reads a bare question id when told the platform', () => {
    expect(refOf('3479', { bareIdKind: 'metaculus' })).toEqual({
      kind: 'metaculus',
      postId: 3479,
      url: 'https://www.metaculus.com/questions/3479/',
    });
  });

  it.each([
    'https://www.metaculus.com/questions/abc/',
    'https://www.metaculus.com/questions/',
    'https://www.metaculus.com/tournament/aibq2/',
    'https://www.metaculus.com/',
  ])('refuses %s', (input) => {
    expect(refusalOf(input)).toContain('That Metaculus link is not a question');
  });

  it.each(['abc', '0', '-5', '3.5'])('refuses bare id %s', (input) => {
    expect(refusalOf(input, { bareIdKind: 'metaculus' })).toContain('is not a Metaculus question id');
  });
});

describe('parseSourceUrl: Polymarket', () => {
  it.each([
    [
      'https://polymarket.com/event/presidential-election-winner-2024/will-donald-trump-win-the-2024-us-presidential-election',
      'will-donald-trump-win-the-2024-us-presidential-election',
    ],
    ['https://polymarket.com/event/will-openai-announce-agi-in-2025', 'will-openai-announce-agi-in-2025'],
    ['https://polymarket.com/event/will-openai-announce-agi-in-2025?tid=1718291029', 'will-openai-announce-agi-in-2025'],
    ['https://www.polymarket.com/market/will-openai-announce-agi-in-2025', 'will-openai-announce-agi-in-2025'],
  ])('%s → slug %s', (input, slug) => {
    expect(refOf(input)).toMatchObject({ kind: 'polymarket', slug });
  });

  it('reads a bare slug when told the platform', () => {
    expect(refOf('will-openai-announce-agi-in-2025', { bareIdKind: 'polymarket' })).toEqual({
      kind: 'polymarket',
      slug: 'will-openai-announce-agi-in-2025',
      url: 'https://polymarket.com/market/will-openai-announce-agi-in-2025',
    });
  });

  it.each([
    'https://polymarket.com/',
    'https://polymarket.com/event/',
    'https://polymarket.com/markets/crypto',
    'https://polymarket.com/event/a/b/c',
    'https://polymarket.com/market/a/b',
  ])('refuses %s', (input) => {
    expect(refusalOf(input)).toContain('That Polymarket link is not a market');
  });
});

describe('parseSourceUrl: any other link', () => {
  it('makes any other http(s) link a plain URL source, keeping it whole', () => {
    expect(refOf('https://www.anthropic.com/news/activating-asl3-protections?utm_source=x#top')).toEqual({
      kind: 'url',
      url: 'https://www.anthropic.com/news/activating-asl3-protections?utm_source=x#top',
    });
    expect(refOf('http://example.org')).toEqual({ kind: 'url', url: 'http://example.org/' });
  });

  it('does not mistake look-alike hosts for platforms', () => {
    expect(refOf('https://manifold.markets.evil.example/Austin/test-market')).toMatchObject({ kind: 'url' });
    expect(refOf('https://api.manifold.markets/v0/slug/test-market')).toMatchObject({ kind: 'url' });
    expect(refOf('https://notpolymarket.com/event/x')).toMatchObject({ kind: 'url' });
  });

  it('makes a JSON check from a path and expected value, even on a platform host', () => {
    expect(refOf('https://api.example.org/status.json', { jsonPath: 'data.status', expected: 'done' })).toEqual({
      kind: 'url',
      url: 'https://api.example.org/status.json',
      jsonPath: 'data.status',
      expected: 'done',
    });
    expect(refOf('https://www.metaculus.com/api/posts/3479/', { jsonPath: 'question.status', expected: 'resolved' })).toMatchObject(
      { kind: 'url', jsonPath: 'question.status' },
    );
  });

  it.each(['data..status', '.data', 'data.', 'data status'])('refuses JSON path "%s"', (jsonPath) => {
    expect(refusalOf('https://api.example.org/status.json', { jsonPath })).toContain('expected a dotted path');
  });

  it('refuses an expected value without a path to compare it with', () => {
    expect(refusalOf('https://api.example.org/status.json', { expected: true })).toContain(
      'an expected value needs a JSON path',
    );
  });
});

describe('parseSourceUrl: garbage', () => {
  it.each([
    ['', 'No link given'],
    ['   ', 'No link given'],
    ['not a url', 'is not a link'],
    ['will-openai-announce-agi-in-2025', 'say which platform'],
    ['manifold.markets/Austin/test-market', 'Paste the full https:// link'],
    ['ftp://example.org/report.pdf', 'Only http(s) links can be sources, not "ftp:" links'],
    ['javascript:alert(1)', 'not "javascript:" links'],
    ['file:///etc/passwd', 'not "file:" links'],
    ['mailto:someone@example.org', 'not "mailto:" links'],
    ['https://', 'is not a valid link'],
    ['http://exa mple.com/', 'is not a valid link'],
    ['https://user:hunter2@example.org/private', 'user name or password'],
  ])('refuses %j', (input, message) => {
    expect(refusalOf(input)).toContain(message);
  });
});

describe('sourceRefSchema', () => {
  it('round-trips every parsed reference through JSON', () => {
    const refs = [
      refOf('https://manifold.markets/Austin/test-market'),
      refOf('kupKInoLsjMuiDiNfogm', { bareIdKind: 'manifold' }),
      refOf('https://www.metaculus.com/questions/3479/'),
      refOf('https://polymarket.com/event/will-openai-announce-agi-in-2025'),
      refOf('https://example.org/page'),
      refOf('https://api.example.org/status.json', { jsonPath: 'data.items.0.ok', expected: null }),
    ];
    for (const ref of refs) {
      expect(sourceRefSchema.parse(JSON.parse(JSON.stringify(ref)))).toEqual(ref);
    }
  });

  it.each([
    [{ kind: 'manifold', url: 'https://manifold.markets/a/b' }],
    [{ kind: 'manifold', slug: '../admin', url: 'https://manifold.markets/a/b' }],
    [{ kind: 'metaculus', postId: 0, url: 'https://www.metaculus.com/questions/0/' }],
    [{ kind: 'polymarket', slug: 'ok-slug', url: 'javascript:alert(1)' }],
    [{ kind: 'url', url: 'https://example.org', expected: 'x' }],
    [{ kind: 'carrier-pigeon', url: 'https://example.org' }],
  ])('rejects the stored reference %j', (stored) => {
    expect(sourceRefSchema.safeParse(stored).success).toBe(false);
  });
});
