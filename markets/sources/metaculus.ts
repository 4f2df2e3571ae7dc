import { z } from 'zod';
import { formatProbability } from './format.ts';
import { apiUrl, failedCheck, type FetchFailure, fetchJson, notUnderstood } from './http.ts';
import { httpUrlSchema, linkWithoutQuery, pathSegments, refused, validatedRef } from './ref.ts';
import type { OutsideOdd, PlatformDefinition, RefParse, SourceCheck, SourceHttp } from './types.ts';

export const METACULUS_DEFAULT_BASE_URL = 'https://www.metaculus.com';

const SITE_HOSTS = new Set(['metaculus.com', 'www.metaculus.com']);
const SOURCE_NAME = 'Metaculus';
/** questions/constants.py UnsuccessfulResolutionType: the question is void, not answered. */
const VOID_RESOLUTIONS = new Set(['ambiguous', 'annulled']);

/** The query parameter of a link to one question of a group post: metaculus.com/questions/<post>/?sub-question=<id>. */
const SUB_QUESTION_PARAMETER = 'sub-question';

/** Metaculus answers a request without a valid token with one of these (every request needs one since 2026-01). */
const TOKEN_REFUSALS = new Set([401, 403]);
export const METACULUS_TOKEN_REFUSAL = 'Metaculus refused: token missing or invalid';

export const metaculusRefSchema = z.object({
  kind: z.literal('metaculus'),
  postId: z.number().int().positive(),
  /** One question of a group post; absent for a post that is a single question. */
  questionId: z.number().int().positive().optional(),
  url: httpUrlSchema,
});

export type MetaculusRef = z.infer<typeof metaculusRefSchema>;

/**
 * The fields of `GET /api/posts/{id}/` (posts/serializers.py serialize_post, questions/serializers/common.py) that
 * decide a check. Group, conditional and notebook posts carry no single `question`, so we can only say so.
 */
const metaculusQuestionSchema = z.object({
  id: z.number(),
  title: z.string(),
  /** A group's sub-question is named by its label ("2026", "OpenAI"); a lone question's label is "". */
  label: z.string().nullish(),
  type: z.string(),
  // QuestionStatus: "upcoming" | "open" | "closed" | "resolved"; a new status must not break polling.
  status: z.string(),
  // "yes" / "no", a multiple-choice option, a number or date, "ambiguous" or "annulled"; null until resolved.
  resolution: z.string().nullish(),
  aggregations: z
    .object({
      recency_weighted: z
        .object({ latest: z.object({ centers: z.array(z.number()).nullish() }).nullish() })
        .optional(),
    })
    .optional(),
});

const metaculusPostSchema = z.object({
  id: z.number(),
  title: z.string(),
  question: metaculusQuestionSchema.optional(),
  // GroupOfQuestions: its questions are whole questions, each with its own id, status and resolution.
  group_of_questions: z.object({ questions: z.array(metaculusQuestionSchema) }).nullish(),
  conditional: z.unknown().optional(),
  notebook: z.unknown().optional(),
});

type MetaculusPost = z.infer<typeof metaculusPostSchema>;
type MetaculusQuestion = z.infer<typeof metaculusQuestionSchema>;

/** A question of a group post, by name, with the link that picks it. */
export interface MetaculusSubQuestion {
  readonly name: string;
  readonly link: string;
}

/** metaculus.com/questions/<id>/<slug>/ and community pages metaculus.com/c/<community>/<id>/<slug>/. */
function recogniseUrl(url: URL): RefParse<MetaculusRef> | undefined {
  if (!SITE_HOSTS.has(url.hostname)) return undefined;
  const segments = pathSegments(url);
  const idSegment = segments[0] === 'questions' ? segments[1] : segments[0] === 'c' ? segments[2] : undefined;
  if (idSegment === undefined || !/^\d+$/.test(idSegment)) {
    return refused('That Metaculus link is not a question. Expected metaculus.com/questions/<id>/….');
  }
  const subQuestion = url.searchParams.get(SUB_QUESTION_PARAMETER);
  if (subQuestion === null) {
    return validatedRef(metaculusRefSchema, { kind: 'metaculus', postId: Number(idSegment), url: linkWithoutQuery(url) }, 'Metaculus link');
  }
  if (!/^\d+$/.test(subQuestion)) return refused(`"${subQuestion}" is not a Metaculus sub-question id (a number).`);
  return validatedRef(
    metaculusRefSchema,
    { kind: 'metaculus', postId: Number(idSegment), questionId: Number(subQuestion), url: subQuestionLink(linkWithoutQuery(url), Number(subQuestion)) },
    'Metaculus link',
  );
}

/** The link of one question of a group: the post's link with the question picked. */
function subQuestionLink(postLink: string, questionId: number): string {
  return `${postLink}?${SUB_QUESTION_PARAMETER}=${questionId}`;
}

function parseBareId(text: string): RefParse<MetaculusRef> {
  if (!/^\d+$/.test(text)) return refused(`"${text}" is not a Metaculus question id (a number such as 3479).`);
  return validatedRef(
    metaculusRefSchema,
    { kind: 'metaculus', postId: Number(text), url: `https://www.metaculus.com/questions/${text}/` },
    `"${text}" is not a Metaculus question id`,
  );
}

