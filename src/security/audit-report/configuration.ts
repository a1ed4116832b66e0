import fs from "node:fs/promises";
import path from "node:path";
import { masterKeyFileName } from "../master-key-file.js";
import type { AuditContext, Finding } from "./model.js";

/**
 * Configuration risks of the process running the audit: it reads its own environment, so run `coffer audit` with
 * the environment `coffer start` runs with (the daily worker does, by being that process).
 */
export async function checkConfiguration(context: AuditContext): Promise<Finding[]> {
  return [
    ...(await masterKeyFindings(context)),
    ...publicUrlFindings(context),
    ...webhookTargetFindings(context),
    ...listenFindings(context),
    ...gatewayFindings(context),
  ];
}

const defaultPort = 4000;
const allInterfaces = new Set(["0.0.0.0", "::", "[::]", "*"]);

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || /^127\./.test(hostname) || hostname === "[::1]";
}

function liveNote(context: AuditContext): string {
  return context.liveMerchants > 0
    ? ` ${context.liveMerchants} merchant(s) are approved for live mode.`
    : " DATABASE_URL is set, so this is judged as a deployment.";
}

async function masterKeyFindings(context: AuditContext): Promise<Finding[]> {
  const { config } = context;
  if (config.masterKey) return [];
  const file = path.join(config.dataDir, masterKeyFileName);
  const mode = await fs.stat(file).then(
    (stat) => stat.mode,
    () => undefined,
  );
  const findings: Finding[] = [];
  if (mode !== undefined && (mode & 0o077) !== 0) {
    findings.push({
      id: "master_key_file_readable",
      severity: "high",
      title: "The master key file is readable by other users",
      detail: `${file} has mode ${(mode & 0o777).toString(8)}: other accounts on this machine can read the key that unwraps every data key.`,
      remedy: `chmod 600 ${file} (or move the key to COFFER_MASTER_KEY in your secret store).`,
    });
  }
  if (context.production) {
    findings.push({
      id: "master_key_not_set",
      severity: "high",
      title: "COFFER_MASTER_KEY is not set",
      detail:
        `coffer uses a master key it generated into ${file}. Each machine without the variable makes its own, so ` +
        "another process cannot read what this one encrypted, and a copy of the data folder holds the key beside " +
        `the data it protects.${liveNote(context)}`,
      remedy:
        "Set COFFER_MASTER_KEY (32 bytes, 64 hex digits) from your secret store on every coffer process. To keep the " +
        `data encrypted so far, use the key in ${file}: cat it into the variable, then keep it out of backups.`,
    });
  } else {
    findings.push({
      id: "master_key_not_set",
      severity: "low",
      title: "COFFER_MASTER_KEY is not set (development default)",
      detail: `coffer uses the master key it generated into ${file}, which is fine on a developer's machine.`,
      remedy: "Before going live, set COFFER_MASTER_KEY from a secret store (docs/SECURITY.md).",
    });
  }
  return findings;
}

function publicUrlFindings(context: AuditContext): Finding[] {
  const { config } = context;
  if (!context.production) return [];
  if (config.publicUrl === undefined) {
    return [
      {
        id: "public_url_not_set",
        severity: "high",
        title: "COFFER_PUBLIC_URL is not set",
        detail:
          "Links in mails (email verification, password reset, invitations) are built from the request's Host " +
          `header, which the caller chooses: a reset link could point at someone else's site.${liveNote(context)}`,
        remedy: "Set COFFER_PUBLIC_URL to the https:// address your users reach coffer at.",
      },
    ];
  }
  const url = new URL(config.publicUrl);
  if (url.protocol === "https:") return [];
  return [
    {
      id: "public_url_not_https",
      severity: isLoopbackHost(url.hostname) ? "medium" : "high",
      title: "coffer is served over plain http",
      detail:
        `COFFER_PUBLIC_URL is ${config.publicUrl}: console cookies are not marked Secure, and API keys, passwords ` +
        `and session cookies cross the network in clear.${liveNote(context)}`,
      remedy:
        "Put coffer behind a TLS-terminating proxy and set COFFER_PUBLIC_URL to its https:// address (coffer itself " +
        "serves plain HTTP).",
    },
  ];
}

function webhookTargetFindings(context: AuditContext): Finding[] {
  const setting = context.config.webhookLocalTargets;
  if (setting === "none") return [];
  // On a developer's machine, test-mode endpoints on localhost are the point of the default.
  if (setting === "test" && !context.production) return [];
  return [
    {
      id: "webhook_local_targets_allowed",
      severity: context.production ? "high" : "low",
      title: `Webhook endpoints may target local and private addresses (${setting === "all" ? "both modes" : "test mode"})`,
      detail:
        `COFFER_WEBHOOK_LOCAL_TARGETS is "${setting}": a merchant ${setting === "all" ? "" : "(any sign-up has test mode) "}` +
        "can make coffer send requests to loopback, private and cloud metadata addresses of coffer's own network.",
      remedy: 'Set COFFER_WEBHOOK_LOCAL_TARGETS=none (the default with DATABASE_URL). Use "test" only on a laptop.',
    },
  ];
}

function listenFindings(context: AuditContext): Finding[] {
  const { config } = context;
  if (!allInterfaces.has(config.host)) return [];
  const onDefault = config.port === defaultPort;
  return [
    {
      id: "listening_on_all_interfaces",
      severity: onDefault ? "medium" : "low",
      title: `coffer listens on every network interface${onDefault ? ` on its default port ${defaultPort}` : ""}`,
      detail:
        `HOST is ${config.host} and PORT ${config.port}: coffer's plain-HTTP port is reachable from every network this ` +
        "machine is on, past the TLS proxy in front of it. In a container that publishes the port only to that proxy, " +
        "this is expected.",
      remedy:
        "Set HOST to the address the proxy connects to (127.0.0.1 when it runs on this machine), or firewall the " +
        "port so that only the proxy reaches it.",
    },
  ];
}

function gatewayFindings(context: AuditContext): Finding[] {
  const { config } = context;
  if (!config.smsHttpUrl || !config.smsHttpToken) return [];
  const url = new URL(config.smsHttpUrl);
  if (url.protocol === "https:" || isLoopbackHost(url.hostname)) return [];
  return [
    {
      id: "sms_gateway_token_in_clear",
      severity: "medium",
      title: "The SMS gateway's token is sent over plain http",
      detail: `SMS_HTTP_URL is an http:// address on ${url.hostname}: SMS_HTTP_TOKEN and every code sent cross the network in clear.`,
      remedy: "Use the gateway's https:// address in SMS_HTTP_URL.",
    },
  ];
}
