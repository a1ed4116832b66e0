import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
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
} from "../../test/helpers/payments.js";
import { type TestWalletUser, WalletClient } from "../../test/helpers/wallets.js";
import { paymentAttemptsMax, paymentRetryWindowMs } from "../limits.js";

interface Attempt {
  number: number;
  status: string;
  payment_method: string | null;
  failure_code: string | null;
}

/**
 * Paying again after a failure (docs/adr/0028), over HTTP against the real database: a payment code's payment the
 * payer could not afford is paid again from its reminder's link with a prepaid card, and the merchant sees one
 * payment with two attempts and one outcome; an expired checkout is paid again by the same wallet; refused retries
 * are recorded and change nothing else; racing retries by two payers charge once; the window, the attempt cap, the
 * merchant's "no more retries" and the API versions' defaults hold.
 */
describe("paying again", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Retry Tea House");
    // The shop's balance, for issuing the prepaid cards the tests pay with.
    const buyer = await newTestPayer(coffer, { fund: "100000" });
    const sale = await ok(await api("POST", "/v1/payments", { amount: "50000", currency: "USD", method: "qr" }), 201);
    assert.equal((await ok(await buyer.client.post(`/v1/wallet/payments/${sale.id}/confirm`, {}))).status, "succeeded");
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const api = (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  const checkout = async (id: string) => ok(await coffer.app.inject({ url: `/v1/checkout/${id}` }));

  /** A payment code's payment that allows retries, which the payer cannot afford: it fails at once. */
  async function failedCodePayment(payer: TestWalletUser, amount = "2500") {
    const code = (await ok(await payer.client.get("/v1/wallet/payment_code"))).code;
    const payment = await ok(
      await api("POST", "/v1/payments", {
        amount,
        currency: "USD",
        method: "payment_code",
        payment_code: code,
        description: "Da Hong Pao, 50 g",
        allow_retries: true,
      }),
      201,
    );
    assert.equal(payment.status, "failed");
    assert.equal(payment.failure_code, "insufficient_funds");
    assert.equal(payment.allow_retries, true);
    return payment;
  }
  async function cardClient(amount: string) {
    const card = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount }), 201);
    const session = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: card.number, secret: card.secret },
      }),
      201,
    );
    return { card, client: new WalletClient(coffer.app, session.token) };
  }

  it("a failed payment is paid again from its reminder with a prepaid card: one payment, two attempts, one outcome", async () => {
    const payer = await newTestPayer(coffer, { fund: "1000" });
    const { card, client } = await cardClient("5000");
    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const payment = await failedCodePayment(payer);
    assert.ok(payment.retryable_until > payment.expires_at);

    // The reminder sends the payer to the payment's own checkout page, which says why it failed.
    const mail = await coffer.sink.waitFor(
      (m) => m.to.includes(payer.email) && m.subject.includes("did not go through"),
    );
    assert.ok(mail.text.includes(`/checkout/${payment.id}`), mail.text);
    const page = await checkout(payment.id);
    assert.equal(page.status, "failed");
    assert.equal(page.qr, null);
    assert.equal(page.retryable_until, payment.retryable_until);
    assert.deepEqual(page.last_attempt, {
      number: 1,
      status: "failed",
      failure_code: "insufficient_funds",
      cancellation_reason: null,
    });

    // Another method: a prepaid card of the shop pays it.
    const paid = await ok(await client.post(`/v1/wallet/payments/${payment.id}/confirm`, {}));
    assert.equal(paid.status, "succeeded");

    const after = await ok(await api("GET", `/v1/payments/${payment.id}`));
    assert.equal(after.status, "succeeded");
    assert.equal(after.attempts, 2);
    assert.equal(after.failure_code, null);
    assert.equal(after.retryable_until, null);
    assert.equal(after.amount_received, "2500");
    const attempts = await ok(await api("GET", `/v1/payments/${payment.id}/attempts`));
    assert.deepEqual(
      attempts.data.map((a: Attempt) => [a.number, a.status, a.payment_method, a.failure_code]),
      [
        [2, "succeeded", "stored_value_card", null],
        [1, "failed", "account_wallet", "insufficient_funds"],
      ],
    );
    assert.deepEqual(await eventTypesOf(coffer, payment.id), [
      "payment.created",
      "payment.failed",
      "payment.succeeded",
    ]);
    const succeeded = await coffer.db.pool.query(
      "SELECT data FROM events WHERE type = 'payment.succeeded' AND data->'object'->>'id' = $1",
      [payment.id],
    );
    assert.equal(succeeded.rows[0].data.previous_attributes.status, "failed");
    // The money moved once, from the card.
    assert.equal((await ok(await client.get(`/v1/wallet/cards/${card.id}`))).balance, "2500");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.available, 1000n);
    const fee = BigInt(after.fee);
    const now = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(now.available - before.available, 2500n - fee);
    // Paid: the page no longer offers to pay again, and confirming again changes nothing.
    assert.equal((await checkout(payment.id)).retryable_until, null);
    const again = await client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((await ok(await api("GET", `/v1/payments/${payment.id}`))).attempts, 2);
  });

  it("the same wallet pays an expired checkout again after topping up; the first attempt shows nobody paid", async () => {
    const payer = await newTestPayer(coffer, { fund: "5000" });
    const payment = await ok(
      await api("POST", "/v1/payments", { amount: "1200", currency: "USD", method: "checkout", expires_in: 60 }),
      201,
    );
    assert.equal(payment.allow_retries, true, "checkout payments allow retries in the latest API version");
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: 61 }));
    await coffer.services.payments.expireDue();
    const expired = await ok(await api("GET", `/v1/payments/${payment.id}`));
    assert.equal(expired.status, "expired");
    assert.equal(expired.retryable_until, expired.expires_at + paymentRetryWindowMs / 1000);

    const paid = await ok(await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {}));
    assert.equal(paid.status, "succeeded");
    const attempts = await ok(await api("GET", `/v1/payments/${payment.id}/attempts`));
    assert.deepEqual(
      attempts.data.map((a: Attempt) => [a.number, a.status, a.payment_method, a.failure_code]),
      [
        [2, "succeeded", "account_wallet", null],
        [1, "expired", null, "expired"],
      ],
    );
    assert.deepEqual(await eventTypesOf(coffer, payment.id), [
      "payment.created",
      "payment.expired",
      "payment.succeeded",
    ]);
  });

  it("a refused retry is an attempt of its own: 402, payment_attempt.failed, the payment unchanged", async () => {
    const payer = await newTestPayer(coffer, { fund: "1000" });
    const payment = await failedCodePayment(payer);
    const refused = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(refused.statusCode, 402, refused.body);
    assert.equal(refused.json().error.code, "insufficient_funds");
    const after = await ok(await api("GET", `/v1/payments/${payment.id}`));
    assert.equal(after.status, "failed");
    assert.equal(after.attempts, 2);
    const page = await checkout(payment.id);
    assert.equal(page.last_attempt.number, 2);
    assert.equal(page.last_attempt.failure_code, "insufficient_funds");
    const attempt = await coffer.db.pool.query(
      "SELECT data FROM events WHERE type = 'payment_attempt.failed' AND data->'object'->>'payment' = $1",
      [payment.id],
    );
    assert.equal(attempt.rowCount, 1);
    assert.equal(attempt.rows[0].data.object.number, 2);
    assert.equal(attempt.rows[0].data.object.payment_method, "account_wallet");
    // A prepaid card of another currency is refused the same way, and counted.
    const eur = await newTestPayer(coffer, { fund: "10000", currency: "EUR" });
    const wrongCurrency = await eur.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(wrongCurrency.statusCode, 402, wrongCurrency.body);
    assert.equal((await ok(await api("GET", `/v1/payments/${payment.id}`))).attempts, 3);
  });

  it("two payers racing to pay one failed payment again charge it once", async () => {
    const payer = await newTestPayer(coffer, { fund: "1000" });
    const payment = await failedCodePayment(payer);
    const first = await newTestPayer(coffer, { fund: "10000" });
    const second = await newTestPayer(coffer, { fund: "10000" });
    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? first : second).client.post(`/v1/wallet/payments/${payment.id}/confirm`, {}),
      ),
    );
    const paid = answers.filter((a) => a.statusCode === 200 && a.json().status === "succeeded");
    assert.ok(paid.length >= 1, answers.map((a) => a.body).join("\n"));
    for (const a of answers) {
      // Once paid, the payment is its payer's: to the other payer it is paid already, or not theirs to see.
      if (a.statusCode !== 200)
        assert.ok(["payment_status_invalid", "resource_not_found"].includes(a.json().error.code), a.body);
    }
    const after = await ok(await api("GET", `/v1/payments/${payment.id}`));
    assert.equal(after.status, "succeeded");
    const spent = [
      10000n - (await walletLedgerBalance(coffer.services, first.id))!.available,
      10000n - (await walletLedgerBalance(coffer.services, second.id))!.available,
    ].sort();
    assert.deepEqual(spent, [0n, 2500n], "exactly one payer paid, once");
    const merchantNow = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(merchantNow.available - before.available, 2500n - BigInt(after.fee));
    const succeededAttempts = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM payment_attempts WHERE payment_id = $1 AND status = 'succeeded'",
      [payment.id],
    );
    assert.equal(succeededAttempts.rows[0].n, 1);
  });

  it("the window, the attempt cap and the merchant's end of retries are kept", async () => {
    const payer = await newTestPayer(coffer, { fund: "1000" });
    // After the window: refused, nothing recorded.
    const late = await failedCodePayment(payer);
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: paymentRetryWindowMs / 1000 + 120 }));
    const closed = await payer.client.post(`/v1/wallet/payments/${late.id}/confirm`, {});
    assert.equal(closed.statusCode, 409, closed.body);
    assert.equal(closed.json().error.code, "payment_retry_closed");
    assert.equal((await ok(await api("GET", `/v1/payments/${late.id}`))).attempts, 1);

    // The cap: refused retries count; past paymentAttemptsMax the payment takes no more.
    const capped = await failedCodePayment(payer);
    for (let i = 2; i <= paymentAttemptsMax; i++) {
      const refused = await payer.client.post(`/v1/wallet/payments/${capped.id}/confirm`, {});
      assert.equal(refused.json().error.code, "insufficient_funds", refused.body);
    }
    const exhausted = await payer.client.post(`/v1/wallet/payments/${capped.id}/confirm`, {});
    assert.equal(exhausted.statusCode, 409, exhausted.body);
    assert.equal(exhausted.json().error.code, "payment_attempts_exhausted");
    const listed = await ok(await api("GET", `/v1/payments/${capped.id}/attempts`));
    assert.equal(listed.data.length, paymentAttemptsMax);
    assert.deepEqual(
      listed.data.map((a: Attempt) => a.number),
      Array.from({ length: paymentAttemptsMax }, (_, i) => paymentAttemptsMax - i),
    );

    // The merchant closed the order: allow_retries false, for good, with payment.updated.
    const ended = await failedCodePayment(payer);
    const updated = await ok(await api("POST", `/v1/payments/${ended.id}`, { allow_retries: false }));
    assert.equal(updated.allow_retries, false);
    assert.equal(updated.retryable_until, null);
    const event = await coffer.db.pool.query(
      "SELECT data FROM events WHERE type = 'payment.updated' AND data->'object'->>'id' = $1",
      [ended.id],
    );
    assert.deepEqual(event.rows[0].data.previous_attributes, { allow_retries: true });
    const refused = await payer.client.post(`/v1/wallet/payments/${ended.id}/confirm`, {});
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.code, "payment_status_invalid");
    const page = await coffer.app.inject({ url: `/v1/checkout/${ended.id}` });
    assert.equal(page.statusCode, 404, "a payment code's checkout page is only there to pay it again");
    const back = await api("POST", `/v1/payments/${ended.id}`, { allow_retries: true });
    assert.equal(back.statusCode, 400, back.body);
  });

  it("API versions: checkout payments allow retries from 2026-12-14; before, only when asked; tills never", async () => {
    const create = (body: object, version?: string) =>
      api(
        "POST",
        "/v1/payments",
        { amount: "100", currency: "USD", ...body },
        version ? { "coffer-version": version } : {},
      );
    assert.equal((await ok(await create({ method: "checkout" }, "2026-12-07"), 201)).allow_retries, false);
    assert.equal((await ok(await create({ method: "checkout" }), 201)).allow_retries, true);
    assert.equal((await ok(await create({ method: "checkout", allow_retries: false }), 201)).allow_retries, false);
    assert.equal((await ok(await create({ method: "qr" }), 201)).allow_retries, false);
    assert.equal(
      (await ok(await create({ method: "qr", allow_retries: true }, "2026-11-01"), 201)).allow_retries,
      true,
      "an older version may ask for retries",
    );
    const store = await ok(await api("POST", "/v1/stores", { name: "Counter", currency: "USD" }), 201);
    const till = await ok(await api("POST", `/v1/stores/${store.id}/tills`, { name: "Till 1" }), 201);
    const refused = await create({ method: "qr", till: till.id, allow_retries: true });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error.param, "allow_retries");

    // An old-version payment that failed is final, as it always was.
    const payer = await newTestPayer(coffer, { fund: "100" });
    const code = (await ok(await payer.client.get("/v1/wallet/payment_code"))).code;
    const old = await ok(
      await create({ amount: "900", method: "payment_code", payment_code: code }, "2026-12-07"),
      201,
    );
    assert.equal(old.status, "failed");
    assert.equal(old.retryable_until, null);
    const confirm = await payer.client.post(`/v1/wallet/payments/${old.id}/confirm`, {});
    assert.equal(confirm.statusCode, 409, confirm.body);
    assert.equal(confirm.json().error.code, "payment_status_invalid");
    assert.equal((await coffer.app.inject({ url: `/v1/checkout/${old.id}` })).statusCode, 404);
  });
});
