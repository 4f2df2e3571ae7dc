import { CruxError } from '../errors.ts';
import { addressKind, isMetadataHostName } from '../sources/address.ts';

const MAX_URL_LENGTH = 500;

/**
 * A member's evidence link, normalised; refused unless it is an http(s) URL of a public host. Crux never fetches
 * evidence, so the host is judged as written (an address literal by the sources' address rules, or localhost), not
 * looked up in DNS as a source link is.
 */
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
  const kind = addressKind(host);
  if (host === 'localhost' || host.endsWith('.localhost') || isMetadataHostName(host) || (kind !== undefined && kind !== 'public')) {
    throw new CruxError('invalid_input', 'That link points at a private or local address; give a public one.');
  }
  return url.toString();
}
