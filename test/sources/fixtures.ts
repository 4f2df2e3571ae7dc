/**
 * Replies shaped like the platforms' real ones, extra fields included, so the schemas are tested for tolerance too.
 * Manifold: FullMarket in common/src/api/market-types.ts and docs/docs/api.md (manifoldmarkets/manifold).
 * Metaculus: serialize_post in posts/serializers.py and serialize_question in questions/serializers/common.py.
 * Polymarket: the Gamma reference page for GET /markets/slug/{slug} (docs.polymarket.com).
 */

type Json = Record<string, unknown>;

const MANIFOLD_CREATED = 1_678_900_000_000;
const MANIFOLD_RESOLVED = 1_735_689_600_000;

export const MANIFOLD_MARKET_ID = 'kupKInoLsjMuiDiNfogm';
export const MANIFOLD_SLUG = 'will-debatebased-scalable-oversight';

export function manifoldBinaryMarket(overrides: Json = {}): Json {
  return {
    id: MANIFOLD_MARKET_ID,
    creatorId: 'igi2zGXsfxYPgB0DJTXVJVmwCOr2',
    creatorUsername: 'Austin',
    creatorName: 'Austin',
    createdTime: MANIFOLD_CREATED,
    creatorAvatarUrl: 'https://lh3.googleusercontent.com/a-/AOh14GiZyl1lBehuBMGyJYJhZd-N-mstaUtgE4xdI22lLw=s96-c',
    closeTime: 1_767_225_599_000,
    question: 'Will debate-based scalable oversight beat the RLHF baseline by 2026?',
    slug: MANIFOLD_SLUG,
    url: `https://manifold.markets/Austin/${MANIFOLD_SLUG}`,
    pool: { NO: 842.1180941326232, YES: 311.9004219418331 },
    probability: 0.7297013916083325,
    p: 0.5,
    totalLiquidity: 500,
    outcomeType: 'BINARY',
    mechanism: 'cpmm-1',
    volume: 10211.5,
    volume24Hours: 45,
    isResolved: false,
    uniqueBettorCount: 41,
    lastUpdatedTime: 1_700_000_000_000,
    lastBetTime: 1_699_999_000_000,
    token: 'MANA',
    marketTier: 'plus',
    description: {
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Resolves YES if a debate protocol beats RLHF.' }] }],
    },
    textDescription: 'Resolves YES if a debate protocol beats RLHF.',
    groupSlugs: ['ai-alignment', 'ai-safety'],
    ...overrides,
  };
}

export function manifoldResolvedBinary(resolution: 'YES' | 'NO' | 'CANCEL', overrides: Json = {}): Json {
  return manifoldBinaryMarket({
    isResolved: true,
    resolution,
    resolutionTime: MANIFOLD_RESOLVED,
    resolverId: 'igi2zGXsfxYPgB0DJTXVJVmwCOr2',
    closeTime: MANIFOLD_RESOLVED,
    probability: resolution === 'YES' ? 1 : resolution === 'NO' ? 0 : 0.7297013916083325,
    ...overrides,
  });
}

const MANIFOLD_ANSWERS = [
  { id: 'xN5Sc6Zzvu', text: 'Anthropic', probability: 0.41 },
  { id: 'PI806hsqn2', text: 'OpenAI', probability: 0.33 },
  { id: 'tO5sp2SAlA', text: 'Google DeepMind', probability: 0.26 },
];

export function manifoldMultipleChoiceMarket(overrides: Json = {}, answerOverrides: Json = {}): Json {
  return {
    id: 'Z6XNdhhuvl',
    creatorId: 'igi2zGXsfxYPgB0DJTXVJVmwCOr2',
    creatorUsername: 'Austin',
    creatorName: 'Austin',
    createdTime: MANIFOLD_CREATED,
    closeTime: 1_767_225_599_000,
    question: 'Which lab will first publish a sparse-autoencoder interpretability result on a frontier model?',
    slug: 'which-lab-will-first-publish-a-spars',
    url: 'https://manifold.markets/Austin/which-lab-will-first-publish-a-spars',
    totalLiquidity: 1500,
    outcomeType: 'MULTIPLE_CHOICE',
    mechanism: 'cpmm-multi-1',
    volume: 5320,
    volume24Hours: 0,
    isResolved: false,
    uniqueBettorCount: 23,
    lastUpdatedTime: 1_700_000_000_000,
    token: 'MANA',
    shouldAnswersSumToOne: true,
    addAnswersMode: 'DISABLED',
    answers: MANIFOLD_ANSWERS.map((answer, index) => ({
      ...answer,
      index,
      contractId: 'Z6XNdhhuvl',
      userId: 'igi2zGXsfxYPgB0DJTXVJVmwCOr2',
      createdTime: MANIFOLD_CREATED,
      isOther: false,
      pool: { YES: 120.5 + index, NO: 80.25 },
      totalLiquidity: 500,
      subsidyPool: 0,
      probChanges: { day: 0, week: 0.01, month: -0.02 },
      volume: 1200,
      ...answerOverrides,
    })),
    description: { type: 'doc', content: [] },
    textDescription: '',
    groupSlugs: ['ai-alignment'],
    ...overrides,
  };
}

