import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import { METACULUS_POST_ID, metaculusPost, metaculusResolvedPost } from './fixtures.ts';
import { httpFor, json, startServer, TEST_USER_AGENT, type TestServer } from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const POST_PATH = `/api/posts/${METACULUS_POST_ID}/`;
const ref: SourceRef = {
  kind: 'metaculus',
  postId: METACULUS_POST_ID,
  url: `https://www.metaculus.com/questions/${METACULUS_POST_ID}/compute-threshold-pause-commitment-by-2027/`,
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function checkAgainst(reply: unknown, headers?: Record<string, string>) {
  server = await startServer({ [POST_PATH]: json(reply) });
  return checkSource(ref, httpFor(server, headers === undefined ? {} : { headers }), { now: NOW });
}

describe('Metaculus source', () => {
  it('asks /api/posts/{id}/ with our User-Agent and reports an open question with its community prediction', async () => {
    const check = await checkAgainst(metaculusPost());
    expect(check).toEqual({
      kind: 'pending',
      detail:
        'Metaculus "Will a major AI lab publicly commit to a compute-threshold pause before 2027?": open; community prediction 34% yes.',
      // The community prediction is the outside odds shown beside Crux's price.
      odds: [
        { label: 'Yes', probability: 0.34 },
        { label: 'No', probability: 1 - 0.34 },
      ],
    });
    expect(server?.requests.map((request) => request.path)).toEqual([POST_PATH]);
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('sends platform-specific headers such as an API token', async () => {
    await checkAgainst(metaculusPost(), { Authorization: 'Token abc123' });
    expect(server?.requests[0]?.headers['authorization']).toBe('Token abc123');
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('gives no outside odds for a question whose community prediction it cannot map (not binary, or none yet)', async () => {
    const numeric = await checkAgainst(metaculusPost({ type: 'numeric' }));
    expect(numeric).toMatchObject({ kind: 'pending' });
    expect(numeric).not.toHaveProperty('odds');
    const unforecast = await checkAgainst(metaculusPost({ aggregations: { recency_weighted: { latest: null } } }));
    expect(unforecast).not.toHaveProperty('odds');
  });

  it('reports a closed question as still pending', async () => {
    const check = await checkAgainst(metaculusPost({ status: 'closed' }));
    expect(check).toMatchObject({ kind: 'pending', detail: expect.stringContaining('closed, awaiting resolution') });
  });

  it('is terminal only on status "resolved", whatever the resolution field says', async () => {
    const check = await checkAgainst(metaculusPost({ status: 'closed', resolution: 'yes' }));
    expect(check.kind).toBe('pending');
  });

  it('reports resolved yes and resolved no as outcomes', async () => {
    expect(await checkAgainst(metaculusResolvedPost('yes'))).toEqual({
      kind: 'outcome',
      label: 'yes',
      detail: 'Metaculus "Will a major AI lab publicly commit to a compute-threshold pause before 2027?" resolved "yes".',
    });
    await server?.close();
    expect(await checkAgainst(metaculusResolvedPost('no'))).toMatchObject({ kind: 'outcome', label: 'no' });
  });

  it.each(['ambiguous', 'annulled'])('reports %s as a cancellation', async (resolution) => {
    expect(await checkAgainst(metaculusResolvedPost(resolution))).toEqual({
      kind: 'cancel',
      detail: `Metaculus "Will a major AI lab publicly commit to a compute-threshold pause before 2027?" resolved ${resolution}.`,
    });
  });

  it('reports a multiple-choice resolution by its option label', async () => {
    const check = await checkAgainst(
      metaculusResolvedPost('Google DeepMind', {
        type: 'multiple_choice',
        options: ['Anthropic', 'OpenAI', 'Google DeepMind', 'Other'],
      }),
    );
    expect(check).toMatchObject({ kind: 'outcome', label: 'Google DeepMind' });
  });

  it('treats "resolved" without a resolution as an error', async () => {
    const check = await checkAgainst(metaculusResolvedPost('yes', { resolution: null }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('gives no resolution') });
  });

  it('explains that a question group is not a single question', async () => {
    const group = metaculusPost({}, { question: undefined, group_of_questions: { id: 9, questions: [] } });
    const check = await checkAgainst(group);
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('is a group of questions, not a single question') });
  });
});
