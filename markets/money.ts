/**
 * Money is integer milli-credits ("millis") everywhere it is stored or moved: 1 credit = 1000 millis.
 * Shares are integer milli-shares, and a winning share pays one credit, so a winning milli-share pays
 * exactly one milli-credit — payouts need no rounding at all.
 *
 * Floats live only inside the LMSR math; the functions here are the one place they become integers,
 * and every conversion rounds in the market maker's favour.
 */
export type Millis = number;

export const MILLIS_PER_CREDIT = 1000;

export function isMillis(value: number): boolean {
  return Number.isSafeInteger(value);
}

/**
 * How far a float cost or proceeds can be from the exact LMSR figure, relative to it: the closed forms (log1p, expm1,
 * log-add-exp) lose a few units in the last place. Rounding starts past this margin, so an exact cost a hair above a
 * whole milli-credit is never charged a milli-credit less because its float came out a hair below.
 */
const FLOAT_MARGIN = 16 * Number.EPSILON;

/** What a trader pays for a float cost in credits: rounded up, past the float's margin. */
export function chargeInMillis(costInCredits: number): Millis {
  return Math.ceil(costInCredits * MILLIS_PER_CREDIT * (1 + FLOAT_MARGIN));
}

/** What a trader receives for float proceeds in credits: rounded down, past the float's margin. */
export function proceedsInMillis(proceedsInCredits: number): Millis {
  return Math.max(0, Math.floor(proceedsInCredits * MILLIS_PER_CREDIT * (1 - FLOAT_MARGIN)));
}

/** Shares a trader receives for a float share count: rounded down to whole milli-shares. */
export function sharesInMillis(shares: number): Millis {
  return Math.max(0, Math.floor(shares * MILLIS_PER_CREDIT));
}

export function creditsToMillis(credits: number): Millis {
  const millis = Math.round(credits * MILLIS_PER_CREDIT);
  if (!isMillis(millis)) throw new RangeError(`${credits} credits is out of range`);
  return millis;
}

export function millisToCredits(millis: Millis): number {
  return millis / MILLIS_PER_CREDIT;
}

/** Shows an amount the way users read it: whole credits unless a fraction is there, never rounded up. */
export function formatCredits(millis: Millis): string {
  const sign = millis < 0 ? '-' : '';
  const abs = Math.abs(millis);
  const whole = Math.floor(abs / MILLIS_PER_CREDIT);
  const cents = Math.floor((abs % MILLIS_PER_CREDIT) / 10);
  const wholeText = whole.toLocaleString('en-US');
  return cents === 0 ? `${sign}${wholeText}` : `${sign}${wholeText}.${String(cents).padStart(2, '0')}`;
}

/** Milli-shares shown as shares with two decimals, truncated. */
export function formatShares(milliShares: Millis): string {
  return formatCredits(milliShares);
}