export const METACULUS_POST_ID = 3479;

export function metaculusPost(questionOverrides: Json = {}, postOverrides: Json = {}): Json {
  const resolved = questionOverrides['status'] === 'resolved';
  return {
    id: METACULUS_POST_ID,
    title: 'Will a major AI lab publicly commit to a compute-threshold pause before 2027?',
    short_title: 'Compute-threshold pause commitment by 2027',
    url_title: 'Compute-threshold pause commitment by 2027',
    slug: 'compute-threshold-pause-commitment-by-2027',
    author_id: 120279,
    author_username: 'alignment_forecaster',
    coauthors: [],
    created_at: '2023-03-14T17:02:11.337517Z',
    published_at: '2023-03-15T00:00:00Z',
    edited_at: '2024-11-02T09:41:27.210344Z',
    curation_status: 'approved',
    curation_status_updated_at: '2023-03-15T00:00:00Z',
    comment_count: 87,
    status: resolved ? 'resolved' : 'open',
    resolved,
    actual_close_time: null,
    scheduled_close_time: '2026-12-31T23:00:00Z',
    scheduled_resolve_time: '2027-01-01T00:00:00Z',
    open_time: '2023-03-15T00:00:00Z',
    nr_forecasters: 412,
    projects: {
      default_project: { id: 144, type: 'site_main', name: 'Metaculus Community', slug: null },
      category: [{ id: 3694, name: 'Artificial Intelligence', slug: 'artificial-intelligence' }],
    },
    question: {
      id: 21104,
      title: 'Will a major AI lab publicly commit to a compute-threshold pause before 2027?',
      description: 'A pause commitment counts if …',
      created_at: '2023-03-14T17:02:11.337517Z',
      open_time: '2023-03-15T00:00:00Z',
      cp_reveal_time: '2023-03-17T00:00:00Z',
      spot_scoring_time: '2026-12-31T23:00:00Z',
      scheduled_resolve_time: '2027-01-01T00:00:00Z',
      actual_resolve_time: null,
      resolution_set_time: null,
      scheduled_close_time: '2026-12-31T23:00:00Z',
      actual_close_time: '2026-12-31T23:00:00Z',
      type: 'binary',
      options: null,
      group_variable: '',
      status: 'open',
      possibilities: { type: 'binary' },
      resolution: null,
      include_bots_in_aggregates: false,
      question_weight: 1,
      resolution_criteria: 'Resolves yes if …',
      fine_print: '',
      label: '',
      unit: '',
      open_upper_bound: null,
      open_lower_bound: null,
      inbound_outcome_count: null,
      scaling: { range_max: null, range_min: null, zero_point: null },
      group_rank: null,
      post_id: METACULUS_POST_ID,
      aggregations: {
        recency_weighted: {
          history: [],
          latest: {
            start_time: 1_730_540_487.21,
            end_time: null,
            forecast_values: [0.66, 0.34],
            forecaster_count: 412,
            interval_lower_bounds: [0.2],
            centers: [0.34],
            interval_upper_bounds: [0.5],
            means: [0.36],
            histogram: null,
          },
          score_data: {},
        },
        unweighted: { history: [], latest: null, score_data: {} },
        single_aggregation: { history: [], latest: null, score_data: {} },
        metaculus_prediction: { history: [], latest: null, score_data: {} },
      },
      ...questionOverrides,
    },
    user_permission: 'forecaster',
    vote: { score: 42, user_vote: null },
    forecasts_count: 1311,
    key_factors: [],
    is_current_content_translated: false,
    ...postOverrides,
  };
}

export function metaculusResolvedPost(resolution: string, questionOverrides: Json = {}): Json {
  return metaculusPost({
    status: 'resolved',
    resolution,
    actual_resolve_time: '2025-06-01T00:00:00Z',
    resolution_set_time: '2025-06-01T10:12:44.512Z',
    ...questionOverrides,
  });
}

export const POLYMARKET_SLUG = 'will-openai-announce-agi-in-2025';