async function fetchPost(ref: MetaculusRef, http: SourceHttp) {
  const url = apiUrl(http.baseUrl ?? METACULUS_DEFAULT_BASE_URL, `api/posts/${ref.postId}/`);
  const reply = await fetchJson(url, http, SOURCE_NAME, metaculusPostSchema);
  return reply.ok || !TOKEN_REFUSALS.has(reply.status ?? 0) ? reply : tokenRefusal(reply);
}

/** A refused token is the operator's to fix, so the reply says what to set rather than only the status. */
function tokenRefusal(failure: FetchFailure): FetchFailure {
  return {
    ...failure,
    reason: METACULUS_TOKEN_REFUSAL,
    message: `Metaculus refused the request: token missing or invalid (HTTP ${failure.status}). Set CRUX_METACULUS_TOKEN to a Metaculus API token. ${failure.message}`,
  };
}

async function checkMetaculus(ref: MetaculusRef, http: SourceHttp): Promise<SourceCheck> {
  const reply = await fetchPost(ref, http);
  if (!reply.ok) return failedCheck(reply);
  return judgePost(reply.value, ref);
}

/**
 * The questions of the group post `ref` links to, when it is a group and the link picks none of them; an empty list
 * for any other post, and undefined when the post cannot be read (the poller will say why).
 */
export async function metaculusSubQuestions(ref: MetaculusRef, http: SourceHttp): Promise<readonly MetaculusSubQuestion[] | undefined> {
  if (ref.questionId !== undefined) return [];
  const reply = await fetchPost(ref, http);
  if (!reply.ok) return undefined;
  return (reply.value.group_of_questions?.questions ?? []).map((question) => ({
    name: subQuestionName(question),
    link: subQuestionLink(ref.url, question.id),
  }));
}

function subQuestionName(question: MetaculusQuestion): string {
  return question.label === undefined || question.label === null || question.label === '' ? question.title : question.label;
}

function judgePost(post: MetaculusPost, ref: MetaculusRef): SourceCheck {
  const questions = post.group_of_questions?.questions;
  if (ref.questionId !== undefined) {
    const picked = questions?.find((candidate) => candidate.id === ref.questionId);
    if (picked === undefined) {
      return { kind: 'error', message: `Metaculus post ${post.id} ("${post.title}") has no sub-question ${ref.questionId}.`, reason: 'not found' };
    }
    return judgeQuestion(picked, `Metaculus "${post.title}" — ${subQuestionName(picked)}`);
  }
  if (post.question !== undefined) return judgeQuestion(post.question, `Metaculus "${post.question.title}"`);
  const hint =
    questions !== undefined && questions.length > 0
      ? ` Link one of its questions: ${questions.map((q) => `${subQuestionName(q)} <${subQuestionLink(ref.url, q.id)}>`).join(', ')}.`
      : ' Link one of its questions instead.';
  return {
    kind: 'error',
    message: `Metaculus post ${post.id} ("${post.title}") is ${describeNonQuestion(post)}, not a single question.${hint}`,
    reason: `${describeNonQuestion(post)}, not a question`,
  };
}

function judgeQuestion(question: MetaculusQuestion, name: string): SourceCheck {
  if (question.status !== 'resolved') {
    const odds = currentOdds(question);
    return { kind: 'pending', detail: `${name}: ${describeUnresolved(question)}`, ...(odds.length > 0 ? { odds } : {}) };
  }
  const resolution = question.resolution;
  if (resolution === undefined || resolution === null || resolution === '') {
    return notUnderstood(`${name} is marked resolved but Metaculus gives no resolution.`);
  }
  if (VOID_RESOLUTIONS.has(resolution)) return { kind: 'cancel', detail: `${name} resolved ${resolution}.` };
  return { kind: 'outcome', label: resolution, detail: `${name} resolved "${resolution}".` };
}

/** For binary questions the community prediction's single center is P(yes); other types give no odds Crux can map. */
function communityYes(question: MetaculusQuestion): number | undefined {
  return question.type === 'binary' ? (question.aggregations?.recency_weighted?.latest?.centers?.[0] ?? undefined) : undefined;
}

/** The community's current odds, as the outside odds beside Crux's price. */
function currentOdds(question: MetaculusQuestion): OutsideOdd[] {
  const yes = communityYes(question);
  return yes === undefined ? [] : [{ label: 'Yes', probability: yes }, { label: 'No', probability: 1 - yes }];
}

function describeUnresolved(question: MetaculusQuestion): string {
  const state =
    question.status === 'closed'
      ? 'closed, awaiting resolution'
      : question.status === 'upcoming'
        ? 'not open for forecasts yet'
        : question.status;
  const yes = communityYes(question);
  return yes === undefined ? `${state}.` : `${state}; community prediction ${formatProbability(yes)} yes.`;
}

function describeNonQuestion(post: MetaculusPost): string {
  if (post.group_of_questions) return 'a group of questions';
  if (post.conditional) return 'a conditional pair';
  if (post.notebook) return 'a notebook';
  return 'a post without a question';
}

export const metaculusSource = {
  refSchema: metaculusRefSchema,
  recogniseUrl,
  parseBareId,
  check: checkMetaculus,
} satisfies PlatformDefinition<MetaculusRef>;
