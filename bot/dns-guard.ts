import { lookup } from 'node:dns/promises';
import type { LinkGuard, ResolveHost } from '../markets/sources/link-guard.ts';

/** A lookup slower than this fails: at link time Discord waits only 3 seconds for the answer. */
const LOOKUP_TIMEOUT_MS = 2_000;

/** Every address the system resolver gives for `hostname` (IPv4 and IPv6, as getaddrinfo orders them). */
export const resolveWithDns: ResolveHost = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`), { code: 'ETIMEOUT' })), LOOKUP_TIMEOUT_MS);
  });
  try {
    const answers = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
    return answers.map((answer) => answer.address);
  } finally {
    clearTimeout(timer);
  }
};

/** The production guard for links members give: real DNS, nothing internal allowed. */
export const DNS_LINK_GUARD: LinkGuard = { resolve: resolveWithDns };
