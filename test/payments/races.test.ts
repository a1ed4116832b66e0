import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { Coffer } from "../../sdk/src/index.js";
import {
  assertBooksBalance,
  eventTypesOf,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Races for real: parallel HTTP requests against one coffer, each racing for the same payment, payment code or
 * refundable amount. Money moves at most once (or never above the bound), and the books stay balanced.
 */
describe("payment races", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Race Shop");
    payer = await newTestPayer(coffer, { fund: "200000" });
  });
  // coffer verify after every test: whatever a test moved, the books balance.
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const usd = (userId: string) => walletLedgerBalance(coffer.services, userId).then((b) => b?.available ?? 0n);

  /** A wallet request over real HTTP. */
  const walletPost = (token: string, path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
    fetch(`${coffer.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("one payment confirmed by 10 parallel requests of its payer: charged once", async () => {
    const before = {
      payer: await usd(payer.id),
      merchant: await merchantLedgerBalance(coffer.services, shop.merchantId),
    };
    const payment = await shop.sdk.payments.create({ amount: "3333", currency: "USD", method: "qr" });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        walletPost(payer.token, `/v1/wallet/payments/${payment.id}/confirm`, {}, { "idempotency-key": `tap-${i}` }),
      ),
    );
    const statuses = await Promise.all(
      responses.map(async (r) => [r.status, ((await r.json()) as { status: string }).status]),
    );
    assert.deepEqual(
      statuses,
      Array.from({ length: 10 }, () => [200, "succeeded"]),
      "every tap sees it paid",
    );
    assert.equal(await usd(payer.id), before.payer - 3333n, "charged once");
    const merchant = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(merchant.posted, before.merchant.posted + 3333n - 20n);
    assert.deepEqual(await eventTypesOf(coffer, payment.id), ["payment.created", "payment.succeeded"]);
    const transfers = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM ledger_transfers WHERE reference = $1",
      [payment.id],
    );
    assert.equal(transfers.rows[0].n, 2, "one charge and one fee transfer");
    await assertBooksBalance(coffer);
  });

  it("one QR payment confirmed by 10 payers at once: exactly one pays", async () => {
    const payers: TestWalletUser[] = [];
    // One at a time: each funding moves the shared test clock and runs the bank's settlement pass.
    for (let i = 0; i < 10; i++) payers.push(await newTestPayer(coffer, { fund: "5000" }));
    const payment = await shop.sdk.payments.create({ amount: "4000", currency: "USD", method: "qr" });
    const responses = await Promise.all(
      payers.map((p) => walletPost(p.token, `/v1/wallet/payments/${payment.id}/confirm`)),
    );
    const ok = responses.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, `one payer pays: ${responses.map((r) => r.status).join(", ")}`);
    for (const r of responses.filter((x) => x.status !== 200)) {
      assert.ok([404, 409].includes(r.status), `the others are told it is not open: ${r.status}`);
    }
    const balances = await Promise.all(payers.map((p) => usd(p.id)));
    assert.equal(balances.filter((b) => b === 1000n).length, 1);
    assert.equal(balances.filter((b) => b === 5000n).length, 9);
    await assertBooksBalance(coffer);
  });

  it("one payment code used by 10 parallel merchant requests: one charge", async () => {
    const before = await usd(payer.id);
    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code as string;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        shop.sdk.payments.create({ amount: "1500", currency: "USD", method: "payment_code", payment_code: code }),
      ),
    );
    const created = results.filter((r) => r.status === "fulfilled");
    assert.equal(created.length, 1, "one request gets the code");
    assert.equal(created[0]?.status === "fulfilled" && created[0].value.status, "succeeded");
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as { code?: string }).code, "payment_code_invalid");
    }
    assert.equal(await usd(payer.id), before - 1500n, "charged once");
    const payments = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM payments WHERE merchant_id = $1 AND method = 'payment_code'",
      [shop.merchantId],
    );
    assert.equal(payments.rows[0].n, 1, "the losers wrote nothing");
    await assertBooksBalance(coffer);
  });

  it("20 parallel partial refunds of one payment, through two coffer processes: never above what was captured", async () => {
    const payment = await shop.sdk.payments.create({ amount: "10000", currency: "USD", method: "qr" });
    const paid = await walletPost(payer.token, `/v1/wallet/payments/${payment.id}/confirm`);
    assert.equal(paid.status, 200);
    const before = await usd(payer.id);
    // Half the requests go to a second process: its own ledger writer, so only the hook's conditional update
    // stands between the two and a refund above the captured amount.
    const sibling = await coffer.sibling();
    const other = new Coffer(shop.secretKey, { baseUrl: sibling.baseUrl, maxRetries: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? shop.sdk : other).refunds.create(
          { payment: payment.id, amount: "700" },
          { idempotencyKey: `refund-${i}` },
        ),
      ),
    );
    await sibling.close();
    const succeeded = results.filter((r) => r.status === "fulfilled" && r.value.status === "succeeded");
    assert.equal(succeeded.length, 14, "14 × 700 = 9800 fit in 10000; a 15th would not");
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as { code?: string }).code, "refund_exceeds_captured");
    }
    const after = await shop.sdk.payments.retrieve(payment.id);
    assert.equal(after.amount_refunded, "9800");
    assert.equal(await usd(payer.id), before + 9800n);
    const stored = await coffer.db.pool.query(
      "SELECT coalesce(sum(amount), 0) AS total, count(*)::int AS n FROM refunds WHERE payment_id = $1 AND status = 'succeeded'",
      [payment.id],
    );
    assert.equal(stored.rows[0].total, 9800n);
    assert.equal(stored.rows[0].n, 14);
    // The rest, then nothing more.
    assert.equal((await shop.sdk.refunds.create({ payment: payment.id })).amount, "200");
    assert.equal((await shop.sdk.payments.retrieve(payment.id)).fee_refunded, "60", "the whole fee back at the end");
    await assertBooksBalance(coffer);
  });
});
