import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  type PaymentsCoffer,
  startPaymentsCoffer,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { bearerSender } from "../../test/helpers/sandbox.js";

/**
 * The test helpers over HTTP: test payers (a real wallet session, real test-ledger money), approve / decline /
 * expire, bad input that writes nothing, and ten approvals of one payment racing for real.
 */
describe("sandbox test helpers", () => {
  let coffer: PaymentsCoffer;
  let merchantId: string;
  let key: string;
  let liveKey: string;
  let otherKey: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    merchantId = await insertTestMerchant(coffer.db.pool, "Helper Shop");
    key = await issueTestApiKey(coffer.services, merchantId);
    liveKey = await issueTestApiKey(coffer.services, merchantId, { livemode: true });
    otherKey = await issueTestApiKey(coffer.services, await insertTestMerchant(coffer.db.pool, "Other Shop"));
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const send = bearerSender(() => coffer.app);

  async function createPayer(body: Record<string, unknown> = {}) {
    const response = await send(key, "POST", "/v1/test_helpers/wallet_users", { currency: "USD", ...body });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  async function qrPayment(amount = "2500", extra: Record<string, unknown> = {}) {
    const response = await send(key, "POST", "/v1/payments", { amount, currency: "USD", method: "qr", ...extra });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  /** Rows the helpers could write: none of these may change on bad input. */
  async function rowCounts() {
    const result = await coffer.db.pool.query(
      `SELECT (SELECT count(*) FROM wallet_users)::int AS users, (SELECT count(*) FROM sandbox_payers)::int AS payers,
              (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM events)::int AS events,
              (SELECT count(*) FROM ledger_transfers)::int AS transfers`,
    );
    return result.rows[0];
  }

  it("a test payer is a funded test-mode wallet user whose session token works on the wallet API", async () => {
    const payer = await createPayer({ balance: "50000", tier: 2, password_free_limit: "1000" });
    assert.equal(payer.object, "test_wallet_user");
    assert.match(payer.id, /^wal_/);
    assert.equal(payer.livemode, false);
    assert.equal(payer.balance, "50000");
    assert.equal(payer.tier, 2);
    assert.equal(payer.password_free_limit, "1000");
    assert.match(payer.session_token, /^wst_/);
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.posted, 50_000n);

    const balances = await send(payer.session_token, "GET", "/v1/wallet/balances");
    assert.equal(balances.statusCode, 200, balances.body);
    assert.ok(JSON.stringify(balances.json()).includes("50000"));

    // The payer scans a QR payment and confirms it: the money moves in the test ledger.
    const payment = await qrPayment("2500");
    const scanned = await send(payer.session_token, "POST", "/v1/wallet/scan", { payload: payment.qr.payload });
    assert.equal(scanned.statusCode, 200, scanned.body);
    const merchantBefore = (await merchantLedgerBalance(coffer.services, merchantId)).posted;
    const confirmed = await send(payer.session_token, "POST", `/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.posted, 47_500n);
    const fee = BigInt((await send(key, "GET", `/v1/payments/${payment.id}`)).json().fee);
    assert.equal((await merchantLedgerBalance(coffer.services, merchantId)).posted, merchantBefore + 2500n - fee);
  });

  it("a test payer's scenario holds for qr payments: risk_declined fails the payment, empty wallets are refused", async () => {
    const risky = await createPayer({ scenario: "risk_declined" });
    const payment = await qrPayment();
    const confirmed = await send(risky.session_token, "POST", `/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "failed");
    assert.equal(confirmed.json().failure_code, "risk_declined");

    const empty = await createPayer({ scenario: "insufficient_funds" });
    assert.equal(empty.balance, "0");
    const open = await qrPayment();
    const refused = await send(key, "POST", `/v1/test_helpers/payments/${open.id}/approve`, { wallet_user: empty.id });
    assert.equal(refused.statusCode, 402, refused.body);
    assert.equal(refused.json().error.code, "insufficient_funds");
    assert.equal((await send(key, "GET", `/v1/payments/${open.id}`)).json().status, "requires_payment");
  });

  it("approve pays with the merchant's funded payer by default, or the test payer named", async () => {
    const payment = await qrPayment("3000");
    const approved = await send(key, "POST", `/v1/test_helpers/payments/${payment.id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, "succeeded");
    assert.equal(approved.json().amount_received, "3000");

    const payer = await createPayer({ balance: "10000" });
    const second = await qrPayment("4000");
    const byPayer = await send(key, "POST", `/v1/test_helpers/payments/${second.id}/approve`, {
      wallet_user: payer.id,
    });
    assert.equal(byPayer.statusCode, 200, byPayer.body);
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.posted, 6_000n);

    // Approving a finished payment with another payer: 409, nothing moves.
    const again = await send(key, "POST", `/v1/test_helpers/payments/${second.id}/approve`, {
      wallet_user: (await createPayer()).id,
    });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().error.code, "payment_status_invalid");
  });

  it("decline fails an open payment with payer_declined; expire expires it now; wrong states are 409", async () => {
    const payment = await qrPayment();
    const declined = await send(key, "POST", `/v1/test_helpers/payments/${payment.id}/decline`);
    assert.equal(declined.statusCode, 200, declined.body);
    assert.equal(declined.json().status, "failed");
    assert.equal(declined.json().failure_code, "payer_declined");
    for (const action of ["approve", "decline", "expire"]) {
      const late = await send(key, "POST", `/v1/test_helpers/payments/${payment.id}/${action}`);
      assert.equal(late.statusCode, 409, `${action}: ${late.body}`);
      assert.equal(late.json().error.code, "payment_status_invalid");
    }

    const open = await qrPayment();
    const expired = await send(key, "POST", `/v1/test_helpers/payments/${open.id}/expire`);
    assert.equal(expired.statusCode, 200, expired.body);
    assert.equal(expired.json().status, "expired");
    assert.equal(expired.json().failure_code, "expired");
    const events = await coffer.db.pool.query<{ type: string }>(
      "SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq",
      [open.id],
    );
    assert.deepEqual(
      events.rows.map((r) => r.type),
      ["payment.created", "payment.expired"],
    );
  });

  it("expire releases a manual-capture hold: the payer's money comes back", async () => {
    const payer = await createPayer({ balance: "9000" });
    const payment = await qrPayment("2000", { capture_method: "manual" });
    const held = await send(key, "POST", `/v1/test_helpers/payments/${payment.id}/approve`, { wallet_user: payer.id });
    assert.equal(held.json().status, "requires_capture");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.available, 7_000n);
    const expired = await send(key, "POST", `/v1/test_helpers/payments/${payment.id}/expire`);
    assert.equal(expired.statusCode, 200, expired.body);
    assert.equal(expired.json().status, "expired");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.available, 9_000n);
  });

  it("a payment code payment waiting for its payer: decline and approve act as that payer", async () => {
    const payer = await createPayer({ password_free_limit: "100" });
    const code = await send(payer.session_token, "GET", "/v1/wallet/payment_code");
    assert.equal(code.statusCode, 200, code.body);
    const waiting = await send(key, "POST", "/v1/payments", {
      amount: "500",
      currency: "USD",
      method: "payment_code",
      payment_code: code.json().code,
    });
    assert.equal(waiting.json().status, "processing", waiting.body);
    const approved = await send(key, "POST", `/v1/test_helpers/payments/${waiting.json().id}/approve`);
    assert.equal(approved.json().status, "succeeded", approved.body);
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.posted, 99_500n);
  });

  it("ten approvals of one payment racing charge it once", async () => {
    const payer = await createPayer({ balance: "20000" });
    const payment = await qrPayment("5000");
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        send(key, "POST", `/v1/test_helpers/payments/${payment.id}/approve`, { wallet_user: payer.id }),
      ),
    );
    for (const response of responses) {
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().status, "succeeded");
    }
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))?.posted, 15_000n);
    const charges = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM ledger_transfers WHERE reference = $1 AND code = 'payment'",
      [payment.id],
    );
    assert.equal(charges.rows[0].n, 1);
    const succeeded = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE type = 'payment.succeeded' AND data->'object'->>'id' = $1",
      [payment.id],
    );
    assert.equal(succeeded.rows[0].n, 1);
  });

  it("bad input to every helper is refused with a clear code and writes nothing", async () => {
    const payment = await qrPayment();
    const otherPayment = (
      await send(otherKey, "POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr" })
    ).json();
    const otherPayer = (
      await send(otherKey, "POST", "/v1/test_helpers/wallet_users", { currency: "USD", balance: "100" })
    ).json();
    const before = await rowCounts();

    const cases: { body: unknown; url: string; status: number; code: string; bearer?: string }[] = [
      ...["-1", "1.5", "1e3", "01", "1".repeat(60), "", "abc"].map((balance) => ({
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", balance },
        status: 400,
        code: "amount_invalid",
      })),
      ...[-1, 1.5].map((balance) => ({
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", balance },
        status: 400,
        code: "amount_invalid",
      })),
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", balance: "99999999999" },
        status: 402,
        code: "balance_cap_exceeded",
      },
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", password_free_limit: "-1" },
        status: 400,
        code: "amount_invalid",
      },
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", scenario: "lucky" },
        status: 400,
        code: "parameter_invalid",
      },
      { url: "/v1/test_helpers/wallet_users", body: { currency: "XXX" }, status: 400, code: "currency_not_supported" },
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", tier: 3 },
        status: 400,
        code: "parameter_invalid",
      },
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD", email: "nope" },
        status: 400,
        code: "contact_invalid",
      },
      { url: "/v1/test_helpers/wallet_users", body: {}, status: 400, code: "parameter_missing" },
      {
        url: "/v1/test_helpers/wallet_users",
        body: { currency: "USD" },
        status: 403,
        code: "test_mode_only",
        bearer: liveKey,
      },
      {
        url: `/v1/test_helpers/payments/${otherPayment.id}/approve`,
        body: {},
        status: 404,
        code: "resource_not_found",
      },
      {
        url: `/v1/test_helpers/payments/${otherPayment.id}/decline`,
        body: {},
        status: 404,
        code: "resource_not_found",
      },
      { url: `/v1/test_helpers/payments/${otherPayment.id}/expire`, body: {}, status: 404, code: "resource_not_found" },
      { url: "/v1/test_helpers/payments/pay_nope/approve", body: {}, status: 404, code: "resource_not_found" },
      {
        url: `/v1/test_helpers/payments/${payment.id}/approve`,
        body: { wallet_user: otherPayer.id },
        status: 404,
        code: "resource_not_found",
      },
      {
        url: `/v1/test_helpers/payments/${payment.id}/approve`,
        body: { wallet_user: "wal_nope", extra: 1 },
        status: 400,
        code: "parameter_unknown",
      },
      ...["approve", "decline", "expire"].map((action) => ({
        url: `/v1/test_helpers/payments/${payment.id}/${action}`,
        body: {},
        status: 403,
        code: "test_mode_only",
        bearer: liveKey,
      })),
      { url: "/v1/test_helpers/reset", body: {}, status: 403, code: "test_mode_only", bearer: liveKey },
    ];
    for (const c of cases) {
      const response = await send(c.bearer ?? key, "POST", c.url, c.body);
      assert.equal(response.statusCode, c.status, `${c.url} ${JSON.stringify(c.body)}: ${response.body}`);
      assert.equal(response.json().error.code, c.code, `${c.url} ${JSON.stringify(c.body)}: ${response.body}`);
    }
    const scenarios = await send(liveKey, "GET", "/v1/test_helpers/scenarios");
    assert.equal(scenarios.statusCode, 403);
    assert.deepEqual(await rowCounts(), before);
    assert.equal((await send(key, "GET", `/v1/payments/${payment.id}`)).json().status, "requires_payment");
  });
});
