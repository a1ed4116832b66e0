import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { manualClock } from "../../clock.js";
import { loadConfig } from "../../config.js";
import { securityAuditCheckIntervalMs, securityAuditIntervalMs } from "../../limits.js";
import { createLogger } from "../../logging.js";
import { createSecurityAudit } from "./service.js";
import { securityAuditWorker } from "./worker.js";

/** The worker audits once a day: at its first look, then when the last report is securityAuditIntervalMs old. */
describe("daily security audit worker", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("audits when no report is fresh, and leaves a fresh one alone", async () => {
    const clock = manualClock("2026-07-01T09:00:00Z");
    const audit = createSecurityAudit({ pool: db.pool, clock, config: loadConfig({ DATABASE_URL: db.url }) });
    const worker = securityAuditWorker({ audit, clock, log: createLogger({ level: "silent" }) });
    const reports = async () =>
      (await db.pool.query<{ source: string }>("SELECT source FROM audit_reports ORDER BY seq")).rows.map(
        (r) => r.source,
      );

    await worker.run(new AbortController().signal);
    assert.deepEqual(await reports(), ["worker"]);
    clock.advance(securityAuditIntervalMs - securityAuditCheckIntervalMs);
    await worker.run(new AbortController().signal);
    assert.deepEqual(await reports(), ["worker"], "the report is less than a day old");
    clock.advance(securityAuditCheckIntervalMs);
    await worker.run(new AbortController().signal);
    assert.deepEqual(await reports(), ["worker", "worker"]);
  });
});
