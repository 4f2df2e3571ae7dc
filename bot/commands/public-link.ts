import { CruxError } from '../../markets/errors.ts';
import { parseSourceUrl } from '../../markets/sources/index.ts';
import { internalAddressRefusal } from '../../markets/sources/link-guard.ts';
import type { App } from './command.ts';

/**
 * Refuses, before anything is written, a source link that would make Crux fetch an internal address. Only plain URL
 * sources are fetched as given; a platform link is read through that platform's configured API, and a link that does
 * not parse is left for the use case to refuse in its own words.
 */
export async function assertPublicLink(app: App, link: string | undefined): Promise<void> {
  if (link === undefined || link === '') return;
  const parsed = parseSourceUrl(link);
  if (!parsed.ok || parsed.ref.kind !== 'url') return;
  const refusal = await internalAddressRefusal(new URL(parsed.ref.url), app.linkGuard);
  if (refusal !== undefined) throw new CruxError('invalid_input', `That link cannot be a source: ${refusal}.`);
}
