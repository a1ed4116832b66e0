import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { systemClock } from "../../clock.js";
import { createSecretBox } from "../../security/encryption.js";
import { createAddressBook, createCustodyAddresses } from "./addresses.js";
import { createCustodyKeys } from "./keys.js";

describe("custody keys and addresses", () => {
  let db: TestDatabase;
  const masterKey = randomBytes(32);
  const custodyOf = () => {
    const secrets = createSecretBox({ db: db.pool, masterKey });
    const keys = createCustodyKeys({ pool: db.pool, secrets, clock: systemClock });
    return { keys, addresses: createCustodyAddresses({ pool: db.pool, clock: systemClock, keys }) };
  };

  before(async () => {
    db = await createTestDatabase();
    await createSecretBox({ db: db.pool, masterKey }).warm();
  });
  after(async () => {
    await db.drop();
  });

  it("keeps one seed per mode, encrypted: the database holds no mnemonic a thief could read", async () => {
    const first = custodyOf();
    const second = custodyOf();
    // Two processes racing to create the seed end up with the same one.
    const [a, b] = await Promise.all([first.keys.hotWallet(false), second.keys.hotWallet(false)]);
    assert.equal(a.address, b.address);
    assert.equal(a.privateKey, b.privateKey);
    const live = await first.keys.hotWallet(true);
    assert.notEqual(live.address, a.address, "test and live custody never share keys");

    const rows = await db.pool.query<{ mnemonic_ciphertext: string }>(
      "SELECT mnemonic_ciphertext FROM crypto_custody_seeds",
    );
    assert.equal(rows.rows.length, 2);
    for (const row of rows.rows) {
      assert.match(row.mnemonic_ciphertext, /^enc1/);
      // A BIP-39 mnemonic is 24 lowercase words; none of its text is stored.
      assert.doesNotMatch(row.mnemonic_ciphertext, /\b[a-z]{3,8}( [a-z]{3,8}){5,}/);
    }
    const dump = await db.pool.query("SELECT row_to_json(t)::text AS json FROM crypto_addresses t");
    for (const row of dump.rows) assert.doesNotMatch(row.json, new RegExp(a.privateKey.slice(2, 20)));
  });

  it("refuses a seed that does not derive its recorded hot wallet", async () => {
    const { keys } = custodyOf();
    const hot = await keys.hotWallet(false);
    const other = custodyOf();
    const otherSecrets = createSecretBox({ db: db.pool, masterKey });
    const forged = await otherSecrets.encrypt(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
      "crypto_custody_seed:test",
    );
    const saved = await db.pool.query("SELECT mnemonic_ciphertext FROM crypto_custody_seeds WHERE livemode = false");
    await db.pool.query("UPDATE crypto_custody_seeds SET mnemonic_ciphertext = $1 WHERE livemode = false", [forged]);
    try {
      await assert.rejects(other.keys.hotWallet(false), /does not derive its recorded hot wallet/);
    } finally {
      await db.pool.query("UPDATE crypto_custody_seeds SET mnemonic_ciphertext = $1 WHERE livemode = false", [
        saved.rows[0].mnemonic_ciphertext,
      ]);
    }
    assert.equal((await custodyOf().keys.hotWallet(false)).address, hot.address);
  });

  it("gives each wallet user one address, race-safely, and the address book sees every committed address", async () => {
    const { addresses, keys } = custodyOf();
    const users = await db.pool.query<{ id: string }>(
      `INSERT INTO wallet_users (id, livemode, email, password_hash, locale, created_at, updated_at)
       SELECT 'wal_' || lpad(g::text, 22, '0'), false, 'u' || g || '@example.com', 'x', 'en', now(), now()
         FROM generate_series(1, 5) g ORDER BY g
       RETURNING id`,
    );
    const user = { id: users.rows[0]!.id, livemode: false };
    const raced = await Promise.all(Array.from({ length: 8 }, () => addresses.forWalletUser(user)));
    assert.equal(new Set(raced.map((a) => a.address)).size, 1);
    const mine = raced[0]!;
    assert.equal(mine.kind, "wallet");
    assert.equal(mine.address, await keys.addressAt(false, mine.derivationIndex));
    const others = await Promise.all(
      users.rows.slice(1, 3).map((u) => addresses.forWalletUser({ id: u.id, livemode: false })),
    );
    assert.equal(new Set([mine, ...others].map((a) => a.derivationIndex)).size, 3);

    const book = createAddressBook(db.pool, false);
    await book.refresh();
    for (const a of [mine, ...others]) assert.ok(book.has(a.address.toUpperCase().replace("0X", "0x")));
    assert.ok(book.has((await keys.hotWallet(false)).address));
    assert.ok(!book.has((await keys.hotWallet(true)).address), "a mode's book holds only its own addresses");

    // An index handed out before a slower transaction commits is found on a later refresh (a gap, then filled).
    const slow = await db.pool.connect();
    try {
      await slow.query("BEGIN");
      await keys.warm(false);
      const index = await slow.query<{ index: string }>("SELECT nextval('crypto_derivation_index_test') AS index");
      const late = await keys.addressAt(false, Number(index.rows[0]!.index));
      // A later index commits first, while the slow transaction is open.
      const after = await db.pool.query<{ index: string }>("SELECT nextval('crypto_derivation_index_test') AS index");
      const laterAddress = await keys.addressAt(false, Number(after.rows[0]!.index));
      await db.pool.query(
        `INSERT INTO crypto_addresses (address, livemode, derivation_index, kind, wallet_user_id, created_at)
         VALUES ($1, false, $2, 'wallet', $3, now())`,
        [laterAddress, Number(after.rows[0]!.index), users.rows[4]!.id],
      );
      await book.refresh();
      assert.ok(book.has(laterAddress));
      await slow.query(
        `INSERT INTO crypto_addresses (address, livemode, derivation_index, kind, wallet_user_id, created_at)
         VALUES ($1, false, $2, 'wallet', $3, now())`,
        [late, Number(index.rows[0]!.index), users.rows[3]!.id],
      );
      await slow.query("COMMIT");
      assert.ok(!book.has(late));
      await book.refresh();
      assert.ok(book.has(late), "the gap's address is read once its transaction commits");
    } finally {
      slow.release();
    }
  });
});
