/*
 * Which network addresses a link given by a member may reach. Only the public internet: a link that leads to the
 * bot's own machine, its private network or its cloud's metadata service would let a member read what only the
 * server can (SSRF).
 */

type Bytes = readonly number[];

function parseIpv4(text: string): Bytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

/** Sixteen bytes, or undefined; takes `::` and a dotted IPv4 tail (`::ffff:127.0.0.1`), and drops a `%zone`. */
function parseIpv6(text: string): Bytes | undefined {
  const address = text.replace(/%.*$/, '');
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

/** Whether `bytes` start with the `bits`-long prefix `prefix`. */
function inPrefix(bytes: Bytes, prefix: Bytes, bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const index = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'cloud metadata';

const IPV4_RANGES: readonly { prefix: Bytes; bits: number; kind: AddressKind }[] = [
  { prefix: [169, 254, 169, 254], bits: 32, kind: 'cloud metadata' },
  { prefix: [0, 0, 0, 0], bits: 8, kind: 'unspecified' },
  { prefix: [127, 0, 0, 0], bits: 8, kind: 'loopback' },
  { prefix: [10, 0, 0, 0], bits: 8, kind: 'private' },
  { prefix: [172, 16, 0, 0], bits: 12, kind: 'private' },
  { prefix: [192, 168, 0, 0], bits: 16, kind: 'private' },
  { prefix: [100, 64, 0, 0], bits: 10, kind: 'shared (CGNAT)' },
  { prefix: [169, 254, 0, 0], bits: 16, kind: 'link-local' },
  { prefix: [224, 0, 0, 0], bits: 4, kind: 'multicast' },
  // 240/4 is reserved, and holds the broadcast address 255.255.255.255.
  { prefix: [240, 0, 0, 0], bits: 4, kind: 'reserved' },
];

const v6 = (text: string): Bytes => parseIpv6(text) ?? [];

const IPV6_RANGES: readonly { prefix: Bytes; bits: number; kind: AddressKind }[] = [
  { prefix: v6('fd00:ec2::254'), bits: 128, kind: 'cloud metadata' },
  { prefix: v6('::'), bits: 128, kind: 'unspecified' },
  { prefix: v6('::1'), bits: 128, kind: 'loopback' },
  { prefix: v6('fe80::'), bits: 10, kind: 'link-local' },
  { prefix: v6('fc00::'), bits: 7, kind: 'unique-local' },
  { prefix: v6('ff00::'), bits: 8, kind: 'multicast' },
];

/** IPv6 forms that carry an IPv4 address in their last four bytes: mapped, the old compatible form, and NAT64. */
const EMBEDDED_IPV4: readonly { prefix: Bytes; bits: number }[] = [
  { prefix: v6('::ffff:0:0'), bits: 96 },
  { prefix: v6('::'), bits: 96 },
  { prefix: v6('64:ff9b::'), bits: 96 },
];

function classifyIpv4(bytes: Bytes): AddressKind {
  return IPV4_RANGES.find((range) => inPrefix(bytes, range.prefix, range.bits))?.kind ?? 'public';
}

/** What kind of address `address` (IPv4 or IPv6 text, as DNS answers or a URL holds it) is; undefined if it is not one. */
export function addressKind(address: string): AddressKind | undefined {
  const ipv4 = parseIpv4(address);
  if (ipv4 !== undefined) return classifyIpv4(ipv4);
  const ipv6 = parseIpv6(address.replace(/^\[|\]$/g, ''));
  if (ipv6 === undefined) return undefined;
  const listed = IPV6_RANGES.find((range) => inPrefix(ipv6, range.prefix, range.bits));
  if (listed !== undefined) return listed.kind;
  if (EMBEDDED_IPV4.some((form) => inPrefix(ipv6, form.prefix, form.bits))) return classifyIpv4(ipv6.slice(12));
  return 'public';
}

/** Host names that name a metadata service whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

export function isMetadataHostName(hostname: string): boolean {
  return METADATA_HOSTS.has(hostname.toLowerCase().replace(/\.$/, ''));
}
