import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { withTransaction } from "../db/tx.js";
import { appendAudit, listAudit, verifyAuditChain } from "./audit.js";

describe("audit log", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ poolSize: 12 });
  });
  after(async () => {
    await db.drop();
  });

  it("chains records, also when appended from parallel transactions", async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        withTransaction(db.pool, (tx) =>
          appendAudit(tx, {
            actorType: "merchant_user",
            actorId: `usr_${i}`,
            merchantId: i % 2 === 0 ? "mer_even" : "mer_odd",
            action: "console.login_succeeded",
            ip: "127.0.0.1",
            details: { attempt: i, nested: { b: 2, a: 1 } },
          }),
        ),
      ),
    );
    const report = await verifyAuditChain(db.pool);
    assert.deepEqual(report, { ok: true, records: 30, brokenAt: null });
    const even = await listAudit(db.pool, { merchantId: "mer_even", limit: 10 });
    assert.equal(even.data.length, 10);
    assert.equal(even.hasMore, true);
    assert.ok(even.data.every((r) => r.merchantId === "mer_even"));
  });

  it("a rolled-back transaction leaves no record and no gap in the chain", async () => {
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await appendAudit(tx, { actorType: "system", actorId: null, merchantId: null, action: "test.rolled_back" });
        throw new Error("abort");
      }),
    );
    assert.equal((await verifyAuditChain(db.pool)).ok, true);
  });

  it("refuses updates, deletes and truncation", async () => {
    await assert.rejects(db.pool.query("UPDATE audit_log SET action = 'x.y'"), /append-only/);
    await assert.rejects(db.pool.query("DELETE FROM audit_log"), /append-only/);
    await assert.rejects(db.pool.query("TRUNCATE audit_log"), /append-only/);
  });

  it("detects a record edited behind the trigger's back", async () => {
    await db.pool.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete");
    try {
      await db.pool.query("UPDATE audit_log SET actor_id = 'usr_forged' WHERE seq = 5");
      const report = await verifyAuditChain(db.pool);
      assert.equal(report.ok, false);
      assert.equal(report.brokenAt?.seq, 5n);
      assert.equal(report.brokenAt?.reason, "hash_mismatch");
    } finally {
      await db.pool.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete");
    }
  });
});
