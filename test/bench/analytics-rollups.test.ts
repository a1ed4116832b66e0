import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadDataset } from "../../bench/analytics-data.js";
import { buildRollups, rollupTables } from "../../bench/analytics-rollups.js";
import { foldInbox } from "../../src/analytics/fold.js";
import type { PoolClient } from "../../src/db/pool.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { insertTestMerchant } from "../helpers/merchant-rows.js";

/**
 * `npm run bench -- analytics` builds the rollups of its generated history with set-based statements instead of
 * folding ten million inbox rows (docs/adr/0018-analytics-bench-history-in-sql.md). They must be what the analytics
 * worker writes: the same generated history is folded by foldInbox, then built by the bench, and every row of every
 * analytics table must match.
 */
describe("analytics bench history", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let client: PoolClient;
  let merchantId: string;
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

  before(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    client = await db.pool.connect();
    merchantId = await insertTestMerchant(db.pool, "Bench merchant");
  });
  after(async () => {
    client.release();
    await db.drop();
  });

  async function tableRows(): Promise<Record<string, string[]>> {
    const rows: Record<string, string[]> = {};
    for (const table of rollupTables) {
      const found = await client.query(`SELECT to_jsonb(t)::text AS row FROM ${table} t`);
      rows[table] = found.rows.map((r: { row: string }) => r.row).sort();
    }
    return rows;
  }

  it("builds rollups equal, row for row, to what the worker folds from the same rows", async () => {
    const dataset = await loadDataset(client, {
      payments: 6_000,
      merchants: 4,
      bigMerchantId: merchantId,
      end,
      log() {},
    });
    assert.ok(dataset.refunds > 0, "the history has refunds");
    // Daily rollups are days of each merchant's zone: a few zones, one of them a half-hour one.
    await client.query(
      `UPDATE merchants SET time_zone = (ARRAY['Asia/Shanghai', 'America/New_York', 'Asia/Kolkata'])[1 + (n % 3)]
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM merchants) m WHERE merchants.id = m.id`,
    );

    // The loader writes with the triggers off; written again with them on, every row reaches the inbox.
    await client.query(`CREATE TEMP TABLE p AS SELECT * FROM payments; CREATE TEMP TABLE r AS SELECT * FROM refunds`);
    await client.query("SET session_replication_role = replica");
    await client.query("DELETE FROM refunds; DELETE FROM payments");
    await client.query("RESET session_replication_role");
    await client.query("INSERT INTO payments SELECT * FROM p; INSERT INTO refunds SELECT * FROM r");
    while ((await foldInbox(db.pool, 1_000)) > 0) {
      // until the inbox is empty
    }
    const folded = await tableRows();
    for (const table of rollupTables) assert.ok(folded[table]!.length > 0, `${table} has rows`);

    for (const table of rollupTables) await client.query(`TRUNCATE ${table}`);
    await buildRollups(client, { bigMerchantId: merchantId, end, log() {} });
    const built = await tableRows();
    for (const table of rollupTables) assert.deepEqual(built[table], folded[table], table);
  });
});
