import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadDataset } from "../../bench/analytics-data.js";
import { rollupTables } from "../../bench/analytics-rollups.js";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant } from "../../test/helpers/merchant-rows.js";
import { foldInbox } from "../analytics/fold.js";
import { rebuildRollups } from "../analytics/rebuild.js";

async function analytics(url: string, ...args: string[]) {
  const cli = runCli(["analytics", ...args], { DATABASE_URL: url });
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/**
 * `coffer analytics rebuild` recomputes the rollups from the payments and refunds: after the rollups were damaged,
 * they are again exactly what the worker folded, for one merchant or all; and while payments change and workers
 * fold at the same time, nothing is lost or counted twice.
 */
describe("coffer analytics rebuild", { timeout: 600_000 }, () => {
  let db: TestDatabase;
  let merchantId: string;
  let folded: Record<string, string[]>;
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

  /** Every analytics table's rows, leaving out rows whose figures are all zero (a fold may keep such rows). */
  async function tableRows(): Promise<Record<string, string[]>> {
    const rows: Record<string, string[]> = {};
    for (const table of rollupTables) {
      const found = await db.pool.query(
        `SELECT to_jsonb(t)::text AS row FROM ${table} t
          WHERE EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(t)) e
                         WHERE jsonb_typeof(e.value) IN ('number', 'string') AND e.key NOT IN
                               ('merchant_id', 'livemode', 'bucket_start', 'day', 'currency', 'method', 'failure_code',
                                'payment_id', 'paid_at', 'payer_id', 'first_paid_at', 'last_paid_at')
                           AND e.value::text NOT IN ('0', '"0"'))
             OR '${table}' IN ('analytics_payers', 'analytics_payer_payments')`,
      );
      rows[table] = found.rows.map((r: { row: string }) => r.row).sort();
    }
    return rows;
  }

  async function drain(batch: number) {
    while ((await foldInbox(db.pool, batch)) > 0) {}
  }

  before(async () => {
    db = await createTestDatabase({ poolSize: 6 });
    merchantId = await insertTestMerchant(db.pool, "Rebuilt merchant");
    const client = await db.pool.connect();
    try {
      await loadDataset(client, { payments: 4_000, merchants: 3, bigMerchantId: merchantId, end, log() {} });
      await client.query("UPDATE merchants SET time_zone = 'Asia/Shanghai' WHERE id = $1", [merchantId]);
      // Written again with the inbox triggers on, then folded by the worker's code: the reference.
      await client.query(`CREATE TEMP TABLE p AS SELECT * FROM payments; CREATE TEMP TABLE r AS SELECT * FROM refunds`);
      await client.query("SET session_replication_role = replica");
      await client.query("DELETE FROM refunds; DELETE FROM payments");
      await client.query("RESET session_replication_role");
      await client.query("INSERT INTO payments SELECT * FROM p; INSERT INTO refunds SELECT * FROM r");
    } finally {
      client.release();
    }
    await drain(1_000);
    folded = await tableRows();
    for (const table of rollupTables) assert.ok(folded[table]!.length > 0, `${table} has rows`);
  });
  after(async () => {
    await db.drop();
  });

  it("rebuilds one merchant's damaged rollups to what the worker folded, the platform's rows unchanged", async () => {
    // Damage the platform's rows do not share (they hold the merchant's other figures as folded).
    await db.pool.query("UPDATE analytics_rollups SET new_payers = new_payers + 1, opened = 0 WHERE merchant_id = $1", [
      merchantId,
    ]);
    await db.pool.query(
      "DELETE FROM analytics_failures_daily WHERE merchant_id = $1 AND day > (SELECT min(day) FROM analytics_failures_daily)",
      [merchantId],
    );
    await db.pool.query("DELETE FROM analytics_payer_payments WHERE merchant_id = $1 AND paid_at < $2", [
      merchantId,
      new Date(end.getTime() - 100 * 86_400_000),
    ]);
    await db.pool.query("DELETE FROM analytics_merchant_days WHERE merchant_id = $1", [merchantId]);
    assert.notDeepEqual(await tableRows(), folded);
    const done = await analytics(db.url, "rebuild", "--merchant", merchantId);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, new RegExp(`rebuilt for ${merchantId}: \\d+ payments and \\d+ refunds`));
    assert.deepEqual(await tableRows(), folded);
  });

  it("rebuilds every merchant's rollups from scratch", async () => {
    await db.pool.query("TRUNCATE analytics_rollups_daily, analytics_payers");
    await db.pool.query("UPDATE analytics_platform_daily SET succeeded = succeeded * 2");
    const done = await analytics(db.url, "rebuild");
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /rebuilt for every merchant: 4000 payments/);
    assert.deepEqual(await tableRows(), folded);
  });

  it("changes waiting in the inbox are counted once: by the rebuild, not again by the fold", async () => {
    await db.pool.query(
      `UPDATE payments SET opened_at = created_at + interval '2 seconds'
        WHERE id IN (SELECT id FROM payments WHERE opened_at IS NULL AND method <> 'payment_code' ORDER BY id LIMIT 60)`,
    );
    await db.pool.query("DELETE FROM refunds WHERE id IN (SELECT id FROM refunds ORDER BY id DESC LIMIT 5)");
    const waiting = await db.pool.query("SELECT count(*)::int AS n FROM analytics_inbox WHERE merchant_id = $1", [
      merchantId,
    ]);
    assert.ok(waiting.rows[0].n > 0);
    await rebuildRollups(db.pool, { merchantId });
    await drain(100);
    const after = await tableRows();
    await rebuildRollups(db.pool, {});
    assert.deepEqual(after, await tableRows());
  });

  it("runs safely while payments change and workers fold", async () => {
    let changing = true;
    const changes = (async () => {
      let rounds = 0;
      // Analytics-visible changes through the triggers: payments first seen, refunds taken back.
      while (changing || rounds < 3) {
        await db.pool.query(
          `UPDATE payments SET opened_at = created_at + interval '1 second'
            WHERE id IN (SELECT id FROM payments WHERE opened_at IS NULL AND method <> 'payment_code' ORDER BY id LIMIT 40)`,
        );
        await db.pool.query("DELETE FROM refunds WHERE id IN (SELECT id FROM refunds ORDER BY id LIMIT 3)");
        rounds++;
      }
    })();
    const folding = (async () => {
      while (changing) await drain(50);
    })();
    const [one, all] = await Promise.all([
      rebuildRollups(db.pool, { merchantId }),
      analytics(db.url, "rebuild").then(async (r) => {
        assert.equal(r.code, 0, r.stderr);
        return rebuildRollups(db.pool, {});
      }),
    ]);
    assert.ok(one.payments > 0 && all.payments > 0);
    changing = false;
    await Promise.all([changes, folding]);
    await drain(500);
    const during = await tableRows();
    // The same rows rebuilt with nothing else running: equal, so nothing was lost or counted twice.
    await rebuildRollups(db.pool, {});
    assert.deepEqual(during, await tableRows());
    const changed = await db.pool.query(
      "SELECT count(*)::int AS n FROM payments WHERE opened_at = created_at + interval '1 second'",
    );
    assert.ok(changed.rows[0].n > 0);
  });

  it("refuses bad arguments", async () => {
    const bad = await analytics(db.url, "rebuild", "--merchant", "nope");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--merchant must be a merchant id/);
    const unknown = await analytics(db.url, "rebuild", "--merchant", "mer_0000000000000000000000");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no merchant mer_0000000000000000000000/);
    const noAction = await analytics(db.url);
    assert.equal(noAction.code, 2);
  });
});
