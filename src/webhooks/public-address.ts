import { BlockList, isIP } from "node:net";

/**
 * Whether an IP address is one coffer may send webhooks to: not loopback, private, link-local (cloud metadata), CGNAT,
 * multicast, reserved or documentation space, in IPv4 or in any IPv6 form that embeds or reaches an IPv4 address.
 */

const blockedV4 = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, where cloud metadata services answer
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255
] as const) {
  blockedV4.addSubnet(network, prefix, "ipv4");
}

/**
 * IPv6 ranges refused whole: no webhook receiver lives in them. Ranges that carry an IPv4 address a translator
 * or tunnel delivers to (mapped, translated, NAT64's well-known prefix, 6to4) are not here: they are judged by the
 * IPv4 address inside them (see embeddedIpv4).
 */
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  // IPv4-compatible (deprecated by RFC 4291, never routed), with :: (unspecified) and ::1 (loopback) inside it.
  ["::", 96],
  // Local-use NAT64 (RFC 8215): reaches the site's own translator, with the IPv4 address at a place only the
  // operator knows (RFC 6052 allows prefixes of /32 to /96), so it cannot be read out reliably.
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard-only
  // IETF protocol assignments, Teredo (2001::/32) among them: Teredo addresses are clients behind NATs, their
  // IPv4 addresses obfuscated inside; a relay would tunnel to whatever they name. No server lives there.
  ["2001::", 23],
  ["2001:db8::", 32], // documentation
  ["3fff::", 20], // documentation (RFC 9637)
  ["5f00::", 16], // segment-routing identifiers (RFC 9602), not hosts
  ["fc00::", 7], // unique-local: the private networks of IPv6
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still private where used)
  ["ff00::", 8], // multicast
] as const) {
  blockedV6.addSubnet(network, prefix, "ipv6");
}

const loopbackV4 = new BlockList();
loopbackV4.addSubnet("127.0.0.0", 8, "ipv4");

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one (zone ids included). */
export function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let canonical: string;
  try {
    // The WHATWG serializer writes every form (dotted tails, leading zeros, upper case) as compressed hex.
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = "", tail] = canonical.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function dotted(high: number, low: number): string {
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * The IPv4 address an IPv6 address carries to the network, where the IPv6 form is only a wrapper around it:
 * IPv4-mapped ::ffff:0:0/96 (a dual-stack socket connects to the IPv4 address itself), IPv4-translated
 * ::ffff:0:0:0/96 (SIIT), NAT64's well-known prefix 64:ff9b::/96 (RFC 6052: DNS64 answers it for IPv4-only hosts,
 * so a public IPv4 address in it is a legitimate receiver) and 6to4 2002::/16 (the IPv4 address in bits 16–48 is
 * the tunnel's far end).
 */
export function embeddedIpv4(groups: readonly number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const zeroTo3 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;
  if (zeroTo3 && g4 === 0 && g5 === 0xffff) return dotted(g6, g7);
  if (zeroTo3 && g4 === 0xffff && g5 === 0) return dotted(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return dotted(g6, g7);
  if (g0 === 0x2002) return dotted(g1, g2);
  return undefined;
}

/** Anything that is not a valid IP address is not public (fail closed). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blockedV4.check(address, "ipv4");
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const v4 = embeddedIpv4(groups);
  if (v4 !== undefined) return !blockedV4.check(v4, "ipv4");
  return !blockedV6.check(groups.map((g) => g.toString(16)).join(":"), "ipv6");
}

export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return loopbackV4.check(address, "ipv4");
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const v4 = embeddedIpv4(groups);
  if (v4 !== undefined) return loopbackV4.check(v4, "ipv4");
  return groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
}
