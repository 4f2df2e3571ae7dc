/** 0.623 → "62%", 0.9995 → "99.95%": whole percents unless that would hide how close to certain a value is. */
export function formatProbability(probability: number): string {
  const percent = probability * 100;
  const rounded = Math.round(percent);
  if (rounded === percent || (rounded > 0 && rounded < 100)) return `${rounded}%`;
  return `${Number(percent.toPrecision(4))}%`;
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
