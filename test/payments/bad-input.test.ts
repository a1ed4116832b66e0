import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { paymentCodeMissesPerMerchantMax } from "../../src/limits.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";
import { signUpWallet, type TestWalletUser } from "../helpers/wallets.js";

/**
 * Bad input never moves money: every request below is refused with its documented code, and afterwards the
 * ledger holds exactly the transfers it held before (and coffer verify is clean).
 */
describe("payments: bad input", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let rival: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Careful Shop");
    rival = await newPaymentsMerchant(coffer, "Rival Shop");
    payer = await newTestPayer(coffer, { fund: "30000" });
  });
  // coffer verify after every test: whatever a test moved, the books balance.
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  /** The merchant API over HTTP without the SDK's types, as a careless client would call it. */
  async function call(method: "GET" | "POST", path: string, body?: unknown, key = shop.secretKey) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as { error?: { code?: string; param?: string | null } };
    return { status: response.status, json, code: json.error?.code as string | undefined, param: json.error?.param };
  }

  async function ledgerCounts() {
    const result = await coffer.db.pool.query<{
      transfers: number;
      payments: number;
      refunds: number;
      payouts: number;
    }>(
      `SELECT (SELECT count(*)::int FROM ledger_transfers) AS transfers, (SELECT count(*)::int FROM payments) AS payments,
              (SELECT count(*)::int FROM refunds) AS refunds, (SELECT count(*)::int FROM payouts) AS payouts`,
    );
    return result.rows[0]!;
  }

  it("refuses every malformed amount with amount_invalid and writes nothing", async () => {
    const before = await ledgerCounts();
    const amounts: unknown[] = [
      -1,
      0,
      1.5,
      "-1",
      "0",
      "1.5",
      "1e3",
      "19.99", // a decimal amount: the USD exponent is in the currency, not in the number
      "9999999999999999999999999999999999999999",
      "340282366920938463463374607431768211456", // 2^128: above any ledger balance
      "01999",
      " 1999",
      "",
      null,
      true,
      [1999],
    ];
    for (const amount of amounts) {
      const answer = await call("POST", "/v1/payments", { amount, currency: "USD", method: "qr" });
      assert.equal(answer.status, 400, `${JSON.stringify(amount)}: ${JSON.stringify(answer.json)}`);
      assert.equal(answer.code, "amount_invalid", JSON.stringify(amount));
      assert.equal(answer.param, "amount");
    }
    const jpy = await call("POST", "/v1/payments", { amount: "1999.5", currency: "JPY", method: "qr" });
    assert.equal(jpy.code, "amount_invalid", "JPY has no minor unit below the yen");
    assert.deepEqual(await ledgerCounts(), before);
  });

  it("refuses unknown currencies, currencies wallets do not hold, and lower-case codes", async () => {
    const before = await ledgerCounts();
    for (const [currency, status, code] of [
      ["XYZ", 400, "currency_not_supported"],
      ["KWD", 400, "currency_not_supported"],
      ["usd", 400, "parameter_invalid"],
    ] as const) {
      const answer = await call("POST", "/v1/payments", { amount: "1000", currency, method: "qr" });
      assert.equal(answer.status, status, currency);
      assert.equal(answer.code, code, currency);
      assert.equal(answer.param, "currency");
    }
    assert.deepEqual(await ledgerCounts(), before);
  });

  it("refuses malformed payment requests with the parameter named", async () => {
    const before = await ledgerCounts();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ method: "payment_code" }, "parameter_missing", "payment_code"],
      [{ method: "qr", payment_code: "880000000000000000" }, "parameter_invalid", "payment_code"],
      [{ method: "card" }, "parameter_invalid", "method"],
      [{ method: "checkout", return_url: "javascript:alert(1)" }, "parameter_invalid", "return_url"],
      [{ method: "checkout", return_url: "/relative" }, "parameter_invalid", "return_url"],
      [{ method: "qr", expires_in: 5 }, "parameter_invalid", "expires_in"],
      [{ method: "qr", capture_method: "later" }, "parameter_invalid", "capture_method"],
      [{ method: "qr", surprise: true }, "parameter_unknown", "surprise"],
      [{ method: "qr", metadata: { n: 1 } }, "parameter_invalid", "metadata.n"],
    ];
    for (const [extra, code, param] of cases) {
      const answer = await call("POST", "/v1/payments", { amount: "1000", currency: "USD", ...extra });
      assert.equal(answer.status, 400, JSON.stringify(extra));
      assert.equal(answer.code, code, JSON.stringify(extra));
      assert.equal(answer.param, param, JSON.stringify(extra));
    }
    const bad = await call("POST", "/v1/payments", {
      amount: "1000",
      currency: "USD",
      method: "payment_code",
      payment_code: "123",
    });
    assert.equal(bad.status, 402);
    assert.equal(bad.code, "payment_code_invalid");
    assert.deepEqual(await ledgerCounts(), { ...before });
  });

  it("a currency the payer holds none of: refused, nothing moved, no empty account made", async () => {
    const before = await ledgerCounts();
    const usd = await walletLedgerBalance(coffer.services, payer.id);
    const payment = await shop.sdk.payments.create({ amount: "1000", currency: "CNY", method: "qr" });
    const answer = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(answer.statusCode, 402);
    assert.equal(answer.json().error.code, "insufficient_funds");
    assert.equal((await shop.sdk.payments.retrieve(payment.id)).status, "requires_payment", "still open");
    assert.equal(await walletLedgerBalance(coffer.services, payer.id, "CNY"), undefined);

    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const viaCode = await shop.sdk.payments.create({
      amount: "1000",
      currency: "CNY",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(viaCode.status, "failed");
    assert.equal(viaCode.failure_code, "insufficient_funds");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.available, usd?.available);
    assert.equal((await ledgerCounts()).transfers, before.transfers);
  });

  it("more than the payer has, or more than the tier allows: refused, nothing moved", async () => {
    const before = await ledgerCounts();
    const big = await shop.sdk.payments.create({ amount: "40000", currency: "USD", method: "qr" });
    const tooMuch = await payer.client.post(`/v1/wallet/payments/${big.id}/confirm`, {});
    assert.equal(tooMuch.statusCode, 402);
    assert.equal(tooMuch.json().error.code, "insufficient_funds");
    const huge = await shop.sdk.payments.create({ amount: "300000", currency: "USD", method: "qr" });
    const aboveTier = await payer.client.post(`/v1/wallet/payments/${huge.id}/confirm`, {});
    assert.equal(aboveTier.json().error.code, "payment_limit_exceeded");

    // Through a payment code the same refusals end the payment with a failure code from the catalog.
    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const failed = await shop.sdk.payments.create({
      amount: "300000",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(failed.status, "processing", "above the password-free amount it waits for the payer anyway");
    const refused = await payer.client.post(`/v1/wallet/payments/${failed.id}/confirm`, {});
    assert.equal(refused.json().error.code, "payment_limit_exceeded");
    assert.equal((await ledgerCounts()).transfers, before.transfers);
  });

  it("payment-code charges the wallet refuses end the payment with the catalog's failure code", async () => {
    const before = await ledgerCounts();
    // A tier-0 payer (no identity check): USD 100.00 a day. A friend sends it USD 100.00 to spend.
    const small = await newTestPayer(coffer, { verify: false });
    const sent = await payer.client.post("/v1/wallet/transfers", { to: small.id, amount: "10000", currency: "USD" });
    assert.equal(sent.statusCode, 201, sent.body);
    const pay = async (user: TestWalletUser, amount: string) =>
      shop.sdk.payments.create({
        amount,
        currency: "USD",
        method: "payment_code",
        payment_code: (await user.client.get("/v1/wallet/payment_code")).json().code,
      });
    assert.equal((await pay(small, "6000")).status, "succeeded");
    const overLimit = await pay(small, "6000");
    assert.equal(overLimit.status, "failed");
    assert.equal(overLimit.failure_code, "limit_exceeded");
    assert.match(overLimit.failure_message ?? "", /daily/);

    const code = (await small.client.get("/v1/wallet/payment_code")).json().code;
    await coffer.services.wallets.users.freeze({ operatorId: "op_test_admin", ip: null }, small.id, "tests");
    const frozen = await shop.sdk.payments.create({
      amount: "100",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(frozen.status, "failed");
    assert.equal(frozen.failure_code, "wallet_frozen");
    assert.equal((await walletLedgerBalance(coffer.services, small.id))?.available, 4000n);
    assert.equal((await ledgerCounts()).transfers, before.transfers + 3, "the transfer, one charge and its fee");
  });

  it("another merchant's payment is a 404 everywhere, and capture above the authorized amount is refused", async () => {
    const payment = await shop.sdk.payments.create({
      amount: "2000",
      currency: "USD",
      method: "qr",
      capture_method: "manual",
    });
    const held = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(held.json().status, "requires_capture");
    const before = await ledgerCounts();
    for (const [method, path, body] of [
      ["GET", `/v1/payments/${payment.id}`, undefined],
      ["POST", `/v1/payments/${payment.id}/capture`, {}],
      ["POST", `/v1/payments/${payment.id}/cancel`, {}],
      ["POST", "/v1/refunds", { payment: payment.id }],
    ] as const) {
      const answer = await call(method, path, body, rival.secretKey);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.code, "resource_not_found", path);
    }
    assert.equal((await call("GET", "/v1/payments/pay_notevenanid")).status, 404);

    const above = await call("POST", `/v1/payments/${payment.id}/capture`, { amount_to_capture: "2001" });
    assert.equal(above.status, 400);
    assert.equal(above.code, "capture_exceeds_authorized");
    assert.equal(above.param, "amount_to_capture");
    for (const amount of ["0", "-5", "1.5"]) {
      assert.equal(
        (await call("POST", `/v1/payments/${payment.id}/capture`, { amount_to_capture: amount })).code,
        "amount_invalid",
      );
    }
    const refundEarly = await call("POST", "/v1/refunds", { payment: payment.id });
    assert.equal(refundEarly.code, "payment_status_invalid", "nothing captured yet, nothing to refund");
    assert.deepEqual(await ledgerCounts(), before);
    assert.equal((await shop.sdk.payments.retrieve(payment.id)).status, "requires_capture", "the hold is intact");

    const captured = await shop.sdk.payments.capture(payment.id, { amount_to_capture: "1500" });
    assert.equal(captured.amount_received, "1500");
    const overRefund = await call("POST", "/v1/refunds", { payment: payment.id, amount: "1501" });
    assert.equal(overRefund.code, "refund_exceeds_captured");
    assert.equal((await call("POST", "/v1/refunds", { payment: payment.id, amount: 0 })).code, "amount_invalid");
    assert.equal(
      (await call("POST", "/v1/refunds", { payment: payment.id, reason: "bored" })).code,
      "parameter_invalid",
    );
  });

  it("payouts: bad amounts, no settlement account, more than the balance", async () => {
    const before = await ledgerCounts();
    for (const amount of ["-5", "0", "2.50"]) {
      assert.equal((await call("POST", "/v1/payouts", { amount, currency: "USD" })).code, "amount_invalid");
    }
    const noAccount = await call("POST", "/v1/payouts", { amount: "100", currency: "USD" }, rival.secretKey);
    assert.equal(noAccount.status, 409);
    assert.equal(noAccount.code, "payout_account_missing");
    assert.deepEqual(await ledgerCounts(), before);
  });

  it("the wrong caller: no key, a wallet token, a payer of the other mode", async () => {
    const payment = await shop.sdk.payments.create({ amount: "1000", currency: "USD", method: "qr" });
    const anonymous = await fetch(`${coffer.baseUrl}/v1/payments/${payment.id}`);
    assert.equal(anonymous.status, 401);
    const asWallet = await call("GET", `/v1/payments/${payment.id}`, undefined, payer.token);
    assert.equal(asWallet.status, 403);
    assert.equal(asWallet.code, "permission_denied");
    const asMerchant = await call("POST", `/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(asMerchant.status, 403);

    const livePayer = await signUpWallet(coffer.app, coffer.sink);
    const scanned = await livePayer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(scanned.statusCode, 404, "a live wallet never sees a test payment");
    const confirmed = await livePayer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 404);
    const liveCode = (await livePayer.client.get("/v1/wallet/payment_code")).json().code;
    const crossMode = await call("POST", "/v1/payments", {
      amount: "100",
      currency: "USD",
      method: "payment_code",
      payment_code: liveCode,
    });
    assert.equal(crossMode.code, "payment_code_invalid", "a live payer's code is unknown to a test key");
  });

  it("limits guesses of payment codes per merchant: 429 with Retry-After", async () => {
    const guesser = await newPaymentsMerchant(coffer, "Guessing Shop");
    let last: Response | undefined;
    for (let i = 0; i <= paymentCodeMissesPerMerchantMax; i++) {
      last = await fetch(`${coffer.baseUrl}/v1/payments`, {
        method: "POST",
        headers: { authorization: `Bearer ${guesser.secretKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          amount: "100",
          currency: "USD",
          method: "payment_code",
          // Past 880000000000000001…9: those are the sandbox's magic test codes (docs/sandbox.md).
          payment_code: `88${String(1000 + i).padStart(16, "0")}`,
        }),
      });
      if (i < paymentCodeMissesPerMerchantMax) assert.equal(last.status, 402);
    }
    assert.ok(last);
    assert.equal(last.status, 429);
    assert.equal(((await last.json()) as { error: { code: string } }).error.code, "rate_limited");
    assert.ok(Number(last.headers.get("retry-after")) > 0);
    // Another merchant is not affected.
    const code = (await payer.client.get("/v1/wallet/payment_code")).json().code;
    const fine = await shop.sdk.payments.create({
      amount: "100",
      currency: "USD",
      method: "payment_code",
      payment_code: code,
    });
    assert.equal(fine.status, "succeeded");
  });
});
