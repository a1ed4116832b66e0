import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import { WalletClient } from "../../test/helpers/wallets.js";
import { storedValueSandboxCardsPerIpHourMax } from "../limits.js";
import { isCardNumber } from "./model.js";
import { magicCardNumber, magicCurrencies } from "./sandbox.js";

/**
 * The stored-value sandbox over HTTP: every magic card number opens a fresh test card in its scripted state with the
 * secret 00000000, and pays (or fails) as documented; a wrong secret is refused like any card's; one address adds a
 * bounded number of them an hour. The test helper makes a funded test card without touching the merchant's balance.
 */
describe("stored-value sandbox", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    shop = await newPaymentsMerchant(coffer, "Sandbox Shop");
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const send = (key: string, method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const api = (method: "GET" | "POST", url: string, body?: unknown) => send(shop.secretKey, method, url, body);
  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  function refused(response: LightMyRequestResponse, status: number, code: string) {
    assert.equal(response.statusCode, status, response.body);
    assert.equal(response.json().error.code, code, response.body);
  }
  const addCard = (number: string, secret = "00000000") =>
    coffer.app.inject({ method: "POST", url: "/v1/wallet/cards", payload: { number, secret } });
  async function pay(client: WalletClient, amount: string, currency = "USD") {
    const payment = await ok(await api("POST", "/v1/payments", { amount, currency, method: "qr" }), 201);
    const scanned = await ok(await client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
    return client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {});
  }

  it("magic numbers open fresh test cards in their scripted states", async () => {
    const numbers = [1, 2, 3, 4, 5].map((s) => magicCardNumber("USD", s as 1 | 2 | 3 | 4 | 5));
    assert.deepEqual(numbers, [
      "6288000000000018",
      "6288000000000026",
      "6288000000000034",
      "6288000000000042",
      "6288000000000059",
    ]);
    for (const n of numbers) assert.ok(isCardNumber(n));

    // success: an active card holding half the cap, open loop, test mode; it pays.
    const success = await ok(await addCard("6288 0000 0000 0018"), 201);
    assert.deepEqual(
      [success.card.status, success.card.balance, success.card.livemode, success.card.closed_loop, success.card.last4],
      ["active", "10000", false, false, "0018"],
    );
    const payer = new WalletClient(coffer.app, success.token);
    assert.equal((await ok(await pay(payer, "2500"))).status, "succeeded");
    assert.equal((await ok(await payer.get(`/v1/wallet/cards/${success.card.id}`))).balance, "7500");
    // Each add is a fresh card.
    const again = await ok(await addCard(numbers[0]!), 201);
    assert.notEqual(again.card.id, success.card.id);
    assert.equal(again.card.balance, "10000");

    // insufficient_balance: empty.
    const empty = await ok(await addCard(numbers[1]!), 201);
    assert.equal(empty.card.balance, "0");
    refused(await pay(new WalletClient(coffer.app, empty.token), "100"), 402, "insufficient_funds");

    // cap_exceeded: at its cap, today's spending at the daily cap.
    const capped = await ok(await addCard(numbers[2]!), 201);
    assert.equal(capped.card.balance, "20000");
    const cappedClient = new WalletClient(coffer.app, capped.token);
    refused(await pay(cappedClient, "100"), 402, "daily_limit_exceeded");
    const voucher = await ok(
      await api("POST", "/v1/test_helpers/stored_value/cards", {
        currency: "USD",
        balance: "100",
        kind: "voucher",
        open_loop: true,
      }),
      201,
    );
    refused(
      await cappedClient.post("/v1/wallet/vouchers/redeem", { code: `${voucher.number}${voucher.secret}` }),
      402,
      "balance_cap_exceeded",
    );

    // expired and frozen: neither pays.
    const expired = await ok(await addCard(numbers[3]!), 201);
    assert.deepEqual([expired.card.status, expired.card.balance], ["expired", "0"]);
    refused(await pay(new WalletClient(coffer.app, expired.token), "100"), 409, "card_inactive");
    const frozen = await ok(await addCard(numbers[4]!), 201);
    assert.deepEqual([frozen.card.status, frozen.card.balance], ["frozen", "10000"]);
    refused(await pay(new WalletClient(coffer.app, frozen.token), "100"), 403, "wallet_frozen");

    // Other currencies by the number's currency digit: CNY holds half of 1500.00.
    assert.equal(magicCurrencies.indexOf("CNY"), 3);
    const yuan = await ok(await addCard(magicCardNumber("CNY", 1)), 201);
    assert.deepEqual([yuan.card.currency, yuan.card.balance], ["CNY", "75000"]);

    // A wrong secret, or a number in the range that is no scenario, is refused like any card.
    refused(await addCard(numbers[0]!, "12345678"), 401, "card_credentials_invalid");
    const noScenario = "628800000000007";
    refused(await addCard(noScenario + luhn(noScenario)), 401, "card_credentials_invalid");
    // A magic card cannot be claimed or loaded by number: it exists for its own session only.
    const account = await newTestPayer(coffer);
    refused(
      await account.client.post(`/v1/wallet/cards/${success.card.id}/claim`, {
        number: numbers[0],
        secret: "00000000",
      }),
      401,
      "card_credentials_invalid",
    );
  });

  it("one address adds a bounded number of magic cards an hour", async () => {
    const counted = await coffer.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM stored_value_cards WHERE sandbox_magic",
    );
    let made = counted.rows[0]!.n;
    while (made < storedValueSandboxCardsPerIpHourMax) {
      const batch = Math.min(10, storedValueSandboxCardsPerIpHourMax - made);
      const answers = await Promise.all(Array.from({ length: batch }, () => addCard(magicCardNumber("USD", 2))));
      for (const a of answers) assert.equal(a.statusCode, 201, a.body);
      made += batch;
    }
    refused(await addCard(magicCardNumber("USD", 1)), 429, "rate_limited");
    coffer.clock.advance(60 * 60 * 1000 + 1000);
    await ok(await addCard(magicCardNumber("USD", 1)), 201);
  });

  it("the test helper makes a funded test card from the sandbox bank, not the merchant's balance", async () => {
    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const card = await ok(await api("POST", "/v1/test_helpers/stored_value/cards", { currency: "USD" }), 201);
    assert.ok(isCardNumber(card.number));
    assert.match(card.secret, /^[0-9]{8}$/);
    assert.deepEqual(
      [card.balance, card.livemode, card.closed_loop, card.issuer],
      ["10000", false, true, { type: "merchant", merchant: shop.merchantId }],
    );
    const after = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(after.available, before.available);
    // It is the merchant's card like any other: listed, and it opens with its number and secret.
    assert.equal((await ok(await api("GET", `/v1/stored_value/cards/${card.id}`))).balance, "10000");
    const session = await ok(await addCard(card.number, card.secret), 201);
    assert.equal((await ok(await pay(new WalletClient(coffer.app, session.token), "1000"))).status, "succeeded");

    const open = await ok(
      await api("POST", "/v1/test_helpers/stored_value/cards", { currency: "JPY", open_loop: true }),
      201,
    );
    assert.deepEqual([open.balance, open.closed_loop, open.issuer.type], ["10000", false, "platform"]);

    refused(
      await api("POST", "/v1/test_helpers/stored_value/cards", { currency: "USD", balance: "20001" }),
      402,
      "balance_cap_exceeded",
    );
    refused(
      await api("POST", "/v1/test_helpers/stored_value/cards", { currency: "USD", balance: "-1" }),
      400,
      "amount_invalid",
    );
    refused(
      await api("POST", "/v1/test_helpers/stored_value/cards", { currency: "KWD" }),
      400,
      "currency_not_supported",
    );
    const liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    refused(
      await send(liveKey, "POST", "/v1/test_helpers/stored_value/cards", { currency: "USD" }),
      403,
      "test_mode_only",
    );
  });
});

function luhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}
