import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { PoolClient } from "../db/pool.js";

/**
 * The real `coffer start` against the test database. A slow request is made for real: the test locks
 * schema_migrations, so GET /readyz waits on the lock inside PostgreSQL until the test lets go.
 */
describe("coffer start", () => {
  let db: TestDatabase;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase({ poolSize: 3 });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-cli-"));
  });
  after(async () => {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  // As users start it: every route's schema compiled before the first answer.
  const start = () =>
    runCli(["start", "--port", "0", "--role", "all"], {
      DATABASE_URL: db.url,
      COFFER_DATA_DIR: dataDir,
      COFFER_SCHEMA_COMPILATION: "eager",
    });

  async function holdMigrationsLock(): Promise<PoolClient> {
    const client = await db.pool.connect();
    await client.query("BEGIN");
    await client.query("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
    return client;
  }

  async function waitForLockWaiter(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const waiting = await db.pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'coffer-all' AND wait_event_type = 'Lock'",
      );
      if (waiting.rowCount) return;
      await sleep(10);
    }
    throw new Error("the request never reached the database");
  }

  it("finishes the request in flight on SIGTERM, refuses new connections, and exits 0", async () => {
    const coffer = start();
    const url = await coffer.listening;
    assert.match(coffer.stderr(), /API reference: http:\/\/127\.0\.0\.1:\d+\/docs/);
    assert.match(coffer.stderr(), new RegExp(`data folder: +${dataDir}`));
    assert.equal((await fetch(`${url}/readyz`)).status, 200);

    const lock = await holdMigrationsLock();
    try {
      const slow = fetch(`${url}/readyz`);
      await waitForLockWaiter();
      coffer.child.kill("SIGTERM");
      await sleep(300);
      assert.equal(coffer.child.exitCode, null, "still running while a request is in flight");
      await assert.rejects(fetch(`${url}/healthz`), "no new connections while draining");
      await lock.query("COMMIT");
      const response = await slow;
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: "ok" });
    } finally {
      lock.release();
    }
    const exit = await coffer.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(coffer.stdout(), /"msg":"shutting down: finishing in-flight requests"/);
    assert.match(coffer.stdout(), /"msg":"coffer stopped"/);
  });

  it("exits at once with 1 on a second signal", async () => {
    const coffer = start();
    const url = await coffer.listening;
    const lock = await holdMigrationsLock();
    try {
      const slow = fetch(`${url}/readyz`).catch((error: unknown) => error);
      await waitForLockWaiter();
      coffer.child.kill("SIGTERM");
      await sleep(100);
      coffer.child.kill("SIGINT");
      const exit = await coffer.exited;
      assert.deepEqual(exit, { code: 1, signal: null });
      assert.ok((await slow) instanceof Error, "the request was cut off");
    } finally {
      await lock.query("ROLLBACK");
      lock.release();
    }
  });

  it("reuses the master key it generated on first start", async () => {
    const key = await fs.readFile(path.join(dataDir, "master.key"), "utf8");
    assert.match(key, /^[0-9a-f]{64}\n$/);
    assert.equal((await fs.stat(path.join(dataDir, "master.key"))).mode & 0o777, 0o600);
  });
});
