import type { AddressInfo } from 'node:net';

/** The port a server bound with `port: 0` ended up on. */
export function portOf(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string') throw new Error('Expected a TCP server address');
  return address.port;
}
