import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { masterKeyFileName, readMasterKeyFile, replaceMasterKeyFile } from "../runtime/master-key.js";
import { verifyAuditChain } from "../security/audit.js";
import { createSecretBox, DecryptionError } from "../security/encryption.js";

async function keys(env: Record<string, string | undefined>, ...args: string[]) {
  const cli = runCli(["keys", ...args], env);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

describe("coffer keys", () => {
  let db: TestDatabase;
  const firstMasterKey = randomBytes(32);
  let secret: string;

  before(async () => {
    db = await createTestDatabase();
    const box = createSecretBox({ db: db.pool, masterKey: firstMasterKey });
    await box.warm();
    secret = await box.encrypt("6222 0000 1234 5678", "test.account:1");
  });
  after(async () => {
    await db.drop();
  });

  const wrappedKeys = async () =>
    (await db.pool.query<{ id: string; wrapped_key: Buffer }>("SELECT id, wrapped_key FROM data_keys ORDER BY id"))
      .rows;

  it("refuses to rotate the master key without the new one, and with a master key that opens nothing", async () => {
    const before = await wrappedKeys();
    const missing = await keys(
      { DATABASE_URL: db.url, COFFER_MASTER_KEY: firstMasterKey.toString("hex") },
      "rotate-master-key",
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /COFFER_NEW_MASTER_KEY/);
    const wrong = await keys(
      {
        DATABASE_URL: db.url,
        COFFER_MASTER_KEY: randomBytes(32).toString("hex"),
        COFFER_NEW_MASTER_KEY: randomBytes(32).toString("hex"),
      },
      "rotate-master-key",
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /cannot be unwrapped/);
    assert.doesNotMatch(wrong.stderr, /\n\s+at /, "no stack trace");
    assert.deepEqual(await wrappedKeys(), before, "nothing re-wrapped");
  });

  it("re-wraps every data key under a new master key: old secrets open with the new key only", async () => {
    const secondMasterKey = randomBytes(32);
    const result = await keys(
      {
        DATABASE_URL: db.url,
        COFFER_MASTER_KEY: firstMasterKey.toString("hex"),
        COFFER_NEW_MASTER_KEY: secondMasterKey.toString("hex"),
      },
      "rotate-master-key",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Re-wrapped 1 data key/);
    const withNew = createSecretBox({ db: db.pool, masterKey: secondMasterKey });
    assert.equal(await withNew.decryptString(secret, "test.account:1"), "6222 0000 1234 5678");
    const withOld = createSecretBox({ db: db.pool, masterKey: firstMasterKey });
    await assert.rejects(withOld.decrypt(secret, "test.account:1"), DecryptionError);
    const audit = await db.pool.query("SELECT action FROM audit_log WHERE action = 'security.master_key_rotated'");
    assert.equal(audit.rowCount, 1);
    assert.equal((await verifyAuditChain(db.pool)).ok, true);

    // The data key: a new one for new secrets, the old one still opens what it sealed.
    const rotated = await keys(
      { DATABASE_URL: db.url, COFFER_MASTER_KEY: secondMasterKey.toString("hex") },
      "rotate-data-key",
    );
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKeyId = /New data key (dk_\w+)/.exec(rotated.stdout)?.[1];
    assert.ok(newKeyId, rotated.stdout);
    const fresh = createSecretBox({ db: db.pool, masterKey: secondMasterKey });
    await fresh.warm();
    assert.equal((await fresh.encrypt("new", "test.account:2")).split(".")[1], newKeyId);
    assert.equal(await fresh.decryptString(secret, "test.account:1"), "6222 0000 1234 5678");
    const active = await db.pool.query("SELECT id FROM data_keys WHERE retired_at IS NULL");
    assert.deepEqual(
      active.rows.map((r) => r.id),
      [newKeyId],
    );
  });

  it("refuses an unknown action with the usage", async () => {
    const result = await keys({ DATABASE_URL: db.url }, "rotate-everything");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /rotate-data-key, rotate-master-key/);
  });
});

describe("master key file replacement", () => {
  it("keeps the old file when the re-wrap fails, and swaps it in only after the re-wrap commits", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-master-key-"));
    try {
      const oldKey = randomBytes(32);
      await fs.writeFile(path.join(dataDir, masterKeyFileName), `${oldKey.toString("hex")}\n`, { mode: 0o600 });
      const newKey = randomBytes(32);
      await assert.rejects(
        replaceMasterKeyFile(dataDir, newKey, async () => {
          assert.ok(existsSync(path.join(dataDir, `${masterKeyFileName}.new`)), "new key on disk before the commit");
          throw new Error("re-wrap failed");
        }),
        /re-wrap failed/,
      );
      assert.deepEqual(await readMasterKeyFile(dataDir), oldKey);
      assert.equal(existsSync(path.join(dataDir, `${masterKeyFileName}.new`)), false);
      await replaceMasterKeyFile(dataDir, newKey, async () => {});
      assert.deepEqual(await readMasterKeyFile(dataDir), newKey);
      const mode = (await fs.stat(path.join(dataDir, masterKeyFileName))).mode & 0o777;
      assert.equal(mode, 0o600);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
