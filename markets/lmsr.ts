/**
 * Hanson's logarithmic market scoring rule, in floats, numbers in and numbers out.
 *
 * q is the vector of outstanding shares per outcome (in shares, not milli-shares) and b the liquidity.
 * Every function works in log space with the maximum shifted out, so no q/b, however large, overflows.
 */

export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  if (max === -Infinity) return -Infinity;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}

/** log(e^a + e^b) without overflow. */
function logAddExp(a: number, b: number): number {
  const max = Math.max(a, b);
  if (max === -Infinity) return -Infinity;
  return max + Math.log1p(Math.exp(Math.min(a, b) - max));
}

function scaled(q: readonly number[], b: number): number[] {
  return q.map((shares) => shares / b);
}

/** C(q) = b·ln Σ exp(q_i / b). */
export function cost(q: readonly number[], b: number): number {
  return b * logSumExp(scaled(q, b));
}

export function logPrices(q: readonly number[], b: number): number[] {
  const x = scaled(q, b);
  const total = logSumExp(x);
  return x.map((xi) => xi - total);
}

/** Prices are the softmax of q/b: each in (0, 1), summing to 1. */
export function prices(q: readonly number[], b: number): number[] {
  const x = scaled(q, b);
  const max = Math.max(...x);
  const weights = x.map((xi) => Math.exp(xi - max));
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map((w) => w / total);
}

/** ln p_k and ln(1 − p_k), each computed without cancellation. */
function logPriceAndComplement(q: readonly number[], b: number, outcome: number): [number, number] {
  const x = scaled(q, b);
  const total = logSumExp(x);
  const others = logSumExp(x.filter((_, i) => i !== outcome));
  return [(x[outcome] ?? 0) - total, others - total];
}

/**
 * C(q + δ·e_k) − C(q): the cost of buying δ shares of outcome k (δ < 0 sells and gives a negative number).
 * Equals b·ln(1 − p_k + p_k·e^{δ/b}).
 */
export function costOfShares(q: readonly number[], b: number, outcome: number, delta: number): number {
  if (delta === 0) return 0;
  const [logP, logNotP] = logPriceAndComplement(q, b, outcome);
  const t = delta / b;
  if (Math.abs(t) < 1) return b * Math.log1p(Math.exp(logP) * Math.expm1(t));
  return b * logAddExp(logNotP, logP + t);
}

/**
 * Shares of outcome k that an amount buys, in closed form: solving C(q + x·e_k) − C(q) = amount gives
 * x = b·ln(1 + (e^{amount/b} − 1) / p_k).
 */
export function sharesForAmount(q: readonly number[], b: number, outcome: number, amount: number): number {
  if (amount <= 0) return 0;
  const [logP, logNotP] = logPriceAndComplement(q, b, outcome);
  const a = amount / b;
  if (a < 1) return b * Math.log1p(Math.expm1(a) / Math.exp(logP));
  // ln(e^a − (1 − p)) − ln p, with e^a factored out so a large amount cannot overflow.
  return b * (a + Math.log1p(-Math.exp(logNotP - a)) - logP);
}

/** The q that makes a fresh market's prices equal the given probabilities (they must sum to 1). */
export function openingShares(probabilities: readonly number[], b: number): number[] {
  return probabilities.map((p) => b * Math.log(p));
}

/**
 * The most the maker can lose from a market opened at q0: max over outcomes of C(q0) − q0_i,
 * which is b·ln n for a uniform opening and b·ln(1 / min p) in general.
 */
export function worstCaseLoss(q0: readonly number[], b: number): number {
  const c0 = cost(q0, b);
  return Math.max(...q0.map((qi) => c0 - qi));
}
