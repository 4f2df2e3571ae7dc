import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import { CruxError } from '../markets/errors.ts';

dayjs.extend(utc);
dayjs.extend(customParseFormat);

const UNITS = {
  minute: 'minute',
  hour: 'hour',
  day: 'day',
  week: 'week',
  month: 'month',
  year: 'year',
} as const;

const RELATIVE = /^in\s+(\d{1,4})\s+(minute|hour|day|week|month|year)s?$/;
const DATE_FORMATS = ['YYYY-MM-DD', 'YYYY-MM-DD HH:mm', 'YYYY-MM-DDTHH:mm', 'YYYY-MM-DDTHH:mm:ss', 'YYYY-MM-DDTHH:mm:ssZ', 'YYYY-MM-DDTHH:mm:ss[Z]'];

/**
 * Reads a close time the way people write one: "2027-06-30", "2027-06-30 18:00" (UTC), an ISO timestamp,
 * "in 3 weeks", "tomorrow", "next month". A bare date closes at the end of that UTC day.
 */
export function parseCloseTime(text: string, now: number): number {
  const phrase = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const base = dayjs.utc(now);
  const relative = RELATIVE.exec(phrase);
  let when: dayjs.Dayjs | undefined;
  if (relative) {
    when = base.add(Number(relative[1]), UNITS[relative[2] as keyof typeof UNITS]);
  } else if (phrase === 'tomorrow') {
    when = base.add(1, 'day').endOf('day');
  } else if (phrase === 'next week' || phrase === 'next month' || phrase === 'next year') {
    when = base.add(1, phrase.slice(5) as 'week' | 'month' | 'year');
  } else {
    const parsed = DATE_FORMATS.map((format) => dayjs.utc(text.trim(), format, true)).find((d) => d.isValid());
    if (parsed) when = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? parsed.endOf('day') : parsed;
  }
  if (when === undefined || !when.isValid()) {
    throw new CruxError('invalid_input', `closes: I could not read "${text}" as a time. Try "2027-06-30" or "in 3 weeks".`);
  }
  if (when.valueOf() <= now) throw new CruxError('invalid_input', 'closes: the close time must be in the future.');
  return when.valueOf();
}
