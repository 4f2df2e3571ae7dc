import { isIP } from 'node:net';
import { CruxError } from '../errors.ts';

const MAX_URL_LENGTH = 500;

/**
 * Whether an IP literal is one a member's link must not point at: loopback, private, link-local, carrier-grade NAT,
 * unspecified or multicast. Only literals are judged here; a name that resolves to such an address is for a DNS-based
 * check (the sources' link checker), which `checkEvidenceUrl` can call once it exists.
 */
export function isInternalAddress(host: string): boolean {
  const literal = host.replace(/^\[|\]$/g, '');
  const family = isIP(literal);
  if (family === 4) return isInternalIPv4(literal);
  if (family === 6) {
    const lower = literal.toLowerCase();
    const mapped = mappedIPv4(lower);
    if (mapped !== undefined) return isInternalIPv4(mapped);
    return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('ff');
  }
  return false;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one, dotted (::ffff:127.0.0.1) or as WHATWG URLs write it (::ffff:7f00:1). */
function mappedIPv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (hex?.[1] === undefined || hex[2] === undefined) return undefined;
  const [high, low] = [Number.parseInt(hex[1], 16), Number.parseInt(hex[2], 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function isInternalIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224
  );
}

/** A member's evidence link, normalised; refused unless it is an http(s) URL of a public host. */
export function checkEvidenceUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw new CruxError('invalid_input', `A link may be at most ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new CruxError('invalid_input', 'That is not a link: give a full URL starting with https://.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CruxError('invalid_input', 'Only http and https links can be evidence.');
  if (url.username !== '' || url.password !== '') throw new CruxError('invalid_input', 'A link with a user name or password cannot be evidence.');
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host)) {
    throw new CruxError('invalid_input', 'That link points at a private or local address; give a public one.');
  }
  return url.toString();
}
