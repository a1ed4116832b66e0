import { BlockList, isIP } from "node:net";
import { securityAuditProxyEvidenceMs } from "../../limits.js";
import type { AuditContext, Finding } from "./model.js";

/**
 * How callers reach coffer: through a proxy it does not trust (every caller then shares the proxy's address), and
 * whether the dev mailbox shows everyone's mail to anyone who asks.
 *
 * coffer cannot see a proxy's headers it was told not to trust, so a proxy is inferred from what is recorded: an
 * https COFFER_PUBLIC_URL (coffer serves plain HTTP, so something in front terminates TLS), or recent sign-ins that
 * all came from loopback or private addresses. Without either, the finding only says what to do if there is one.
 */
export async function checkExposure(context: AuditContext): Promise<Finding[]> {
  return [...(await proxyFindings(context)), ...devMailboxFindings(context)];
}

const local = new BlockList();
local.addSubnet("127.0.0.0", 8, "ipv4");
local.addSubnet("10.0.0.0", 8, "ipv4");
local.addSubnet("172.16.0.0", 12, "ipv4");
local.addSubnet("192.168.0.0", 16, "ipv4");
local.addSubnet("100.64.0.0", 10, "ipv4");
local.addSubnet("169.254.0.0", 16, "ipv4");
local.addAddress("::1", "ipv6");
local.addSubnet("fc00::", 7, "ipv6");
local.addSubnet("fe80::", 10, "ipv6");

function isLocalAddress(ip: string): boolean {
  const plain = ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(plain);
  if (family === 0) return false;
  return local.check(plain, family === 4 ? "ipv4" : "ipv6");
}

/** Addresses of sign-ins (console, operator, wallet) in the evidence window, with how many came from each. */
async function recentSignInAddresses(context: AuditContext): Promise<{ ip: string; signIns: number }[]> {
  const result = await context.pool.query<{ ip: string; sign_ins: string }>(
    `SELECT ip, count(*) AS sign_ins FROM (
       SELECT ip FROM console_sessions WHERE created_at > $1 AND ip IS NOT NULL
       UNION ALL SELECT ip FROM operator_sessions WHERE created_at > $1 AND ip IS NOT NULL
       UNION ALL SELECT ip FROM wallet_sessions WHERE created_at > $1 AND ip IS NOT NULL
     ) recent GROUP BY ip ORDER BY count(*) DESC LIMIT 1000`,
    [new Date(context.now.getTime() - securityAuditProxyEvidenceMs)],
  );
  return result.rows.map((row) => ({ ip: row.ip, signIns: Number(row.sign_ins) }));
}

async function proxyFindings(context: AuditContext): Promise<Finding[]> {
  const { config } = context;
  if (config.trustedProxies.length > 0 || !context.production) return [];
  const addresses = await recentSignInAddresses(context);
  const signIns = addresses.reduce((sum, a) => sum + a.signIns, 0);
  const allLocal = addresses.length > 0 && addresses.every((a) => isLocalAddress(a.ip));
  const httpsInFront = config.publicUrl?.startsWith("https://") ?? false;
  const evidence: string[] = [];
  if (allLocal) {
    const shown = addresses.slice(0, 3).map((a) => a.ip);
    evidence.push(
      `all ${signIns} sign-in(s) of the last ${Math.round(securityAuditProxyEvidenceMs / 86_400_000)} days came from ${shown.join(", ")}${addresses.length > 3 ? " …" : ""}`,
    );
  }
  if (httpsInFront) evidence.push(`COFFER_PUBLIC_URL is https while coffer itself serves plain HTTP`);
  const consequence =
    "coffer sees the proxy's address as every caller's: per-address limits (sign-ups, failed logins) count " +
    "everyone together, so one attacker can lock all users out, and sessions and audit records show the proxy " +
    "instead of the caller.";
  const remedy =
    "Set COFFER_TRUSTED_PROXIES to the proxy's addresses (IPs or CIDR ranges), and have the proxy set " +
    "X-Forwarded-For and X-Forwarded-Proto.";
  if (evidence.length > 0) {
    return [
      {
        id: "trusted_proxies_not_set",
        severity: "medium",
        title: "Requests seem to arrive through a proxy coffer does not trust",
        detail: `${evidence.join("; ")}. ${consequence}`,
        remedy,
      },
    ];
  }
  return [
    {
      id: "trusted_proxies_not_set",
      severity: "info",
      title: "No trusted proxies are configured",
      detail: `If you run coffer behind a reverse proxy or load balancer, ${consequence}`,
      remedy: `${remedy} If callers connect to coffer directly, nothing needs doing.`,
    },
  ];
}

function devMailboxFindings(context: AuditContext): Finding[] {
  const { config } = context;
  const mail = config.devMailbox && config.smtpUrl === undefined;
  const sms = config.devMailbox && config.smsHttpUrl === undefined;
  if (!mail && !sms) return [];
  const what = [mail ? "mail (GET /v1/console/dev/mailbox)" : null, sms ? "SMS (GET /v1/wallet/dev/sms_outbox)" : null]
    .filter((w) => w !== null)
    .join(" and ");
  return [
    {
      id: "dev_mailbox_on",
      severity: context.production ? "high" : "info",
      title: "The dev mailbox is on",
      detail:
        `COFFER_DEV_MAILBOX is on: ${what} is kept instead of sent and shown to anyone who asks, with every ` +
        `verification code, password reset and invitation link in it.${context.production ? "" : " On a developer's machine that is its purpose."}`,
      remedy: "Set COFFER_DEV_MAILBOX=off and configure SMTP_URL and SMS_HTTP_URL so messages are delivered.",
    },
  ];
}
