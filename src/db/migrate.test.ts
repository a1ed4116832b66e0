import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { loadMigrations, migrate, migrationsApplied } from "./migrate.js";

describe("migrations", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("are applied once, even by processes starting at the same time", async () => {
    const all = await loadMigrations();
    const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    for (const r of results) assert.equal(r.current, all.at(-1)!.version);
    const rows = await db.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    assert.deepEqual(
      rows.rows.map((r) => r.version),
      all.map((m) => m.version),
    );
    assert.equal(await migrationsApplied(db.pool, all.at(-1)!.version), true);
  });

  it("refuses a migration edited after it was applied", async () => {
    const all = await loadMigrations();
    const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await assert.rejects(migrate(db.pool, edited), /was edited after it was applied/);
  });

  it("reads NUMERIC and int8 as bigint, never as a float", async () => {
    const r = await db.pool.query(
      "SELECT 340282366920938463463374607431768211455::numeric(39,0) AS n, 9007199254740993::int8 AS i",
    );
    assert.equal(r.rows[0].n, 340282366920938463463374607431768211455n);
    assert.equal(r.rows[0].i, 9007199254740993n);
  });
});
