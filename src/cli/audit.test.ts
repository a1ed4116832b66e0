import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../db/embedded.js";
import { migrate } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { appendAudit } from "../security/audit.js";

/** `coffer audit` as an operator runs it: exit codes, the text and JSON reports, and each report kept. */
describe("coffer audit", () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string | undefined>;

  async function audit(extraEnv: Record<string, string | undefined>, ...args: string[]) {
    const cli = runCli(["audit", ...args], { ...env, ...extraEnv });
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  before(async () => {
    db = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-audit-cli-"));
    env = {
      DATABASE_URL: db.url,
      COFFER_DATA_DIR: dataDir,
      COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
      COFFER_PUBLIC_URL: "https://pay.example.com",
      COFFER_TRUSTED_PROXIES: "10.0.0.0/8",
      COFFER_DEV_MAILBOX: "off",
      COFFER_WEBHOOK_LOCAL_TARGETS: "none",
      SMTP_URL: "smtps://mailer:secret@mail.example.com:465",
      SMS_HTTP_URL: "https://sms.example.com/send",
      SMS_HTTP_TOKEN: "sms-token",
      HOST: "127.0.0.1",
      PORT: "4000",
    };
    for (let i = 0; i < 5; i++) {
      await withTransaction(db.pool, (tx) =>
        appendAudit(tx, {
          actorType: "operator",
          actorId: `op_${i}`,
          merchantId: null,
          action: "kyb.approved",
          ip: "203.0.113.7",
        }),
      );
    }
  });
  after(async () => {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("exits 0 on a correctly configured install, and keeps the report", async () => {
    const result = await audit({});
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /0 high, .*audit log: 5 records, chain intact/);
    assert.match(result.stdout, /OK: no high-severity finding/);
    const json = await audit({}, "--json");
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout);
    assert.equal(report.object, "audit_report");
    assert.equal(report.ok, true);
    assert.equal(report.source, "cli");
    const kept = await db.pool.query("SELECT id, source, ok FROM audit_reports ORDER BY seq");
    assert.equal(kept.rows.length, 2);
    assert.equal(kept.rows[1].id, report.id);
    const recorded = await db.pool.query("SELECT count(*)::int AS n FROM audit_log WHERE action = 'security.audited'");
    assert.equal(recorded.rows[0].n, 2);
  });

  it("exits 1 naming a high finding (no master key in a deployment)", async () => {
    const result = await audit({ COFFER_MASTER_KEY: undefined });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /HIGH {3}\[master_key_not_set\] COFFER_MASTER_KEY is not set/);
    assert.match(result.stdout, /Fix: Set COFFER_MASTER_KEY/);
    assert.match(result.stdout, /FAILED: 1 high-severity finding/);
  });

  it("finds an audit-log record edited in SQL, by its id", async () => {
    const target = await db.pool.query<{ id: string; seq: string }>(
      "SELECT id, seq FROM audit_log WHERE action = 'kyb.approved' ORDER BY seq OFFSET 2 LIMIT 1",
    );
    const { id, seq } = target.rows[0]!;
    await db.pool.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete");
    try {
      await db.pool.query("UPDATE audit_log SET ip = '198.51.100.1' WHERE id = $1", [id]);
    } finally {
      await db.pool.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete");
    }
    const result = await audit({});
    assert.equal(result.code, 1);
    assert.match(result.stdout, /chain BROKEN/);
    assert.match(
      result.stdout,
      new RegExp(
        `\\[audit_log_chain_broken\\].*\\n.*Audit record ${id} \\(seq ${seq}\\) does not verify \\(hash_mismatch\\)`,
      ),
    );
    const json = JSON.parse((await audit({}, "--json")).stdout);
    assert.equal(json.audit_log.intact, false);
    assert.equal(json.findings[0].id, "audit_log_chain_broken");
  });

  describe("on the embedded PostgreSQL", { timeout: 120_000 }, () => {
    let embeddedDir: string;
    let embedded: EmbeddedPostgres;
    const embeddedEnv = () => ({ ...env, DATABASE_URL: undefined, COFFER_DATA_DIR: embeddedDir });

    before(async () => {
      embeddedDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-audit-embedded-"));
      // Listening beyond loopback, as an operator might set it; its pg_hba.conf still trusts loopback only.
      embedded = await startEmbeddedPostgres({
        dataDir: embeddedDir,
        settings: { listen_addresses: "0.0.0.0", fsync: "off" },
      });
      const pool = createPool({ connectionString: embedded.url, max: 2, applicationName: "coffer-test" });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
    });
    after(async () => {
      await embedded?.stop();
      await fs.rm(embeddedDir, { recursive: true, force: true });
    });

    it("finds the embedded database listening beyond this machine, high once pg_hba trusts remote callers", async () => {
      const listening = JSON.parse((await audit(embeddedEnv(), "--json")).stdout);
      const exposed = listening.findings.find((f: { id: string }) => f.id === "embedded_database_exposed");
      assert.equal(exposed?.severity, "medium", JSON.stringify(listening.findings));
      assert.match(exposed.detail, /listen_addresses is "0\.0\.0\.0"/);

      // A documentation range stands in for "the office network": nothing can reach the server from it.
      const hba = path.join(embeddedDir, "pg", "pg_hba.conf");
      await fs.appendFile(hba, "host all all 192.0.2.0/24 trust\n");
      const result = await audit(embeddedEnv());
      assert.equal(result.code, 1, result.stderr + result.stdout);
      assert.match(result.stdout, /HIGH {3}\[embedded_database_exposed\]/);
      assert.match(result.stdout, /192\.0\.2\.0/);
    });
  });
});
