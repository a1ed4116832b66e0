import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createSecretBox, DecryptionError } from "./encryption.js";

describe("encryption at rest", () => {
  let db: TestDatabase;
  const masterKey = randomBytes(32);

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("round-trips a secret and stores no plaintext", async () => {
    const box = createSecretBox({ db: db.pool, masterKey });
    const token = await box.encrypt("6222 0212 3456 7890", "kyb.bank_account:kyb_1");
    assert.doesNotMatch(token, /6222|7890/);
    assert.equal(await box.decryptString(token, "kyb.bank_account:kyb_1"), "6222 0212 3456 7890");
    const keys = await db.pool.query("SELECT wrapped_key FROM data_keys");
    assert.equal(keys.rows.length, 1);
    assert.ok(!(keys.rows[0].wrapped_key as Buffer).includes(masterKey.subarray(0, 8)));
  });

  it("refuses a ciphertext moved to another place, or tampered with", async () => {
    const box = createSecretBox({ db: db.pool, masterKey });
    const token = await box.encrypt("secret", "table.column:row_a");
    await assert.rejects(box.decrypt(token, "table.column:row_b"), DecryptionError);
    const parts = token.split(".");
    const ct = Buffer.from(parts[4]!, "base64url");
    ct[0]! ^= 1;
    parts[4] = ct.toString("base64url");
    await assert.rejects(box.decrypt(parts.join("."), "table.column:row_a"), DecryptionError);
    await assert.rejects(box.decrypt("not-a-token", "x"), DecryptionError);
  });

  it("keeps old ciphertexts readable after a key rotation, from a fresh process too", async () => {
    const box = createSecretBox({ db: db.pool, masterKey });
    const before = await box.encrypt("old", "a");
    const newKey = await box.rotateDataKey();
    const afterRotation = await box.encrypt("new", "a");
    assert.ok(afterRotation.includes(newKey));
    const fresh = createSecretBox({ db: db.pool, masterKey });
    assert.equal(await fresh.decryptString(before, "a"), "old");
    assert.equal(await fresh.decryptString(afterRotation, "a"), "new");
    const active = await db.pool.query("SELECT count(*)::int AS n FROM data_keys WHERE retired_at IS NULL");
    assert.equal(active.rows[0].n, 1);
  });

  it("cannot read anything with the wrong master key", async () => {
    const box = createSecretBox({ db: db.pool, masterKey });
    const token = await box.encrypt("secret", "a");
    const wrong = createSecretBox({ db: db.pool, masterKey: randomBytes(32) });
    await assert.rejects(wrong.decrypt(token, "a"), /cannot be unwrapped/);
  });

  it("creates one first data key even when processes race for it", async () => {
    const fresh = await createTestDatabase();
    try {
      const boxes = Array.from({ length: 5 }, () => createSecretBox({ db: fresh.pool, masterKey }));
      const tokens = await Promise.all(boxes.map((b, i) => b.encrypt(`v${i}`, "race")));
      const keys = await fresh.pool.query("SELECT count(*)::int AS n FROM data_keys");
      assert.equal(keys.rows[0].n, 1);
      for (const [i, t] of tokens.entries()) assert.equal(await boxes[0]!.decryptString(t, "race"), `v${i}`);
    } finally {
      await fresh.drop();
    }
  });
});
