import { prefixOf } from '../../markets/names.ts';
/** Small text helpers shared by every renderer. */

export function percent(probability: number, digits = 1): string {
  return `${(probability * 100).toFixed(digits)}%`;
}

const BAR_WIDTH = 12;

/** A price as a bar of blocks, so a glance compares outcomes. */
export function priceBar(probability: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, probability)) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

/** A Discord timestamp: each reader sees it in their own time zone; the console renders it as UTC. */
export function discordTime(epochMs: number, style: 'R' | 'f' | 'D' = 'f'): string {
  return `<t:${Math.floor(epochMs / 1000)}:${style}>`;
}

/** At most `max` characters, ending with "…" when cut; never splits a surrogate pair (half an emoji is invalid text). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return `${prefixOf(text, max - 1)}…`;
}

/** Stops user text from pinging anyone or breaking formatting when echoed back. */
export function plain(text: string): string {
  return text.replace(/@/g, '@\u200b').replace(/([*_`~|>])/g, '\\$1');
}
