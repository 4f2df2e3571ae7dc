import { z } from 'zod';
import { formatProbability } from './format.ts';
import { apiUrl, fetchJson } from './http.ts';
import { httpUrlSchema, linkWithoutQuery, pathSegments, refused, validatedRef } from './ref.ts';
import type { OutsideOdd, PlatformDefinition, RefParse, SourceCheck, SourceHttp } from './types.ts';

export const METACULUS_DEFAULT_BASE_URL = 'https://www.metaculus.com';

const SITE_HOSTS = new Set(['metaculus.com', 'www.metaculus.com']);
const SOURCE_NAME = 'Metaculus';
/** questions/constants.py UnsuccessfulResolutionType: the question is void, not answered. */
const VOID_RESOLUTIONS = new Set(['ambiguous', 'annulled']);

export const metaculusRefSchema = z.object({
  kind: z.literal('metaculus'),
  postId: z.number().int().positive(),
  url: httpUrlSchema,
});

export type MetaculusRef = z.infer<typeof metaculusRefSchema>;

/**
 * The fields of `GET /api/posts/{id}/` (posts/serializers.py serialize_post, questions/serializers/common.py) that
 * decide a check. Group, conditional and notebook posts carry no single `question`, so we can only say so.
 */
const metaculusPostSchema = z.object({
  id: z.number(),
  title: z.string(),
  question: z
    .object({
      id: z.number(),
      title: z.string(),
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
    })
    .optional(),
  group_of_questions: z.unknown().optional(),
  conditional: z.unknown().optional(),
  notebook: z.unknown().optional(),
});

type MetaculusPost = z.infer<typeof metaculusPostSchema>;
type MetaculusQuestion = NonNullable<MetaculusPost['question']>;

/** metaculus.com/questions/<id>/<slug>/ and community pages metaculus.com/c/<community>/<id>/<slug>/. */
function recogniseUrl(url: URL): RefParse<MetaculusRef> | undefined {
  if (!SITE_HOSTS.has(url.hostname)) return undefined;
  const segments = pathSegments(url);
  const idSegment = segments[0] === 'questions' ? segments[1] : segments[0] === 'c' ? segments[2] : undefined;
  if (idSegment === undefined || !/^\d+$/.test(idSegment)) {
    return refused('That Metaculus link is not a question. Expected metaculus.com/questions/<id>/….');
  }
  return validatedRef(
    metaculusRefSchema,
    { kind: 'metaculus', postId: Number(idSegment), url: linkWithoutQuery(url) },
    'Metaculus link',
  );
}

function parseBareId(text: string): RefParse<MetaculusRef> {
  if (!/^\d+$/.test(text)) return refused(`"${text}" is not a Metaculus question id (a number such as 3479).`);
  return validatedRef(
    metaculusRefSchema,
    { kind: 'metaculus', postId: Number(text), url: `https://www.metaculus.com/questions/${text}/` },
    `"${text}" is not a Metaculus question id`,
  );
}

async function checkMetaculus(ref: MetaculusRef, http: SourceHttp): Promise<SourceCheck> {
  const url = apiUrl(http.baseUrl ?? METACULUS_DEFAULT_BASE_URL, `api/posts/${ref.postId}/`);
  const reply = await fetchJson(url, http, SOURCE_NAME, metaculusPostSchema);
  if (!reply.ok) return { kind: 'error', message: reply.message };
  return judgePost(reply.value);
}

function judgePost(post: MetaculusPost): SourceCheck {
  const { question } = post;
  if (question === undefined) {
    return {
      kind: 'error',
      message: `Metaculus post ${post.id} ("${post.title}") is ${describeNonQuestion(post)}, not a single question; link one of its questions instead.`,
    };
  }
  const name = `Metaculus "${question.title}"`;
  if (question.status !== 'resolved') {
    const odds = currentOdds(question);
    return { kind: 'pending', detail: `${name}: ${describeUnresolved(question)}`, ...(odds.length > 0 ? { odds } : {}) };
  }
  const resolution = question.resolution;
  if (resolution === undefined || resolution === null || resolution === '') {
    return { kind: 'error', message: `${name} is marked resolved but Metaculus gives no resolution.` };
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
