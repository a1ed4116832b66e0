import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { webhookUrlLengthMax } from "../limits.js";
import { isPublicAddress } from "./public-address.js";

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

export { isLoopbackAddress, isPublicAddress } from "./public-address.js";

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
