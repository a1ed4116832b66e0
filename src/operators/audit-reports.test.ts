import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { newOperator, type SessionClient } from "../../test/helpers/merchant-console.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { createLogger } from "../logging.js";
import { createServices, type Services } from "../runtime/services.js";

/** GET /v1/ops/audit_reports/latest: the last `coffer audit` report, for admins only. */
describe("operator console: security audit reports", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-07-01T09:00:00Z");
  let admin: SessionClient;
  let reviewer: SessionClient;
  let support: SessionClient;
  const url = "/v1/ops/audit_reports/latest";

  before(async () => {
    db = await createTestDatabase();
    services = createServices({
      config: loadConfig({ DATABASE_URL: db.url, SMTP_URL: "smtp://127.0.0.1:9" }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
    });
    app = await createTestApp({ pool: db.pool, services });
    admin = await newOperator(app, services, "admin");
    reviewer = await newOperator(app, services, "reviewer");
    support = await newOperator(app, services, "support");
  });
  after(async () => {
    await app?.close();
    await services?.close();
    await db?.drop();
  });

  it("answers 404 audit_report_never_run before the first audit", async () => {
    const response = await admin.get(url);
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, "audit_report_never_run");
  });

  it("shows admins the latest report with its findings, most severe first", async () => {
    await services.securityAudit.run("cli");
    clock.advance(1000);
    const latest = await services.securityAudit.run("worker");
    const response = await admin.get(url);
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json();
    assert.equal(report.id, latest.id);
    assert.equal(report.source, "worker");
    // These operators signed in with a password alone, and one is an admin.
    const twoFactor = report.findings.find((f: { id: string }) => f.id === "operators_without_two_factor");
    assert.equal(twoFactor.severity, "high");
    assert.equal(report.ok, false);
    const order = ["high", "medium", "low", "info"];
    const ranks = report.findings.map((f: { severity: string }) => order.indexOf(f.severity));
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
  });

  it("refuses reviewers, support staff and anonymous callers", async () => {
    for (const client of [reviewer, support]) {
      const response = await client.get(url);
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().error.code, "permission_denied");
    }
    assert.equal((await app.inject({ method: "GET", url })).statusCode, 401);
  });
});
