import {
  apiKeyDormantMs,
  apiKeyRotationDueMs,
  dataKeyRotationDueMs,
  masterKeyAgeNoticeMs,
  securityAuditSubjectsMax,
  webhookSecretRotationDueMs,
} from "../../limits.js";
import { type AuditContext, type Finding, subjectList } from "./model.js";

/**
 * Keys and secrets past their age: live API keys (secret and restricted; publishable keys are public), live webhook
 * signing secrets, the active data key, and how long the master key has been in use. Test-mode keys move no money
 * and are left out. Last use of an API key is recorded by the authenticator at most once a minute per key.
 */
export async function checkCredentials(context: AuditContext): Promise<Finding[]> {
  return [
    ...(await apiKeyFindings(context)),
    ...(await webhookSecretFindings(context)),
    ...(await keyAgeFindings(context)),
  ];
}

const dayMs = 24 * 60 * 60 * 1000;
const days = (ms: number) => Math.round(ms / dayMs);

async function apiKeyFindings(context: AuditContext): Promise<Finding[]> {
  const keys = await context.pool.query<{ id: string; merchant_id: string; overdue: boolean; dormant: boolean }>(
    `SELECT id, merchant_id, created_at < $2 AS overdue, coalesce(last_used_at, created_at) < $3 AS dormant
       FROM api_keys
      WHERE livemode AND type <> 'publishable' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
        AND (created_at < $2 OR coalesce(last_used_at, created_at) < $3)
      ORDER BY created_at, id`,
    [
      context.now,
      new Date(context.now.getTime() - apiKeyRotationDueMs),
      new Date(context.now.getTime() - apiKeyDormantMs),
    ],
  );
  const overdue = keys.rows.filter((k) => k.overdue).map((k) => `${k.id} (${k.merchant_id})`);
  const dormant = keys.rows.filter((k) => k.dormant).map((k) => `${k.id} (${k.merchant_id})`);
  const findings: Finding[] = [];
  if (overdue.length > 0) {
    findings.push({
      id: "api_keys_rotation_due",
      severity: "medium",
      title: `${overdue.length} live API key(s) are older than ${days(apiKeyRotationDueMs)} days`,
      detail: `Keys: ${subjectList(overdue, securityAuditSubjectsMax)}. The longer a key lives, the more places it may have leaked to.`,
      remedy:
        "Ask each merchant to roll the key (console: API keys → Roll, or POST /v1/console/api_keys/{id}/roll) and " +
        "deploy the new one within the overlap.",
    });
  }
  if (dormant.length > 0) {
    findings.push({
      id: "api_keys_dormant",
      severity: "medium",
      title: `${dormant.length} live API key(s) have not been used for ${days(apiKeyDormantMs)} days`,
      detail: `Keys: ${subjectList(dormant, securityAuditSubjectsMax)}. A key nobody uses still works for whoever holds a copy.`,
      remedy: "Ask each merchant to revoke the keys they no longer use (console: API keys → Revoke).",
    });
  }
  return findings;
}

async function webhookSecretFindings(context: AuditContext): Promise<Finding[]> {
  const endpoints = await context.pool.query<{ id: string; merchant_id: string }>(
    `SELECT id, merchant_id FROM webhook_endpoints
      WHERE livemode AND deleted_at IS NULL AND coalesce(secret_rotated_at, created_at) < $1
      ORDER BY created_at, id`,
    [new Date(context.now.getTime() - webhookSecretRotationDueMs)],
  );
  if (endpoints.rows.length === 0) return [];
  const ids = endpoints.rows.map((e) => `${e.id} (${e.merchant_id})`);
  return [
    {
      id: "webhook_secrets_rotation_due",
      severity: "low",
      title: `${ids.length} live webhook signing secret(s) are older than ${days(webhookSecretRotationDueMs)} days`,
      detail: `Endpoints: ${subjectList(ids, securityAuditSubjectsMax)}.`,
      remedy:
        "Ask each merchant to rotate the secret (POST /v1/webhook_endpoints/{id}/rotate_secret): the old one keeps " +
        "signing during the overlap, so nothing is missed while the new one is deployed.",
    },
  ];
}

async function keyAgeFindings(context: AuditContext): Promise<Finding[]> {
  const result = await context.pool.query<{ active_id: string | null; active_since: Date | null; oldest: Date | null }>(
    `SELECT (SELECT id FROM data_keys WHERE retired_at IS NULL) AS active_id,
            (SELECT created_at FROM data_keys WHERE retired_at IS NULL) AS active_since,
            -- The master key dates from the oldest data key it wrapped, or from its last rotation (a scan of the
            -- audit log once a day: rotations are rare and the log has no index by action).
            GREATEST(
              (SELECT min(created_at) FROM data_keys),
              (SELECT max(occurred_at) FROM audit_log WHERE action = 'security.master_key_rotated')
            ) AS oldest`,
  );
  const row = result.rows[0]!;
  const findings: Finding[] = [];
  const now = context.now.getTime();
  if (row.active_id && row.active_since && now - row.active_since.getTime() > dataKeyRotationDueMs) {
    findings.push({
      id: "data_key_rotation_due",
      severity: "low",
      title: `The active data key is older than ${days(dataKeyRotationDueMs)} days`,
      detail: `Data key ${row.active_id} has encrypted new secrets since ${row.active_since.toISOString()}.`,
      remedy: "Run `coffer keys rotate-data-key`, then restart coffer (docs/SECURITY.md, Rotating keys).",
    });
  }
  if (row.oldest && now - row.oldest.getTime() > masterKeyAgeNoticeMs) {
    findings.push({
      id: "master_key_old",
      severity: "info",
      title: `The master key has been in use for more than ${days(masterKeyAgeNoticeMs)} days`,
      detail: `It has wrapped the data keys since ${row.oldest.toISOString()}.`,
      remedy:
        "Rotate it with `coffer keys rotate-master-key` (docs/SECURITY.md, Rotating keys); guard it in a secret " +
        "store with access logged, out of backups.",
    });
  }
  return findings;
}
