import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";
import { type TestWalletUser, WalletClient } from "../helpers/wallets.js";

/**
 * Stored-value races for real (parallel HTTP requests against real PostgreSQL): 100 payments from one card never
 * take more than its balance or its daily cap; one voucher redeemed by 20 requests at once loads once. Also the
 * account side: loading a card from an account wallet, and claiming a platform card into one.
 */
describe("stored-value races", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Race Shop");
    payer = await newTestPayer(coffer, { fund: "200000" });
    for (let i = 0; i < 2; i++) assert.equal((await ok(await paid(payer.client, "50000"))).status, "succeeded");
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const api = (method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  async function paid(client: WalletClient, amount: string) {
    const payment = await ok(await api("POST", "/v1/payments", { amount, currency: "USD", method: "qr" }), 201);
    const scanned = await ok(await client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
    return client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {});
  }
  async function cardClient(card: { number: string; secret: string }) {
    const session = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: card.number, secret: card.secret },
      }),
      201,
    );
    return new WalletClient(coffer.app, session.token);
  }

  it("100 parallel payments from one card never pass its balance or its daily cap", async () => {
    const card = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "15000" }), 201);
    const client = await cardClient(card);
    // Scanned first, confirmed all at once: 100 × 3.00 against a balance of 150.00 and a daily cap of 100.00.
    const payments = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const payment = await ok(
          await api("POST", "/v1/payments", { amount: "300", currency: "USD", method: "qr" }),
          201,
        );
        return (await ok(await client.post("/v1/wallet/scan", { payload: payment.qr.payload }))).id as string;
      }),
    );
    const answers = await Promise.all(payments.map((id) => client.post(`/v1/wallet/payments/${id}/confirm`, {})));
    const succeeded = answers.filter((a) => a.statusCode === 200 && a.json().status === "succeeded").length;
    for (const a of answers)
      if (a.statusCode !== 200) assert.equal(a.json().error.code, "daily_limit_exceeded", a.body);
    assert.equal(succeeded, 33, "a daily cap of 10000 takes 33 payments of 300");
    const balance = await ok(await client.get(`/v1/wallet/cards/${card.id}`));
    assert.equal(balance.balance, String(15000 - 300 * succeeded));
  });

  it("one voucher redeemed by 20 parallel requests loads once", async () => {
    const voucher = await ok(
      await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "2500", kind: "voucher" }),
      201,
    );
    const target = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "0" }), 201);
    const client = await cardClient(target);
    const code = `${voucher.number}-${voucher.secret}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => client.post("/v1/wallet/vouchers/redeem", { code })),
    );
    const won = answers.filter((a) => a.statusCode === 200);
    assert.equal(won.length, 1, answers.map((a) => a.body).join("\n"));
    for (const a of answers.filter((x) => x.statusCode !== 200))
      assert.equal(a.json().error.code, "voucher_already_redeemed", a.body);
    assert.equal((await ok(await client.get(`/v1/wallet/cards/${target.id}`))).balance, "2500");
    assert.equal((await ok(await api("GET", `/v1/stored_value/cards/${voucher.id}`))).status, "closed");
    assert.equal((await ok(await api("GET", `/v1/stored_value/cards/${voucher.id}`))).balance, "0");
  });

  it("an account wallet loads a card; a platform card is claimed into an account, a merchant's card is not", async () => {
    const card = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "1000" }), 201);
    const before = (await walletLedgerBalance(coffer.services, payer.id))!.available;
    const loaded = await ok(await payer.client.post("/v1/wallet/cards/load", { number: card.number, amount: "500" }));
    assert.equal(loaded.balance, "1500");
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))!.available, before - 500n);
    const refused = await payer.client.post(`/v1/wallet/cards/${card.id}/claim`, {
      number: card.number,
      secret: card.secret,
    });
    assert.equal(refused.json().error.code, "card_not_accepted", refused.body);

    // A platform card, issued by an operator from the float account.
    const platform = await coffer.services.storedValue.issue(
      { merchantId: null, livemode: false },
      { currency: "USD", amount: "700" },
    );
    assert.equal(platform.kind, "card");
    if (platform.kind !== "card") return;
    const wrong = await payer.client.post(`/v1/wallet/cards/${platform.card.id}/claim`, {
      number: platform.number,
      secret: "11111111",
    });
    assert.equal(wrong.json().error.code, "card_credentials_invalid", wrong.body);
    const claimed = await ok(
      await payer.client.post(`/v1/wallet/cards/${platform.card.id}/claim`, {
        number: platform.number,
        secret: platform.secret,
      }),
    );
    assert.deepEqual([claimed.status, claimed.balance], ["closed", "0"]);
    assert.equal((await walletLedgerBalance(coffer.services, payer.id))!.available, before - 500n + 700n);
  });
});
