import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant } from "../../test/helpers/merchant-rows.js";
import { withTransaction } from "../db/tx.js";
import { eventFromRow, isEventType, recordEvent } from "./outbox.js";

describe("event outbox", () => {
  let db: TestDatabase;
  let merchantId: string;
  before(async () => {
    db = await createTestDatabase();
    merchantId = await insertTestMerchant(db.pool);
  });
  after(async () => {
    await db.drop();
  });

  it("commits an event with its change, or not at all", async () => {
    const kept = await withTransaction(db.pool, (tx) =>
      recordEvent(tx, {
        type: "payment.succeeded",
        merchantId,
        livemode: false,
        object: { id: "pay_1", amount: 1999n },
      }),
    );
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await recordEvent(tx, {
          type: "payment.failed",
          merchantId,
          livemode: false,
          object: { id: "pay_2" },
        });
        throw new Error("abort");
      }),
    );
    const rows = await db.pool.query("SELECT * FROM events WHERE merchant_id = $1", [merchantId]);
    assert.equal(rows.rows.length, 1);
    const event = eventFromRow(rows.rows[0]);
    assert.equal(event.id, kept.id);
    assert.match(event.id, /^evt_/);
    assert.deepEqual(event.data, { object: { id: "pay_1", amount: "1999" } });
    assert.equal(event.api_version, kept.api_version);
  });

  it("only accepts dotted object.change types", async () => {
    assert.equal(isEventType("payment.succeeded"), true);
    assert.equal(isEventType("kyb_application.action_required"), true);
    assert.equal(isEventType("Payment.Succeeded"), false);
    assert.equal(isEventType("payment"), false);
    await assert.rejects(
      recordEvent(db.pool, { type: "bad", merchantId: null, livemode: true, object: {} }),
      /object\.change/,
    );
    await assert.rejects(
      recordEvent(db.pool, { type: "payment.teleported", merchantId: null, livemode: true, object: {} }),
      /not in src\/events\/catalog\.ts/,
    );
  });
});
