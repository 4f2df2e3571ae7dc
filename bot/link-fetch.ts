import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { checkedAddresses, InternalAddressError, type LinkGuard } from '../markets/sources/link-guard.ts';

/**
 * A lookup for the sockets of member links: the host is resolved through the guard and the socket is given only
 * addresses that pass it. Checking a link and then letting fetch resolve it again would let a host answer a public
 * address to the check and an internal one to the connection (DNS rebinding). IP literals never reach a lookup; the
 * check before each hop refuses those.
 */
function guardedLookup(guard: LinkGuard): LookupFunction {
  return (hostname, options, callback) => {
    void checkedAddresses(hostname, guard).then((checked) => {
      if (!checked.ok) return callback(new InternalAddressError(checked.refusal), '');
      const found = checked.addresses.map((address) => ({ address, family: isIP(address) }));
      // Node asks for every address when it may try IPv4 and IPv6 in turn (autoSelectFamily), else for one.
      if (options.all === true) return callback(null, found);
      const [first] = found;
      return callback(null, first?.address ?? '', first?.family);
    });
  };
}

/**
 * fetch for links members give, connecting only to addresses `guard` allows at the moment of connecting. undici's
 * own fetch by default, so the agent and the fetch that must honour it come from the same undici; tests may wrap
 * another fetch that accepts a dispatcher.
 */
export function guardedFetch(guard: LinkGuard, base: typeof fetch = undiciFetch): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(guard) } });
  return (input, init) => base(input, { ...init, dispatcher });
}
