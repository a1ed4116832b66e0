import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { newDevice } from "../helpers/offline.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";

/**
 * Offline codes raced for real: parallel HTTP requests to two coffer processes on one database (each with its own
 * ledger writer), so settlements of one certificate meet in the ledger, not only in one process's queue.
 */
describe("offline code races", () => {
  let coffer: PaymentsCoffer;
  let sibling: Awaited<ReturnType<PaymentsCoffer["sibling"]>>;
  let shops: TestPaymentsMerchant[];

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    sibling = await coffer.sibling();
    shops = [];
    for (let i = 0; i < 10; i++) shops.push(await newPaymentsMerchant(coffer, `Offline Stall ${i}`));
  });
  afterEach(() => assertBooksBalance(coffer));
  after(async () => {
    await sibling?.close();
    await coffer?.close();
  });

  /** POST /v1/payments over real HTTP, alternating between the two processes. */
  const submit = (i: number, shop: TestPaymentsMerchant, code: string, amount: string) =>
    fetch(`${i % 2 === 0 ? coffer.baseUrl : sibling.baseUrl}/v1/payments`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ amount, currency: "USD", method: "payment_code", payment_code: code }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: { code: string } } }));

  it("one code submitted by 10 merchants in parallel settles once", async () => {
    const payer = await newTestPayer(coffer, { fund: "30000" });
    const device = await newDevice(coffer, payer, { offline_cap: "5000" });
    const before = await walletLedgerBalance(coffer.services, payer.id);
    const code = await device.code({ amount: 900n });
    const answers = await Promise.all(shops.map((shop, i) => submit(i, shop, code, "900")));
    const settled = answers.filter((a) => a.status === 201);
    assert.equal(settled.length, 1, JSON.stringify(answers));
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 409, JSON.stringify(a.body));
      assert.equal(a.body.error.code, "offline_code_replayed");
    }
    const after = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(after!.posted, before!.posted - 900n);
    const uses = await coffer.db.pool.query("SELECT 1 FROM offline_code_uses WHERE certificate_id = $1", [
      device.certificate.id,
    ]);
    assert.equal(uses.rowCount, 1);
  });

  it("many codes of one certificate raced at once never pay more than its hold", async () => {
    const payer = await newTestPayer(coffer, { fund: "30000" });
    const device = await newDevice(coffer, payer, { offline_cap: "2500" });
    const before = await walletLedgerBalance(coffer.services, payer.id);
    const codes = await Promise.all(Array.from({ length: 24 }, () => device.code()));
    // 24 × 300 asked for against 2500 held: at most 8 can be paid.
    const answers = await Promise.all(codes.map((code, i) => submit(i, shops[i % shops.length]!, code, "300")));
    const settled = answers.filter((a) => a.status === 201);
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 402, JSON.stringify(a.body));
      assert.equal(a.body.error.code, "offline_cap_exceeded");
    }
    assert.equal(settled.length, 8, JSON.stringify(answers.map((a) => a.status)));
    const row = await coffer.services.offline.get(device.certificate.id);
    assert.equal(row!.remaining, 100n);
    const after = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(after!.posted, before!.posted - 2400n);
    // What is still held is exactly what the certificate says is left.
    assert.equal(after!.debitsPending - before!.debitsPending, 100n - 2500n);
    const paid = await coffer.db.pool.query<{ total: string }>(
      "SELECT sum(amount)::text AS total FROM offline_code_uses WHERE certificate_id = $1",
      [device.certificate.id],
    );
    assert.equal(paid.rows[0]!.total, "2400");
  });
});