export function polymarketMarket(overrides: Json = {}): Json {
  return {
    id: '516710',
    question: 'Will OpenAI announce AGI in 2025?',
    conditionId: '0x8b2d7c3d1b6f5e8a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b',
    slug: POLYMARKET_SLUG,
    resolutionSource: '',
    endDate: '2025-12-31T12:00:00Z',
    liquidity: '15230.4412',
    startDate: '2024-12-20T17:12:06.482Z',
    image: 'https://polymarket-upload.s3.us-east-2.amazonaws.com/openai-agi.png',
    icon: 'https://polymarket-upload.s3.us-east-2.amazonaws.com/openai-agi.png',
    description: 'This market will resolve to "Yes" if OpenAI officially announces …',
    outcomes: '["Yes", "No"]',
    outcomePrices: '["0.0415", "0.9585"]',
    volume: '1842210.118331',
    active: true,
    closed: false,
    marketMakerAddress: '',
    createdAt: '2024-12-20T16:58:37.157Z',
    updatedAt: '2025-06-11T08:04:52.114Z',
    new: false,
    featured: false,
    submitted_by: '0x91430CaD2d3975766499717fA0D66A78D814E5c5',
    archived: false,
    resolvedBy: '0x6A9D222616C90FcA5754cd1333cFD9b7fb6a4F74',
    restricted: true,
    groupItemTitle: '',
    groupItemThreshold: '0',
    questionID: '0x3f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e',
    enableOrderBook: true,
    orderPriceMinTickSize: 0.001,
    orderMinSize: 5,
    volumeNum: 1842210.118331,
    liquidityNum: 15230.4412,
    endDateIso: '2025-12-31',
    startDateIso: '2024-12-20',
    hasReviewedDates: true,
    volume24hr: 10233.2,
    volume1wk: 80211.9,
    clobTokenIds: '["71321045679252212594626385532706912750332728571942532289631379312455583992563", "52114319501245915516055106046884209969926127482827954674443846427813813222426"]',
    umaBond: '500',
    umaReward: '5',
    acceptingOrders: true,
    negRisk: false,
    events: [{ id: '16167', slug: POLYMARKET_SLUG, title: 'Will OpenAI announce AGI in 2025?' }],
    spread: 0.002,
    lastTradePrice: 0.041,
    bestBid: 0.041,
    bestAsk: 0.043,
    ...overrides,
  };
}

export function polymarketClosed(umaResolutionStatus: string, outcomePrices: string, overrides: Json = {}): Json {
  return polymarketMarket({
    closed: true,
    active: true,
    acceptingOrders: false,
    closedTime: '2026-01-01 12:00:37+00',
    umaEndDate: '2026-01-01T14:05:11Z',
    umaResolutionStatus,
    umaResolutionStatuses: `["proposed"${umaResolutionStatus === 'resolved' ? ', "resolved"' : ''}]`,
    outcomePrices,
    ...overrides,
  });
}

export const METACULUS_GROUP_POST_ID = 31245;

/**
 * A group post as `api/posts/{id}/` sends it: no `question`, a `group_of_questions` whose `questions` are whole
 * questions (each with its own id, label, status and resolution), one per sub-question.
 */
export function metaculusGroupPost(subQuestions: readonly Json[]): Json {
  const { question: lone, ...post } = metaculusPost();
  return {
    ...post,
    id: METACULUS_GROUP_POST_ID,
    title: 'Which lab will first publish a frontier-model safety case?',
    slug: 'which-lab-first-frontier-safety-case',
    group_of_questions: {
      id: 512,
      description: 'One question per lab.',
      resolution_criteria: 'Each resolves yes if that lab publishes first.',
      fine_print: '',
      group_variable: 'Lab',
      graph_type: 'multiple_choice_graph',
      subquestions_order: 'MANUAL',
      questions: subQuestions.map((overrides, index) => ({
        ...(lone as Json),
        id: 31300 + index,
        post_id: METACULUS_GROUP_POST_ID,
        group_rank: index,
        ...overrides,
      })),
    },
  };
}

export const POLYMARKET_EVENT_SLUG = 'which-lab-first-agi-claim';

/** One market of a multi-market event: a Yes/No market on one name, the name in `groupItemTitle`. */
export function polymarketEventMarket(name: string, overrides: Json = {}): Json {
  const slug = `${POLYMARKET_EVENT_SLUG}-${name.toLowerCase().replace(/\W+/g, '-')}`;
  return polymarketMarket({ id: `6${slug.length}${name.length}`, slug, question: `Will ${name} claim AGI first?`, groupItemTitle: name, events: undefined, ...overrides });
}

/** Gamma's `GET /events?slug={slug}`: a list holding the one event, with its markets. */
export function polymarketEvents(markets: readonly Json[]): Json[] {
  return [
    {
      id: '90210',
      ticker: POLYMARKET_EVENT_SLUG,
      slug: POLYMARKET_EVENT_SLUG,
      title: 'Which lab claims AGI first?',
      description: 'Resolves to the lab that first …',
      active: true,
      closed: false,
      archived: false,
      negRisk: true,
      volume: 120_000.5,
      markets,
    },
  ];
}
