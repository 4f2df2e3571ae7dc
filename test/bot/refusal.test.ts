import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { isRefusal, isTransient, refusesOutright } from '../../bot/discord/refusal.ts';

const answered = (status: number, code: number) => new DiscordAPIError({ message: 'refused', code }, code, status, 'POST', '/channels/1/messages', {});
const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('telling a refusal from a send that went unanswered', () => {
  it('drops on a refusal, tries again after a 5xx, a timeout or a broken connection, and never both', () => {
    const cases: [unknown, { refusal: boolean; transient: boolean }][] = [
      [answered(403, 50007), { refusal: true, transient: false }],
      [answered(404, 10003), { refusal: true, transient: false }],
      [answered(400, 50035), { refusal: false, transient: false }],
      [new HTTPError(500, 'Internal Server Error', 'POST', '/channels/1/messages', {}), { refusal: false, transient: true }],
      [new HTTPError(503, 'Service Unavailable', 'POST', '/channels/1/messages', {}), { refusal: false, transient: true }],
      [Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), { refusal: false, transient: true }],
      [withCode('ECONNRESET'), { refusal: false, transient: true }],
      [new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }), { refusal: false, transient: true }],
      [new TypeError("Cannot read properties of undefined (reading 'id')"), { refusal: false, transient: false }],
    ];
    for (const [error, expected] of cases) expect({ refusal: isRefusal(error), transient: isTransient(error) }, String(error)).toEqual(expected);
  });
});

describe('a request Discord will not do however often asked', () => {
  it('is any 4xx but a rate limit or a thread limit', () => {
    expect([400, 403, 404, 429, 500].map((status) => refusesOutright(answered(status, 0)))).toEqual([true, true, true, false, false]);
    expect(refusesOutright(new HTTPError(500, 'Internal Server Error', 'POST', '/channels/1/messages/2/threads', {}))).toBe(false);
    // A server at its active-thread limit gets threads again as others archive.
    expect([160006, 160007, 50024].map((code) => refusesOutright(answered(400, code)))).toEqual([false, false, true]);
  });
});
