import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, afterEach, before, describe, it } from "node:test";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  type PaymentsCoffer,
  startPaymentsCoffer,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { paymentCodeConfirmWindowMs, sandboxPayerApproveDelayMs, sandboxPayerDeclineDelayMs } from "../limits.js";
import { type ScenarioName, scenarioCatalog, scenarioNames } from "./scenarios.js";

/**
 * Every scenario of the catalog through the HTTP API with an sk_test_ key: the payment's state and failure_code,
 * its events in /v1/events, and the test ledger (the scripted payer's wallet and the merchant's balance moved, or
 * not). coffer verify finds the books balanced after each.
 */
describe("sandbox scenarios", () => {
  let coffer: PaymentsCoffer;
  let merchantId: string;
  let key: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    merchantId = await insertTestMerchant(coffer.db.pool, "Scenario Shop");
    key = await issueTestApiKey(coffer.services, merchantId);
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const request = (method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function payWithCode(scenario: ScenarioName, amount = "1500") {
    const response = await request("POST", "/v1/payments", {
      amount,
      currency: "USD",
      method: "payment_code",
      payment_code: scenarioCatalog[scenario].code,
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  async function payerOf(paymentId: string): Promise<string> {
    const found = await coffer.db.pool.query<{ payer_id: string }>("SELECT payer_id FROM payments WHERE id = $1", [
      paymentId,
    ]);
    return found.rows[0]!.payer_id;
  }

  async function eventTypes(objectId: string): Promise<string[]> {
    const response = await request("GET", "/v1/events?limit=100");
    assert.equal(response.statusCode, 200, response.body);
    return response
      .json()
      .data.filter((e: { data: { object: { id: string } } }) => e.data.object.id === objectId)
      .map((e: { type: string }) => e.type)
      .reverse();
  }

  const merchantBalance = async () => (await merchantLedgerBalance(coffer.services, merchantId)).posted;
  const walletBalance = async (payerId: string) => (await walletLedgerBalance(coffer.services, payerId))?.posted ?? 0n;

  async function getPayment(id: string) {
    const response = await request("GET", `/v1/payments/${id}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }

  it("success: succeeded at once, the money moves from the scripted payer to the merchant", async () => {
    const before = await merchantBalance();
    const payment = await payWithCode("success");
    assert.equal(payment.status, "succeeded");
    assert.equal(payment.failure_code, null);
    const payer = await payerOf(payment.id);
    assert.equal(await walletBalance(payer), 100_000n - 1500n);
    assert.equal(await merchantBalance(), before + 1500n - BigInt(payment.fee));
    assert.deepEqual(await eventTypes(payment.id), ["payment.created", "payment.succeeded"]);
    // The same magic code is the same payer again (made once per merchant, scenario and currency).
    const again = await payWithCode("success", "500");
    assert.equal(await payerOf(again.id), payer);
    assert.equal(await walletBalance(payer), 100_000n - 2000n);
  });

  for (const [scenario, failure] of [
    ["insufficient_funds", "insufficient_funds"],
    ["limit_exceeded", "limit_exceeded"],
    ["wallet_frozen", "wallet_frozen"],
    ["risk_declined", "risk_declined"],
  ] as const) {
    it(`${scenario}: failed with ${failure}, nothing moves`, async () => {
      const before = await merchantBalance();
      const payment = await payWithCode(scenario);
      assert.equal(payment.status, "failed");
      assert.equal(payment.failure_code, failure);
      const payer = await payerOf(payment.id);
      const opening = await coffer.db.pool.query<{ opening_balance: bigint }>(
        "SELECT opening_balance FROM sandbox_payers WHERE wallet_user_id = $1",
        [payer],
      );
      const funded = opening.rows[0]!.opening_balance;
      assert.equal(funded > 0n, !scenarioCatalog[scenario].state.empty);
      assert.equal(await walletBalance(payer), funded);
      assert.equal(await merchantBalance(), before);
      assert.deepEqual(await eventTypes(payment.id), ["payment.created", "payment.failed"]);
    });
  }

  it("payer_declines: processing, then failed payer_declined when the test clock reaches the payer's answer", async () => {
    const payment = await payWithCode("payer_declines");
    assert.equal(payment.status, "processing");
    await coffer.services.testClocks.advance(merchantId, sandboxPayerDeclineDelayMs - 1000);
    assert.equal(await coffer.services.sandbox.helpers.runDueSandboxActions(merchantId), 0);
    assert.equal((await getPayment(payment.id)).status, "processing");
    await coffer.services.testClocks.advance(merchantId, 1000);
    assert.equal(await coffer.services.sandbox.helpers.runDueSandboxActions(merchantId), 1);
    const after = await getPayment(payment.id);
    assert.equal(after.status, "failed");
    assert.equal(after.failure_code, "payer_declined");
    assert.equal(await walletBalance(await payerOf(payment.id)), 100_000n);
    assert.deepEqual(await eventTypes(payment.id), ["payment.created", "payment.processing", "payment.failed"]);
  });

  it("succeeds_after_delay: processing, then succeeded when the payer confirms on the test clock", async () => {
    const before = await merchantBalance();
    const payment = await payWithCode("succeeds_after_delay");
    assert.equal(payment.status, "processing");
    await coffer.services.testClocks.advance(merchantId, sandboxPayerApproveDelayMs);
    assert.equal(await coffer.services.sandbox.helpers.runDueSandboxActions(merchantId), 1);
    const after = await getPayment(payment.id);
    assert.equal(after.status, "succeeded");
    assert.equal(await walletBalance(await payerOf(payment.id)), 100_000n - 1500n);
    assert.equal(await merchantBalance(), before + 1500n - BigInt(after.fee));
    assert.deepEqual(await eventTypes(payment.id), ["payment.created", "payment.processing", "payment.succeeded"]);
  });

  it("payer_never_answers: processing, then canceled by coffer's confirmation timeout", async () => {
    const payment = await payWithCode("payer_never_answers");
    assert.equal(payment.status, "processing");
    assert.equal(await coffer.services.sandbox.helpers.runDueSandboxActions(merchantId), 0);
    coffer.clock.advance(paymentCodeConfirmWindowMs + 1000);
    await coffer.services.payments.expireDue();
    const after = await getPayment(payment.id);
    assert.equal(after.status, "canceled");
    assert.equal(after.cancellation_reason, "confirmation_timeout");
    assert.equal(await walletBalance(await payerOf(payment.id)), 100_000n);
    assert.deepEqual(await eventTypes(payment.id), ["payment.created", "payment.processing", "payment.canceled"]);
  });

  it("refund_fails: the payment succeeds, every refund of it fails with refund_declined and moves nothing", async () => {
    const payment = await payWithCode("refund_fails");
    assert.equal(payment.status, "succeeded");
    const merchantBefore = await merchantBalance();
    const payer = await payerOf(payment.id);
    const walletBefore = await walletBalance(payer);
    for (const body of [{ payment: payment.id }, { payment: payment.id, amount: "100" }]) {
      const refund = await request("POST", "/v1/refunds", body);
      assert.equal(refund.statusCode, 201, refund.body);
      assert.equal(refund.json().status, "failed");
      assert.equal(refund.json().failure_code, "refund_declined");
      assert.deepEqual(await eventTypes(refund.json().id), ["refund.created", "refund.failed"]);
    }
    assert.equal(await merchantBalance(), merchantBefore);
    assert.equal(await walletBalance(payer), walletBefore);
    assert.equal((await getPayment(payment.id)).amount_refunded, "0");
    // Bad input is still refused first, and writes nothing.
    const tooMuch = await request("POST", "/v1/refunds", { payment: payment.id, amount: "999999" });
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.json().error.code, "refund_exceeds_captured");
  });

  it("a magic code is a test-mode thing: a live key gets payment_code_invalid and no payer is made", async () => {
    const live = await issueTestApiKey(coffer.services, merchantId, { livemode: true });
    const payers = await coffer.db.pool.query("SELECT count(*)::int AS n FROM sandbox_payers");
    const response = await coffer.app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { authorization: `Bearer ${live}`, "content-type": "application/json" },
      payload: JSON.stringify({
        amount: "1500",
        currency: "USD",
        method: "payment_code",
        payment_code: scenarioCatalog.success.code,
      }),
    });
    assert.equal(response.statusCode, 402, response.body);
    assert.equal(response.json().error.code, "payment_code_invalid");
    const after = await coffer.db.pool.query("SELECT count(*)::int AS n FROM sandbox_payers");
    assert.equal(after.rows[0].n, payers.rows[0].n);
  });

  it("first uses of a magic code racing make one scripted payer and charge each payment once", async () => {
    const other = await insertTestMerchant(coffer.db.pool, "Race Shop");
    const otherKey = await issueTestApiKey(coffer.services, other);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        coffer.app.inject({
          method: "POST",
          url: "/v1/payments",
          headers: { authorization: `Bearer ${otherKey}`, "content-type": "application/json" },
          payload: JSON.stringify({
            amount: "100",
            currency: "USD",
            method: "payment_code",
            payment_code: scenarioCatalog.success.code,
          }),
        }),
      ),
    );
    for (const response of responses) {
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().status, "succeeded");
    }
    const payers = await coffer.db.pool.query<{ wallet_user_id: string }>(
      "SELECT wallet_user_id FROM sandbox_payers WHERE merchant_id = $1",
      [other],
    );
    assert.equal(payers.rows.length, 1);
    assert.equal(await walletBalance(payers.rows[0]!.wallet_user_id), 100_000n - 800n);
  });

  it("docs/sandbox.md lists every scenario with its code, as the catalog says", async () => {
    const guide = await readFile(new URL("../../docs/sandbox.md", import.meta.url), "utf8");
    // Table rows as trimmed cells, so the formatter's column padding does not matter.
    const rows = guide
      .split("\n")
      .filter((line) => line.startsWith("|"))
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim())
          .join(" | "),
      );
    for (const name of scenarioNames) {
      const scenario = scenarioCatalog[name];
      assert.ok(
        rows.includes(`\`${scenario.code}\` | \`${name}\` | ${scenario.outcome}`),
        `docs/sandbox.md is missing the row of ${name}`,
      );
    }
    const listed = await request("GET", "/v1/test_helpers/scenarios");
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      listed.json().data.map((s: { name: string }) => s.name),
      [...scenarioNames],
    );
  });
});
