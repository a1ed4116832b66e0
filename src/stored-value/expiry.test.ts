import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { newDevice, submitCode } from "../../test/helpers/offline.js";
import {
  assertBooksBalance,
  eventTypesOf,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { type TestWalletUser, testOperatorAuthenticator, WalletClient } from "../../test/helpers/wallets.js";
import { balanceOf } from "../ledger/model.js";
import { verifyLedger } from "../ledger/verify.js";
import {
  storedValueBreakageGraceMs,
  storedValueBreakageReturnActiveMs,
  storedValueExpiredMoneyLateMs,
} from "../limits.js";

/**
 * Expiry and breakage over HTTP against the real database: a card past its expiry (on its merchant's test clock, or
 * the system clock for a platform card) leaves what it held in its issuer's breakage account, with its status and
 * event; an operator returns it within the grace period, once, even when asked in parallel; money that reaches an
 * ended card later (a refund) is moved on; the float report adds up.
 */
describe("stored-value expiry and breakage", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    coffer.services.authenticators.push(testOperatorAuthenticator);
    shop = await newPaymentsMerchant(coffer, "Expiry Shop");
    other = await newPaymentsMerchant(coffer, "Other Shop");
    payer = await newTestPayer(coffer, { fund: "200000" });
    for (let i = 0; i < 2; i++) assert.equal((await ok(await paid(shop, payer.client, "50000"))).status, "succeeded");
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const as =
    (merchant: TestPaymentsMerchant) =>
    (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
      coffer.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${merchant.secretKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
  const api = (...args: Parameters<ReturnType<typeof as>>) => as(shop)(...args);
  const ops = (method: "GET" | "POST", url: string, body?: unknown, role = "admin", key?: string) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        "x-test-operator": role,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(key ? { "idempotency-key": key } : {}),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  function refused(response: LightMyRequestResponse, status: number, code: string) {
    assert.equal(response.statusCode, status, response.body);
    assert.equal(response.json().error.code, code, response.body);
  }

  async function paid(merchant: TestPaymentsMerchant, client: WalletClient, amount: string) {
    const payment = await ok(
      await as(merchant)("POST", "/v1/payments", { amount, currency: "USD", method: "qr" }),
      201,
    );
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

  async function breakageHeld(issuer: string | null) {
    const id = await coffer.services.storedValue.accounts.breakageAccountId(false, issuer, "USD");
    return balanceOf((await coffer.services.ledger.getAccount(id))!).posted;
  }

  const inSeconds = (s: number) => Math.floor(coffer.clock.now().getTime() / 1000) + s;
  /** Unix seconds `s` from now on the merchant's test clock (its cards expire on it). */
  const onClockOf = async (merchant: TestPaymentsMerchant, s: number) =>
    Math.floor((await coffer.services.testClocks.now(merchant.merchantId, false)).getTime() / 1000) + s;

  /** A platform test card issued by an operator, expiring in `seconds` on the system clock. */
  async function platformCard(amount: string, seconds: number) {
    return ok(
      await ops("POST", "/v1/ops/stored_value/cards", {
        livemode: false,
        currency: "USD",
        amount,
        expires_at: inSeconds(seconds),
      }),
      201,
    );
  }

  it("a card expires on its issuer's test clock: what it held moves to breakage with its status and its event", async () => {
    const before = await breakageHeld(shop.merchantId);
    const card = await ok(
      await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "5000", expires_at: inSeconds(3600) }),
      201,
    );
    const elsewhere = await ok(
      await as(other)("POST", "/v1/stored_value/cards", { currency: "USD", amount: "0", expires_at: inSeconds(3600) }),
      201,
    );
    const client = await cardClient(card);
    assert.equal((await ok(await paid(shop, client, "1200"))).status, "succeeded");
    assert.equal(await coffer.services.storedValue.expireDue(), 0, "not due yet");

    // advance_time runs the shop's due work, card expiries included, before it answers.
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: 3601 }));
    const expired = await ok(await api("GET", `/v1/stored_value/cards/${card.id}`));
    assert.deepEqual(
      [expired.status, expired.balance, expired.breakage],
      ["expired", "0", "3800"],
      JSON.stringify(expired),
    );
    assert.equal((await breakageHeld(shop.merchantId)) - before, 3800n);
    const history = await ok(await api("GET", `/v1/stored_value/cards/${card.id}/transactions`));
    assert.deepEqual([history.data[0].type, history.data[0].amount], ["breakage", "-3800"]);
    assert.deepEqual((await eventTypesOf(coffer, card.id)).slice(-1), ["stored_value_card.expired"]);
    const event = await coffer.db.pool.query(
      "SELECT data FROM events WHERE type = 'stored_value_card.expired' AND data->'object'->>'id' = $1",
      [card.id],
    );
    assert.deepEqual(
      [event.rows[0].data.object.status, event.rows[0].data.previous_attributes?.status],
      ["expired", "active"],
    );

    // The holder still sees the card; it neither pays nor loads.
    const seen = await ok(await client.get(`/v1/wallet/cards/${card.id}`));
    assert.deepEqual([seen.status, seen.balance], ["expired", "0"]);
    refused(await paid(shop, client, "100"), 409, "card_inactive");
    refused(await api("POST", `/v1/stored_value/cards/${card.id}/load`, { amount: "100" }), 409, "card_inactive");
    // Another merchant's clock did not move: its card is still active.
    assert.equal((await ok(await as(other)("GET", `/v1/stored_value/cards/${elsewhere.id}`))).status, "active");
    // A merchant cannot return breakage: that is the operators' route.
    const merchantTry = await api("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {});
    assert.ok([401, 403].includes(merchantTry.statusCode), merchantTry.body);
  });

  it("a frozen platform card expires on the system clock; an operator returns its breakage onto the card once", async () => {
    const card = await platformCard("2500", 60);
    await ok(await ops("POST", `/v1/ops/stored_value/cards/${card.id}/freeze`, {}, "support"));
    const before = await breakageHeld(null);
    coffer.clock.advance(61_000);
    assert.ok((await coffer.services.storedValue.expireDue()) >= 1);
    const expired = (await ok(await ops("GET", `/v1/ops/stored_value/cards?status=expired&limit=100`))).data.find(
      (c: { id: string }) => c.id === card.id,
    );
    assert.deepEqual([expired.status, expired.balance, expired.breakage], ["expired", "0", "2500"]);
    assert.equal((await breakageHeld(null)) - before, 2500n);

    refused(
      await ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}, "reviewer"),
      403,
      "permission_denied",
    );
    const returned = await ok(
      await ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}, "support", "return-1"),
    );
    assert.deepEqual([returned.status, returned.balance, returned.breakage], ["active", "2500", "0"]);
    assert.equal(returned.expires_at, inSeconds(storedValueBreakageReturnActiveMs / 1000));
    assert.equal((await breakageHeld(null)) - before, 0n);
    assert.deepEqual((await eventTypesOf(coffer, card.id)).slice(-2), [
      "stored_value_card.expired",
      "stored_value_card.breakage_returned",
    ]);
    // The same key replays; another request finds nothing left to return.
    const replay = await ok(
      await ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}, "support", "return-1"),
    );
    assert.deepEqual(replay, returned);
    refused(
      await ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}),
      409,
      "breakage_refund_unavailable",
    );
    // It pays again (its freeze ended with its expiry).
    const client = await cardClient(card);
    assert.equal((await ok(await paid(shop, client, "500"))).status, "succeeded");
    const history = await ok(await client.get(`/v1/wallet/cards/${card.id}/transactions`));
    assert.deepEqual(
      history.data.map((t: { type: string; amount: string }) => [t.type, t.amount]),
      [
        ["payment", "-500"],
        ["breakage_return", "2500"],
        ["breakage", "-2500"],
        ["issue", "2500"],
      ],
    );

    // Not for an active card, an unknown one, or after the grace period.
    refused(
      await ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}),
      409,
      "breakage_refund_unavailable",
    );
    refused(
      await ops("POST", "/v1/ops/stored_value/cards/svc_0000000000000000000000/breakage_refund", {}),
      404,
      "resource_not_found",
    );
    const late = await platformCard("300", 60);
    coffer.clock.advance(61_000);
    await coffer.services.storedValue.expireDue();
    coffer.clock.advance(storedValueBreakageGraceMs + 1000);
    refused(
      await ops("POST", `/v1/ops/stored_value/cards/${late.id}/breakage_refund`, {}),
      409,
      "breakage_refund_unavailable",
    );
  });

  it("parallel expiry passes move a card's money once; parallel returns of its breakage return it once", async () => {
    const card = await platformCard("1700", 60);
    coffer.clock.advance(61_000);
    await Promise.all(Array.from({ length: 6 }, () => coffer.services.storedValue.expireDue()));
    const expired = await ok(await ops("GET", `/v1/ops/stored_value/cards?status=expired&limit=100`));
    const mine = expired.data.find((c: { id: string }) => c.id === card.id);
    assert.deepEqual([mine.balance, mine.breakage], ["0", "1700"]);
    const before = await breakageHeld(null);
    const transfers = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM ledger_transfers WHERE code = 'sv_breakage' AND reference = $1",
      [card.id],
    );
    assert.equal(transfers.rows[0].n, 1);

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ops("POST", `/v1/ops/stored_value/cards/${card.id}/breakage_refund`, {}, "admin", `parallel-${i}`),
      ),
    );
    const won = answers.filter((a) => a.statusCode === 200);
    assert.equal(won.length, 1, answers.map((a) => a.body).join("\n"));
    for (const a of answers.filter((x) => x.statusCode !== 200)) refused(a, 409, "breakage_refund_unavailable");
    assert.deepEqual([won[0]!.json().balance, won[0]!.json().status], ["1700", "active"]);
    assert.equal(before - (await breakageHeld(null)), 1700n);
  });

  it("a refund that reaches an expired card goes to breakage at the next pass; one to a claimed card goes to its claimer", async () => {
    const card = await ok(
      await api("POST", "/v1/stored_value/cards", {
        currency: "USD",
        amount: "3000",
        expires_at: await onClockOf(shop, 600),
      }),
      201,
    );
    const client = await cardClient(card);
    const payment = await ok(await paid(shop, client, "1000"));
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: 601 }));
    const before = await breakageHeld(shop.merchantId);
    assert.equal((await ok(await api("POST", "/v1/refunds", { payment: payment.id }), 201)).status, "succeeded");
    // The refund went to its payer, the card: verify allows the worker its time before calling that late.
    assert.equal((await ok(await api("GET", `/v1/stored_value/cards/${card.id}`))).balance, "1000");
    assert.deepEqual((await verifyLedger(coffer.db.pool, { now: coffer.clock.now() })).violations, []);
    const later = new Date(coffer.clock.now().getTime() + storedValueExpiredMoneyLateMs + 1000);
    const report = await verifyLedger(coffer.db.pool, { now: later });
    assert.deepEqual(
      report.violations.map((v) => v.kind),
      ["stored_value_expired_card_holds_money"],
    );
    assert.match(report.violations[0]!.message, new RegExp(`card ${card.id}: expired at .* still holds 1000 USD`));

    await coffer.services.storedValue.expireDue(100, shop.merchantId);
    const swept = await ok(await api("GET", `/v1/stored_value/cards/${card.id}`));
    assert.deepEqual([swept.status, swept.balance, swept.breakage], ["expired", "0", "3000"]);
    assert.equal((await breakageHeld(shop.merchantId)) - before, 1000n);

    // A platform card paid, was claimed into an account, then its payment was refunded: the claimer gets it. (It
    // pays at the other shop: a test payment judges a card's expiry on its merchant's test clock, and the shop's is
    // ahead.)
    const platform = await platformCard("2000", 3600);
    const holder = await cardClient(platform);
    const spent = await ok(await paid(other, holder, "800"));
    const claimer = await newTestPayer(coffer); // a fresh session: the clock moved months since the first payer's
    await ok(
      await claimer.client.post(`/v1/wallet/cards/${platform.id}/claim`, {
        number: platform.number,
        secret: platform.secret,
      }),
    );
    const afterClaim = (await walletLedgerBalance(coffer.services, claimer.id))!.available;
    assert.equal((await ok(await as(other)("POST", "/v1/refunds", { payment: spent.id }), 201)).status, "succeeded");
    assert.ok((await coffer.services.storedValue.expireDue()) >= 1);
    assert.equal((await walletLedgerBalance(coffer.services, claimer.id))!.available - afterClaim, 800n);
    const closed = await ok(await claimer.client.get(`/v1/wallet/cards/${platform.id}`));
    assert.deepEqual([closed.status, closed.balance], ["closed", "0"]);
  });

  it("a card expiring with money held for offline codes: breakage takes what is available, the release's return follows", async () => {
    const card = await platformCard("5000", 3600);
    const client = await cardClient(card);
    const device = await newDevice(
      coffer,
      { client },
      { offline_cap: "2000" },
      `/v1/wallet/cards/${card.id}/offline_certificate`,
    );
    const code = await device.code({ amount: 500n });
    coffer.clock.advance(3601_000);
    assert.ok((await coffer.services.storedValue.expireDue()) >= 1);
    const expired = (await ok(await ops("GET", "/v1/ops/stored_value/cards?status=expired&limit=100"))).data.find(
      (c: { id: string }) => c.id === card.id,
    );
    assert.deepEqual([expired.balance, expired.breakage], ["0", "3000"], "the held 2000 stays held");
    // Held money is not the card's to keep: verify does not call it late, however long it waits.
    const later = new Date(coffer.clock.now().getTime() + storedValueExpiredMoneyLateMs + 1000);
    assert.deepEqual((await verifyLedger(coffer.db.pool, { now: later, holdGraceMs: 24 * 3600_000 })).violations, []);
    // A code made while the card was valid, submitted after it expired, still settles: the hold backs it.
    const settled = await submitCode(coffer, other, code, "500");
    assert.equal(settled.statusCode, 201, settled.body);
    assert.equal(settled.json().status, "succeeded");
    // At the settlement deadline the rest of the hold comes back to the card, and the next pass moves it on.
    coffer.clock.set(new Date(device.certificate.settle_before * 1000 + 1000));
    assert.ok((await coffer.services.offline.releaseDue()) >= 1);
    await coffer.services.ledger.expireHolds();
    await coffer.services.storedValue.expireDue();
    const swept = (await ok(await ops("GET", "/v1/ops/stored_value/cards?status=expired&limit=100"))).data.find(
      (c: { id: string }) => c.id === card.id,
    );
    assert.deepEqual([swept.balance, swept.breakage], ["0", "4500"]);
  });

  it("the float report: per mode and currency the float account, what platform cards hold, and breakage", async () => {
    const line = async () =>
      (await ok(await ops("GET", "/v1/ops/stored_value/float", undefined, "reviewer"))).data.find(
        (l: { livemode: boolean; currency: string }) => !l.livemode && l.currency === "USD",
      );
    const before = await line();
    const card = await platformCard("900", 60);
    const client = await cardClient(card);
    await ok(await paid(other, client, "400"));
    const during = await line();
    assert.equal(BigInt(during.float_balance) - BigInt(before.float_balance), 900n);
    assert.equal(BigInt(during.outstanding) - BigInt(before.outstanding), 500n);
    assert.equal(during.cards - before.cards, 1);
    coffer.clock.advance(61_000);
    await coffer.services.storedValue.expireDue();
    const after = await line();
    assert.equal(BigInt(after.breakage) - BigInt(before.breakage), 500n);
    assert.equal(BigInt(after.outstanding) - BigInt(before.outstanding), 0n);
    assert.equal(after.cards - before.cards, 0);
    assert.equal(after.object, "stored_value_float");
    // The float account's net debit is what platform cards were issued with (coffer verify proves it too).
    const issued = await coffer.db.pool.query(
      "SELECT coalesce(sum(initial_value), 0)::text AS v FROM stored_value_cards WHERE issuer_merchant_id IS NULL AND NOT livemode AND currency = 'USD'",
    );
    assert.equal(after.float_balance, issued.rows[0].v);
    const merchantTry = await api("GET", "/v1/ops/stored_value/float");
    assert.ok([401, 403].includes(merchantTry.statusCode), merchantTry.body);
  });
});
