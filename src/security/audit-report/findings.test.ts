import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { manualClock } from "../../clock.js";
import { loadConfig } from "../../config.js";
import { apiVersionLatest } from "../../http/versioning.js";
import { newId } from "../../ids.js";
import {
  apiKeyDormantMs,
  apiKeyRotationDueMs,
  dataKeyRotationDueMs,
  masterKeyAgeNoticeMs,
  webhookSecretRotationDueMs,
} from "../../limits.js";
import { masterKeyFileName } from "../../runtime/master-key.js";
import { createWebhookEndpointService } from "../../webhooks/endpoints.js";
import { createSecretBox } from "../encryption.js";
import { createSecurityAudit } from "./service.js";

/**
 * The security audit against real PostgreSQL: a correctly configured install has no high finding, and each
 * misconfiguration, old or unused key and account without a second factor is found by its id.
 */
const dayMs = 24 * 60 * 60 * 1000;

describe("coffer audit findings", () => {
  let db: TestDatabase;
  let dataDir: string;
  const clock = manualClock("2026-07-01T09:00:00Z");
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);
  /** A deployment set up as docs/SECURITY.md says. */
  let goodEnv: Record<string, string>;

  const audit = async (env: Record<string, string | undefined> = {}) => {
    const config = loadConfig({ ...goodEnv, ...env });
    return createSecurityAudit({ pool: db.pool, clock, config }).run("cli");
  };
  const finding = async (id: string, env: Record<string, string | undefined> = {}) => {
    const report = await audit(env);
    return { report, found: report.findings.find((f) => f.id === id) };
  };

  const merchant = async () => {
    const id = newId("mer");
    await db.pool.query("INSERT INTO merchants (id, business_name, created_at) VALUES ($1, 'Tea House', $2)", [
      id,
      clock.now(),
    ]);
    return id;
  };
  const apiKey = async (merchantId: string, createdAt: Date, lastUsedAt: Date | null, livemode = true) => {
    const id = newId("key");
    await db.pool.query(
      `INSERT INTO api_keys (id, merchant_id, livemode, type, token_hash, token_prefix, last4, created_at, last_used_at)
       VALUES ($1, $2, $3, 'secret', $4, 'sk_live_', 'abcd', $5, $6)`,
      [id, merchantId, livemode, randomBytes(32), createdAt, lastUsedAt],
    );
    return id;
  };
  const consoleUser = async (merchantId: string, role: string) => {
    const id = newId("usr");
    await db.pool.query(
      `INSERT INTO merchant_users (id, email, password_hash, locale, created_at)
       VALUES ($1, $2, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'en', $3)`,
      [id, `${id.toLowerCase()}@example.com`, clock.now()],
    );
    await db.pool.query(
      "INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
      [merchantId, id, role, clock.now()],
    );
    return id;
  };

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-audit-"));
  });
  // Each test gets a fresh install: findings are about the whole database.
  beforeEach(async () => {
    db = await createTestDatabase();
    goodEnv = {
      DATABASE_URL: db.url,
      COFFER_DATA_DIR: dataDir,
      COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
      COFFER_PUBLIC_URL: "https://pay.example.com",
      COFFER_TRUSTED_PROXIES: "10.0.0.0/8",
      SMTP_URL: "smtps://mailer:secret@mail.example.com:465",
      SMS_HTTP_URL: "https://sms.example.com/send",
      SMS_HTTP_TOKEN: "sms-token",
      HOST: "127.0.0.1",
    };
  });
  afterEach(async () => {
    await db.drop();
  });
  after(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("passes a correctly configured install: no high finding, and the audit log verifies", async () => {
    const report = await audit();
    assert.equal(report.ok, true, JSON.stringify(report.findings, null, 2));
    assert.equal(report.counts.high, 0);
    assert.equal(report.production, true);
    assert.equal(report.audit_log.intact, true);
    // What remains is at most advice: the test server's role is a superuser.
    assert.deepEqual(
      report.findings.map((f) => f.id),
      ["database_role_superuser"],
    );
    const stored = await db.pool.query("SELECT ok, high, report FROM audit_reports WHERE id = $1", [report.id]);
    assert.equal(stored.rows[0].ok, true);
    assert.deepEqual(stored.rows[0].report, report);
  });

  it("finds a deployment without COFFER_MASTER_KEY", async () => {
    const { report, found } = await finding("master_key_not_set", { COFFER_MASTER_KEY: undefined });
    assert.equal(found?.severity, "high");
    assert.equal(report.ok, false);
  });

  it("finds a generated master key file that others may read", async () => {
    const file = path.join(dataDir, masterKeyFileName);
    await fs.writeFile(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o644 });
    await fs.chmod(file, 0o644);
    try {
      const { found } = await finding("master_key_file_readable", { COFFER_MASTER_KEY: undefined });
      assert.equal(found?.severity, "high");
      assert.match(found?.detail ?? "", /mode 644/);
    } finally {
      await fs.rm(file);
    }
  });

  it("finds live mode served over plain http", async () => {
    const { report, found } = await finding("public_url_not_https", { COFFER_PUBLIC_URL: "http://pay.example.com" });
    assert.equal(found?.severity, "high");
    assert.equal(report.ok, false);
  });

  it("finds a deployment without COFFER_PUBLIC_URL (links from the Host header)", async () => {
    const { found } = await finding("public_url_not_set", { COFFER_PUBLIC_URL: undefined });
    assert.equal(found?.severity, "high");
  });

  it("finds requests arriving through a proxy that is not trusted", async () => {
    const merchantId = await merchant();
    const userId = await consoleUser(merchantId, "developer");
    await db.pool.query(
      `INSERT INTO console_sessions (id, token_hash, user_id, merchant_id, method, ip, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, 'password', '127.0.0.1', $5, $5, $5)`,
      [newId("cs"), randomBytes(32), userId, merchantId, ago(dayMs)],
    );
    const { found } = await finding("trusted_proxies_not_set", {
      COFFER_TRUSTED_PROXIES: undefined,
      COFFER_PUBLIC_URL: "http://pay.example.com",
    });
    assert.equal(found?.severity, "medium");
    assert.match(found?.detail ?? "", /all 1 sign-in\(s\) of the last 30 days came from 127\.0\.0\.1/);

    // Sign-ins from public addresses and no https in front: nothing points at a proxy, so only advice remains.
    await db.pool.query("UPDATE console_sessions SET ip = '203.0.113.9'");
    const advice = await finding("trusted_proxies_not_set", {
      COFFER_TRUSTED_PROXIES: undefined,
      COFFER_PUBLIC_URL: "http://pay.example.com",
    });
    assert.equal(advice.found?.severity, "info");
    assert.match(advice.found?.detail ?? "", /^If you run coffer behind a reverse proxy/);
  });

  it("finds the dev mailbox on in a deployment", async () => {
    const { report, found } = await finding("dev_mailbox_on", { COFFER_DEV_MAILBOX: "on", SMTP_URL: undefined });
    assert.equal(found?.severity, "high");
    assert.equal(report.ok, false);
  });

  it("finds webhook endpoints allowed to target local addresses", async () => {
    const { found } = await finding("webhook_local_targets_allowed", { COFFER_WEBHOOK_LOCAL_TARGETS: "test" });
    assert.equal(found?.severity, "high");
  });

  it("finds coffer listening on all interfaces on its default port", async () => {
    const { found } = await finding("listening_on_all_interfaces", { HOST: "0.0.0.0" });
    assert.equal(found?.severity, "medium");
    assert.match(found?.title ?? "", /default port 4000/);
  });

  it("finds the SMS gateway's token sent over plain http", async () => {
    const { found } = await finding("sms_gateway_token_in_clear", { SMS_HTTP_URL: "http://sms.example.com/send" });
    assert.equal(found?.severity, "medium");
  });

  it("finds live API keys overdue for rotation and unused ones, not test keys", async () => {
    const merchantId = await merchant();
    const old = await apiKey(merchantId, ago(apiKeyRotationDueMs + dayMs), ago(dayMs));
    const dormant = await apiKey(merchantId, ago(apiKeyDormantMs + 10 * dayMs), ago(apiKeyDormantMs + dayMs));
    const neverUsed = await apiKey(merchantId, ago(apiKeyDormantMs + dayMs), null);
    const fresh = await apiKey(merchantId, ago(dayMs), ago(dayMs));
    const oldTest = await apiKey(merchantId, ago(apiKeyRotationDueMs + dayMs), null, false);
    const report = await audit();
    const rotation = report.findings.find((f) => f.id === "api_keys_rotation_due");
    assert.equal(rotation?.severity, "medium");
    assert.match(rotation?.detail ?? "", new RegExp(old));
    assert.equal(rotation?.title.startsWith("1 live API key"), true);
    const unused = report.findings.find((f) => f.id === "api_keys_dormant");
    assert.match(unused?.title ?? "", /^2 live API key/);
    assert.match(unused?.detail ?? "", new RegExp(`${dormant}.*${neverUsed}`));
    for (const id of [fresh, oldTest]) assert.doesNotMatch(JSON.stringify(report.findings), new RegExp(id));
  });

  it("finds live webhook secrets overdue for rotation, and forgets one once rotated", async () => {
    const merchantId = await merchant();
    const scope = { merchantId, livemode: true };
    const secrets = createSecretBox({ db: db.pool, masterKey: randomBytes(32) });
    await secrets.warm();
    const endpointsAt = (at: Date) =>
      createWebhookEndpointService({ pool: db.pool, clock: manualClock(at), secrets, localTargets: "all" });
    const { endpoint } = await endpointsAt(ago(webhookSecretRotationDueMs + dayMs)).create(scope, {
      url: "https://127.0.0.1:9/hooks",
      enabled_events: ["payment.succeeded"],
      api_version: apiVersionLatest,
    });
    const { found } = await finding("webhook_secrets_rotation_due");
    assert.equal(found?.severity, "low");
    assert.match(found?.detail ?? "", new RegExp(endpoint.id));
    // Rotating the secret through the API's own service dates the new secret.
    await endpointsAt(ago(dayMs)).rotateSecret(scope, endpoint.id, 0);
    assert.equal((await finding("webhook_secrets_rotation_due")).found, undefined);
  });

  it("finds an old data key, and dates the master key by the oldest data key it wraps", async () => {
    const since = ago(Math.max(dataKeyRotationDueMs, masterKeyAgeNoticeMs) + dayMs);
    const keyId = newId("dk");
    await db.pool.query("INSERT INTO data_keys (id, wrapped_key, created_at) VALUES ($1, $2, $3)", [
      keyId,
      randomBytes(60),
      since,
    ]);
    const report = await audit();
    const dataKey = report.findings.find((f) => f.id === "data_key_rotation_due");
    assert.equal(dataKey?.severity, "low");
    assert.match(dataKey?.detail ?? "", new RegExp(keyId));
    const masterKey = report.findings.find((f) => f.id === "master_key_old");
    assert.equal(masterKey?.severity, "info");
    assert.match(masterKey?.detail ?? "", new RegExp(since.toISOString()));
  });

  it("finds operators without a second factor, high when one is an admin", async () => {
    const operator = async (email: string, role: string, totp: boolean) =>
      db.pool.query(
        `INSERT INTO operators (id, email, role, password_hash, must_change_password, totp_secret, totp_enabled_at, created_at)
         VALUES ($1, $2, $3, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', false, $4, $5, $6)`,
        [newId("op"), email, role, totp ? "enc1.x" : null, totp ? clock.now() : null, clock.now()],
      );
    await operator("reviewer@coffer.example", "reviewer", false);
    await operator("admin-with-totp@coffer.example", "admin", true);
    const support = await finding("operators_without_two_factor");
    assert.equal(support.found?.severity, "medium");
    assert.match(support.found?.detail ?? "", /reviewer@coffer\.example \(reviewer\)/);
    assert.doesNotMatch(support.found?.detail ?? "", /admin-with-totp/);
    await operator("admin@coffer.example", "admin", false);
    const admin = await finding("operators_without_two_factor");
    assert.equal(admin.found?.severity, "high");
    assert.equal(admin.report.ok, false);
  });

  it("finds merchant owners and admins without a second factor (a passkey counts)", async () => {
    const merchantId = await merchant();
    const owner = await consoleUser(merchantId, "owner");
    const admin = await consoleUser(merchantId, "admin");
    const developer = await consoleUser(merchantId, "developer");
    await db.pool.query(
      `INSERT INTO webauthn_credentials (id, user_id, public_key, sign_count, device_type, backed_up, created_at)
       VALUES ($1, $2, $3, 0, 'multiDevice', true, $4)`,
      [randomBytes(24).toString("base64url"), admin, randomBytes(65), clock.now()],
    );
    const { found } = await finding("merchant_admins_without_two_factor");
    assert.equal(found?.severity, "medium");
    assert.match(found?.detail ?? "", new RegExp(`${owner.toLowerCase()}@example.com \\(owner of ${merchantId}\\)`));
    assert.doesNotMatch(found?.detail ?? "", new RegExp(admin.toLowerCase()));
    assert.doesNotMatch(found?.detail ?? "", new RegExp(developer.toLowerCase()));
  });
});
