import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, parseSourceUrl, type SourceRef } from '../../markets/sources/index.ts';
import { type MetaculusRef, metaculusSubQuestions } from '../../markets/sources/metaculus.ts';
import { METACULUS_GROUP_POST_ID, METACULUS_POST_ID, metaculusGroupPost, metaculusPost, metaculusResolvedPost } from './fixtures.ts';
import { httpFor, json, startServer, TEST_USER_AGENT, type TestServer } from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const POST_PATH = `/api/posts/${METACULUS_POST_ID}/`;
const ref: SourceRef = {
  kind: 'metaculus',
  postId: METACULUS_POST_ID,
  url: `https://www.metaculus.com/questions/${METACULUS_POST_ID}/compute-threshold-pause-commitment-by-2027/`,
};

const groupRef: MetaculusRef = {
  kind: 'metaculus',
  postId: METACULUS_GROUP_POST_ID,
  url: `https://www.metaculus.com/questions/${METACULUS_GROUP_POST_ID}/which-lab-first-frontier-safety-case/`,
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
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('gives no resolution'), reason: 'reply not understood' });
  });

  it('explains that a group post is not a single question, naming each of its questions with the link to use', async () => {
    server = await startServer({ [`/api/posts/${METACULUS_GROUP_POST_ID}/`]: json(metaculusGroupPost([{ label: 'Anthropic' }, { label: 'OpenAI' }])) });
    const check = await checkSource(groupRef, httpFor(server), { now: NOW });
    expect(check).toEqual({
      kind: 'error',
      message:
        `Metaculus post ${METACULUS_GROUP_POST_ID} ("Which lab will first publish a frontier-model safety case?") is a group of questions, not a single question.` +
        ` Link one of its questions: Anthropic <${groupRef.url}?sub-question=31300>, OpenAI <${groupRef.url}?sub-question=31301>.`,
      reason: 'a group of questions, not a question',
    });
    expect(await metaculusSubQuestions(groupRef, httpFor(server))).toEqual([
      { name: 'Anthropic', link: `${groupRef.url}?sub-question=31300` },
      { name: 'OpenAI', link: `${groupRef.url}?sub-question=31301` },
    ]);
  });

  it('reads the one question of a group that a ?sub-question= link picks, from group_of_questions.questions', async () => {
    const linked = parseSourceUrl(`${groupRef.url}?sub-question=31301`);
    if (!linked.ok) throw new Error(linked.message);
    const group = (openAi: Record<string, unknown>) => metaculusGroupPost([{ label: 'Anthropic', status: 'resolved', resolution: 'no' }, { label: 'OpenAI', ...openAi }]);
    server = await startServer({ [`/api/posts/${METACULUS_GROUP_POST_ID}/`]: json(group({})) });
    expect(await checkSource(linked.ref, httpFor(server), { now: NOW })).toMatchObject({
      kind: 'pending',
      detail: 'Metaculus "Which lab will first publish a frontier-model safety case?" — OpenAI: open; community prediction 34% yes.',
    });
    await server.close();
    server = await startServer({ [`/api/posts/${METACULUS_GROUP_POST_ID}/`]: json(group({ status: 'resolved', resolution: 'yes' })) });
    expect(await checkSource(linked.ref, httpFor(server), { now: NOW })).toEqual({
      kind: 'outcome',
      label: 'yes',
      detail: 'Metaculus "Which lab will first publish a frontier-model safety case?" — OpenAI resolved "yes".',
    });
    expect(await metaculusSubQuestions(linked.ref.kind === 'metaculus' ? linked.ref : groupRef, httpFor(server))).toEqual([]);
  });

  it('says when the group no longer has the linked sub-question', async () => {
    server = await startServer({ [`/api/posts/${METACULUS_GROUP_POST_ID}/`]: json(metaculusGroupPost([{ label: 'Anthropic' }])) });
    const check = await checkSource({ ...groupRef, questionId: 999 }, httpFor(server), { now: NOW });
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('has no sub-question 999'), reason: 'not found' });
  });

  it.each([401, 403])('words a tokenless request refused with HTTP %d as a missing or invalid token', async (status) => {
    server = await startServer({ [POST_PATH]: json({ detail: 'Authentication credentials were not provided.' }, status) });
    const check = await checkSource(ref, httpFor(server), { now: NOW });
    expect(check).toEqual({
      kind: 'error',
      message: expect.stringMatching(new RegExp(`^Metaculus refused the request: token missing or invalid \\(HTTP ${status}\\)\\. Set CRUX_METACULUS_TOKEN`)),
      reason: 'Metaculus refused: token missing or invalid',
    });
    expect(server.requests[0]?.headers['authorization']).toBeUndefined();
  });
});
