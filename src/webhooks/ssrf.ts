import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { webhookUrlLengthMax } from "../limits.js";

/**
 * The SSRF guard for webhook URLs: coffer must never be made to call into its own network. A URL is checked when an
 * endpoint is saved and again before every send; the send then connects to exactly the address that was checked
 * (no second DNS lookup, so DNS rebinding cannot swap in an internal address), and never follows redirects.
 */

export type LocalTargets = "none" | "test" | "all";

export type UrlRefusal =
  | "url_invalid"
  | "url_scheme_not_allowed"
  | "url_credentials_not_allowed"
  | "url_host_not_allowed"
  | "url_host_unresolvable";

export type UrlCheck =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  | { ok: false; reason: UrlRefusal; detail: string };

/** Loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges. */
const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}
const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** An IPv4 address mapped into IPv6 (::ffff:a.b.c.d or its hex form) is judged as the IPv4 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

export function isPublicAddress(address: string): boolean {
  const v4 = embeddedIpv4(address);
  if (v4) return !blocked.check(v4, "ipv4");
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, "ipv4");
  if (family === 6) return !blocked.check(address, "ipv6");
  return false;
}

export function isLoopbackAddress(address: string): boolean {
  const v4 = embeddedIpv4(address);
  if (v4) return loopback.check(v4, "ipv4");
  const family = isIP(address);
  return family === 4 ? loopback.check(address, "ipv4") : family === 6 ? loopback.check(address, "ipv6") : false;
}

export interface UrlPolicy {
  livemode: boolean;
  /** Which modes may target loopback/private hosts (an operator setting, for development). */
  localTargets: LocalTargets;
  /** For tests: resolve hostnames without the system resolver. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

function localAllowed(policy: UrlPolicy): boolean {
  return policy.localTargets === "all" || (policy.localTargets === "test" && !policy.livemode);
}

/**
 * Checks a URL and picks the address to connect to. Live mode requires https; every address the name resolves to
 * must be public (one private answer refuses the URL: a rebinding name often answers both).
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<UrlCheck> {
  if (typeof raw !== "string" || raw.length > webhookUrlLengthMax)
    return { ok: false, reason: "url_invalid", detail: "too long" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "url_invalid", detail: "not an absolute URL" };
  }
  const local = localAllowed(policy);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && (local || !policy.livemode))) {
    return {
      ok: false,
      reason: "url_scheme_not_allowed",
      detail: policy.livemode ? "live mode needs https" : "only http(s)",
    };
  }
  if (url.username || url.password)
    return { ok: false, reason: "url_credentials_not_allowed", detail: "no user:password@ in URLs" };

  // The WHATWG parser already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host) && !local) {
      return { ok: false, reason: "url_host_not_allowed", detail: `${host} is a local name` };
    }
    try {
      addresses = policy.resolve ? await policy.resolve(host) : await lookup(host, { all: true, verbatim: true });
    } catch {
      return { ok: false, reason: "url_host_unresolvable", detail: `${host} does not resolve` };
    }
    if (addresses.length === 0)
      return { ok: false, reason: "url_host_unresolvable", detail: `${host} does not resolve` };
  }
  if (!local) {
    const internal = addresses.find((a) => !isPublicAddress(a.address));
    if (internal) {
      return {
        ok: false,
        reason: "url_host_not_allowed",
        detail: `${host} resolves to ${internal.address}, which is not a public address`,
      };
    }
  }
  const chosen = addresses[0]!;
  return { ok: true, url, address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}
