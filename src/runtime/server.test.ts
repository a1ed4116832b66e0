import assert from "node:assert/strict";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { capturingLogger } from "../../test/helpers/log-capture.js";
import { loadConfig } from "../config.js";
import { startCoffer } from "./server.js";

describe("starting coffer in each role", () => {
  let db: TestDatabase;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-roles-"));
  });
  after(async () => {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const config = (env: Record<string, string>) =>
    loadConfig({ DATABASE_URL: db.url, COFFER_DATA_DIR: dataDir, PORT: "0", DATABASE_POOL_SIZE: "2", ...env });

  it("role api serves HTTP and runs no workers", async () => {
    const log = capturingLogger();
    const running = await startCoffer(config({ COFFER_ROLE: "api" }), log.logger);
    try {
      assert.ok(running.url);
      assert.equal((await fetch(`${running.url}/readyz`)).status, 200);
      assert.equal(running.database, db.url);
      assert.ok(!log.lines().some((l) => l.includes("workers started")));
    } finally {
      await running.stop();
    }
  });

  it("role worker runs the workers and does not listen", async () => {
    const log = capturingLogger();
    const running = await startCoffer(config({ COFFER_ROLE: "worker" }), log.logger);
    try {
      assert.equal(running.url, undefined);
      const started = log.lines().find((l) => l.includes("workers started"));
      assert.match(started ?? "", /idempotency-purge/);
    } finally {
      await running.stop();
    }
  });

  it("uses COFFER_MASTER_KEY when set, without touching the key file", async () => {
    const key = "ab".repeat(32);
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-key-env-"));
    const running = await startCoffer(
      config({ COFFER_ROLE: "worker", COFFER_MASTER_KEY: key, COFFER_DATA_DIR: otherDir }),
      capturingLogger().logger,
    );
    try {
      assert.equal(running.masterKey.toString("hex"), key);
      await assert.rejects(fs.access(path.join(otherDir, "master.key")));
    } finally {
      await running.stop();
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });

  it("explains a port that is taken, and leaves nothing running", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        startCoffer(config({ COFFER_ROLE: "api", PORT: String(port) }), capturingLogger().logger),
        new RegExp(`127\\.0\\.0\\.1:${port} is in use`),
      );
    } finally {
      blocker.close();
    }
  });
});
