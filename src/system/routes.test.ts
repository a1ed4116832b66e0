import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";
import { loadMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";

describe("health and readiness", () => {
  let db: TestDatabase;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("/healthz answers 200", async () => {
    const response = await app.inject({ url: "/healthz" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: "ok" });
  });

  it("/readyz answers 200 once migrated", async () => {
    const response = await app.inject({ url: "/readyz" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: "ok" });
  });

  it("/readyz answers 503 in the error shape while a migration is missing", async () => {
    const latest = (await loadMigrations()).at(-1)!;
    const row = await db.pool.query("DELETE FROM schema_migrations WHERE version = $1 RETURNING *", [latest.version]);
    try {
      const response = await app.inject({ url: "/readyz" });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().error.code, "service_unavailable");
      assert.match(response.json().error.message, /migrated/);
    } finally {
      const r = row.rows[0];
      await db.pool.query(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        [r.version, r.name, r.checksum, r.applied_at],
      );
    }
  });

  it("/readyz answers 503 when the database is unreachable, and /healthz stays 200", async () => {
    const deadPool = createPool({ connectionString: "postgres://postgres@127.0.0.1:1/none", max: 1 });
    const unready = await createTestApp({ pool: deadPool });
    try {
      const ready = await unready.inject({ url: "/readyz" });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().error.code, "service_unavailable");
      assert.doesNotMatch(ready.body, /ECONNREFUSED|127\.0\.0\.1/);
      assert.equal((await unready.inject({ url: "/healthz" })).statusCode, 200);
    } finally {
      await unready.close();
      await deadPool.end();
    }
  });
});
