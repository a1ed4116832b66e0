import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { paymentCodeMissCountCacheMs, paymentCodeMissesPerMerchantMax, paymentCodeMissWindowMs } from "../limits.js";
import { createCodeMissGuard } from "./code-misses.js";

describe("payment code guessing guard across processes", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("a process refuses at once after its own misses reach the limit", async () => {
    const guard = createCodeMissGuard();
    const now = new Date();
    assert.equal(await guard.retryAfter(db.pool, "own", now), undefined);
    for (let i = 0; i < paymentCodeMissesPerMerchantMax; i++) await guard.hit(db.pool, "own", now);
    const wait = await guard.retryAfter(db.pool, "own", now);
    assert.ok(wait !== undefined && wait > 0 && wait <= paymentCodeMissWindowMs / 1000);
  });

  it("another process's misses are seen within the cache time, and a new window starts clean", async () => {
    const counting = createCodeMissGuard();
    const asking = createCodeMissGuard();
    const now = new Date();
    assert.equal(await asking.retryAfter(db.pool, "shared", now), undefined); // read and remembered: 0
    for (let i = 0; i < paymentCodeMissesPerMerchantMax; i++) await counting.hit(db.pool, "shared", now);
    await new Promise((resolve) => setTimeout(resolve, paymentCodeMissCountCacheMs + 50));
    assert.ok((await asking.retryAfter(db.pool, "shared", now)) !== undefined);
    const nextWindow = new Date(now.getTime() + paymentCodeMissWindowMs);
    assert.equal(await asking.retryAfter(db.pool, "shared", nextWindow), undefined);
  });
});
