import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { runCli } from "../helpers/cli.js";
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
import { testOperatorAuthenticator, WalletClient } from "../helpers/wallets.js";

/**
 * Stored-value cards from end to end, as a merchant, a holder and an operator use them over HTTP, against real
 * PostgreSQL and the real CLI: a merchant issues a batch of gift cards and a batch of vouchers; a holder opens a card
 * without signing up, redeems a voucher onto it, and pays by scanning a QR code, by showing a payment code the
 * merchant charges, and on the checkout page's path; a refund comes back to the card; the card expires on the
 * merchant's test clock and what it held goes to breakage; `coffer verify` proves the books clean; and a platform
 * card is claimed into an account wallet.
 */
describe("stored-value cards end to end", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Harbour Books");
    // The shop's balance, which pays for the cards it issues: a customer buys something for 400.00.
    const customer = await newTestPayer(coffer, { fund: "100000" });
    const sale = await ok(await api("POST", "/v1/payments", { amount: "40000", currency: "USD", method: "qr" }), 201);
    const scanned = await ok(await customer.client.post("/v1/wallet/scan", { payload: sale.qr.payload }));
    await ok(await customer.client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}));
  });
  after(() => coffer?.close());

  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  function api(method: "GET" | "POST", url: string, body?: unknown) {
    return coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }
  const csvRows = (csv: string) =>
    csv
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const [number, secret, id] = line.split(",");
        return { number: number!, secret: secret!, id: id! };
      });
  const cardBalance = async (id: string) => (await ok(await api("GET", `/v1/stored_value/cards/${id}`))).balance;

  it("issue a batch, redeem a voucher, pay by QR, payment code and checkout, refund, expire into breakage, verify; claim", async () => {
    const startBalance = (await merchantLedgerBalance(coffer.services, shop.merchantId)).available;
    const clock = await ok(await api("GET", "/v1/test_helpers/clock"));
    const expiresAt = Math.floor(new Date(clock.now).getTime() / 1000) + 2 * 24 * 3600;

    // 1. A batch of five gift cards of 30.00, expiring in two days, and a batch of two vouchers of 15.00.
    const batch = await ok(
      await api("POST", "/v1/stored_value/cards", {
        currency: "USD",
        amount: "3000",
        count: 5,
        expires_at: expiresAt,
        metadata: { campaign: "harbour-2026" },
      }),
      201,
    );
    assert.deepEqual([batch.object, batch.count, batch.amount], ["stored_value_card_batch", 5, "3000"]);
    const cards = csvRows(batch.cards_csv);
    assert.equal(cards.length, 5);
    const vouchers = csvRows(
      (
        await ok(
          await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "1500", count: 2, kind: "voucher" }),
          201,
        )
      ).cards_csv,
    );
    const issuedTotal = 5n * 3000n + 2n * 1500n;
    assert.equal(
      startBalance - (await merchantLedgerBalance(coffer.services, shop.merchantId)).available,
      issuedTotal,
      "the issued value came from the shop's balance",
    );
    const listed = await ok(await api("GET", `/v1/stored_value/cards?batch=${batch.id}`));
    assert.equal(listed.data.length, 5);

    // 2. The holder opens card 1 without signing up and redeems voucher 1 onto it.
    const card = cards[0]!;
    const opened = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: card.number, secret: card.secret },
      }),
      201,
    );
    const holder = new WalletClient(coffer.app, opened.token);
    assert.deepEqual([opened.card.balance, opened.card.merchant], ["3000", { name: "Harbour Books" }]);
    const redeemed = await ok(
      await holder.post("/v1/wallet/vouchers/redeem", { code: `${vouchers[0]!.number}-${vouchers[0]!.secret}` }),
    );
    assert.deepEqual([redeemed.voucher, redeemed.amount], [vouchers[0]!.id, "1500"]);
    assert.equal(await cardBalance(card.id), "4500");

    // 3a. Pays by scanning the shop's QR code.
    const qr = await ok(await api("POST", "/v1/payments", { amount: "1000", currency: "USD", method: "qr" }), 201);
    const scanned = await ok(await holder.post("/v1/wallet/scan", { payload: qr.qr.payload }));
    assert.equal((await ok(await holder.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}))).status, "succeeded");
    assert.equal(await cardBalance(card.id), "3500");

    // 3b. Shows a payment code; the shop's scanner charges it.
    const code = await ok(await holder.get("/v1/wallet/payment_code"));
    const byCode = await ok(
      await api("POST", "/v1/payments", {
        amount: "800",
        currency: "USD",
        method: "payment_code",
        payment_code: code.code,
      }),
      201,
    );
    let charged = byCode;
    if (charged.status === "processing") {
      // Above the card's password-free amount the holder confirms on the phone, as with any wallet.
      charged = await ok(await holder.post(`/v1/wallet/payments/${byCode.id}/confirm`, {}));
    }
    assert.equal(charged.status, "succeeded", JSON.stringify(charged));
    assert.equal(await cardBalance(card.id), "2700");

    // 3c. The checkout page's path: the page reads the payment, opens a card session and confirms as the card.
    const checkout = await ok(
      await api("POST", "/v1/payments", { amount: "700", currency: "USD", method: "checkout" }),
      201,
    );
    const summary = await ok(await coffer.app.inject({ method: "GET", url: `/v1/checkout/${checkout.id}` }));
    assert.equal(summary.amount, "700");
    const pageSession = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: card.number, secret: card.secret },
      }),
      201,
    );
    const page = new WalletClient(coffer.app, pageSession.token);
    assert.equal((await ok(await page.post(`/v1/wallet/payments/${checkout.id}/confirm`, {}))).status, "succeeded");
    assert.equal(await cardBalance(card.id), "2000");

    // 4. The shop refunds the QR payment: the money comes back to the card, its payer.
    const refund = await ok(await api("POST", "/v1/refunds", { payment: qr.id }), 201);
    assert.equal(refund.status, "succeeded");
    assert.equal(await cardBalance(card.id), "3000");
    const history = await ok(await holder.get(`/v1/wallet/cards/${card.id}/transactions`));
    assert.deepEqual(
      history.data.map((t: { type: string; amount: string }) => [t.type, t.amount]),
      [
        ["refund", "1000"],
        ["payment", "-700"],
        ["payment", "-800"],
        ["payment", "-1000"],
        ["load", "1500"],
        ["issue", "3000"],
      ],
    );

    // 5. Two days later on the shop's test clock every card of the batch has expired: what each held is breakage.
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: 2 * 24 * 3600 + 1 }));
    const ended = await ok(await api("GET", `/v1/stored_value/cards?batch=${batch.id}&status=expired`));
    assert.equal(ended.data.length, 5);
    const mine = ended.data.find((c: { id: string }) => c.id === card.id);
    assert.deepEqual([mine.balance, mine.breakage], ["0", "3000"]);
    assert.deepEqual(ended.data.map((c: { breakage: string }) => c.breakage).sort(), [
      "3000",
      "3000",
      "3000",
      "3000",
      "3000",
    ]);
    assert.ok((await eventTypesOf(coffer, card.id)).includes("stored_value_card.expired"));
    const paidAfter = await ok(
      await api("POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr" }),
      201,
    );
    const late = await holder.post("/v1/wallet/scan", { payload: paidAfter.qr.payload });
    const lateConfirm =
      late.statusCode === 200 ? await holder.post(`/v1/wallet/payments/${paidAfter.id}/confirm`, {}) : late;
    assert.equal(lateConfirm.json().error.code, "card_inactive", lateConfirm.body);
    // The unredeemed voucher has no expiry: it keeps its value.
    assert.equal(await cardBalance(vouchers[1]!.id), "1500");

    // 6. coffer verify proves the books, the float and the breakage from the rows.
    await assertBooksBalance(coffer);
    const cli = runCli(["verify", "--ledger", "test"], { DATABASE_URL: coffer.db.url });
    assert.equal((await cli.exited).code, 0, cli.stdout() + cli.stderr());
    assert.match(cli.stdout(), /OK: .* the stored-value float and breakage are backed/);

    // 7. A platform card (open loop, from the float) pays at the shop, and its holder later claims the rest into an
    // account wallet: the card is closed, the account holds what it held.
    const platform = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/ops/stored_value/cards",
        headers: { "x-test-operator": "admin" },
        payload: { livemode: false, currency: "USD", amount: "5000" },
      }),
      201,
    );
    const platformSession = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: platform.number, secret: platform.secret },
      }),
      201,
    );
    const platformHolder = new WalletClient(coffer.app, platformSession.token);
    // The shop's test clock runs two days ahead; a platform card issued now expires on no clock (no expires_at).
    const there = await ok(await api("POST", "/v1/payments", { amount: "1200", currency: "USD", method: "qr" }), 201);
    const seen = await ok(await platformHolder.post("/v1/wallet/scan", { payload: there.qr.payload }));
    assert.equal(
      (await ok(await platformHolder.post(`/v1/wallet/payments/${seen.id}/confirm`, {}))).status,
      "succeeded",
    );
    const account = await newTestPayer(coffer);
    const before = (await walletLedgerBalance(coffer.services, account.id))?.available ?? 0n;
    const claimed = await ok(
      await account.client.post(`/v1/wallet/cards/${platform.id}/claim`, {
        number: platform.number,
        secret: platform.secret,
      }),
    );
    assert.deepEqual([claimed.status, claimed.balance], ["closed", "0"]);
    assert.equal((await walletLedgerBalance(coffer.services, account.id))!.available - before, 3800n);
    // The card's own session ended with the claim.
    assert.equal((await platformHolder.get(`/v1/wallet/cards/${platform.id}`)).statusCode, 401);

    const again = runCli(["verify", "--ledger", "test"], { DATABASE_URL: coffer.db.url });
    assert.equal((await again.exited).code, 0, again.stdout() + again.stderr());
  });
});
