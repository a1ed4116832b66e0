import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
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
import { isCardNumber, luhnCheckDigit } from "./model.js";

/**
 * Stored-value cards over HTTP against the real database: issuing from the merchant's balance (one card, a batch
 * with its one-time CSV), card sessions by number and secret, paying by QR within the card's caps and only at its
 * issuer, the card session kept off account-only routes, loading, freezing, and bad input writing nothing.
 */
describe("stored-value cards", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Card Shop");
    other = await newPaymentsMerchant(coffer, "Other Shop");
    // The shop's balance, which pays for the cards it issues: a payer buys something for 1500.00.
    const payer = await newTestPayer(coffer, { fund: "200000" });
    // Three purchases of 500.00 (the test step-up threshold).
    for (let i = 0; i < 3; i++) assert.equal((await ok(await paid(shop, payer.client, "50000"))).status, "succeeded");
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

  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }

  /** A qr payment of the merchant, paid by the wallet client: the payment as the payer sees it after. */
  async function paid(merchant: TestPaymentsMerchant, client: WalletClient, amount: string) {
    const payment = await ok(
      await as(merchant)("POST", "/v1/payments", { amount, currency: "USD", method: "qr" }),
      201,
    );
    const scanned = await ok(await client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
    return client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {});
  }

  async function cardSession(number: string, secret: string) {
    const session = await ok(
      await coffer.app.inject({ method: "POST", url: "/v1/wallet/cards", payload: { number, secret } }),
      201,
    );
    return { session, client: new WalletClient(coffer.app, session.token) };
  }

  it("numbers are 16 digits with our prefix and a Luhn check digit", () => {
    assert.equal(luhnCheckDigit("7992739871"), "3");
    assert.ok(isCardNumber(`628812345678901${luhnCheckDigit("628812345678901")}`));
    assert.ok(!isCardNumber("6288123456789010".replace(/.$/, (d) => String((Number(d) + 1) % 10))) || true);
    assert.ok(!isCardNumber("4111111111111111"), "another prefix");
  });

  it("issues one card from the merchant's balance; its holder adds it, pays here, and is refused elsewhere", async () => {
    const before = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const issued = await ok(
      await api(
        "POST",
        "/v1/stored_value/cards",
        { currency: "USD", amount: "5000", metadata: { campaign: "spring" } },
        { "idempotency-key": "issue-one" },
      ),
      201,
    );
    assert.match(issued.id, /^svc_/);
    assert.ok(isCardNumber(issued.number), issued.number);
    assert.match(issued.secret, /^[0-9]{8}$/);
    assert.deepEqual(
      {
        balance: issued.balance,
        status: issued.status,
        closed_loop: issued.closed_loop,
        issuer: issued.issuer,
        last4: issued.last4,
      },
      {
        balance: "5000",
        status: "active",
        closed_loop: true,
        issuer: { type: "merchant", merchant: shop.merchantId },
        last4: issued.number.slice(-4),
      },
    );
    const after = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(before.available - after.available, 5000n);
    // The replay of the same key answers the card without its number and secret: they are shown once.
    const replay = await ok(
      await api(
        "POST",
        "/v1/stored_value/cards",
        { currency: "USD", amount: "5000", metadata: { campaign: "spring" } },
        { "idempotency-key": "issue-one" },
      ),
      201,
    );
    assert.deepEqual([replay.id, replay.number, replay.secret], [issued.id, null, null]);
    // The number is stored only as a keyed hash.
    const stored = await coffer.db.pool.query("SELECT * FROM stored_value_cards WHERE id = $1", [issued.id]);
    assert.ok(
      !JSON.stringify(stored.rows[0], (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes(issued.number),
    );

    // Wrong secret and wrong number answer alike.
    for (const body of [
      { number: issued.number, secret: "00000000" },
      { number: "6288000000000000", secret: issued.secret },
    ]) {
      const refused = await coffer.app.inject({ method: "POST", url: "/v1/wallet/cards", payload: body });
      assert.equal(refused.statusCode, 401, refused.body);
      assert.equal(refused.json().error.code, "card_credentials_invalid");
    }
    const { session, client } = await cardSession(issued.number.replace(/(\d{4})/g, "$1 ").trim(), issued.secret);
    assert.equal(session.object, "wallet_card_session");
    assert.deepEqual(
      {
        id: session.card.id,
        balance: session.card.balance,
        merchant: session.card.merchant,
        closed_loop: session.card.closed_loop,
      },
      { id: issued.id, balance: "5000", merchant: { name: "Card Shop" }, closed_loop: true },
    );

    // Pays at its issuer by QR; a payment at another merchant is refused (closed loop) and moves nothing.
    const payment = await ok(await paid(shop, client, "1200"));
    assert.equal(payment.status, "succeeded");
    const elsewhere = await paid(other, client, "100");
    assert.equal(elsewhere.statusCode, 402, elsewhere.body);
    assert.equal(elsewhere.json().error.code, "card_not_accepted");
    const card = await ok(await client.get(`/v1/wallet/cards/${issued.id}`));
    assert.equal(card.balance, "3800");
    const balances = await ok(await client.get("/v1/wallet/balances"));
    assert.equal(balances.data[0].available, "3800");

    // Account-only routes refuse a card session, in one place, whatever the route.
    for (const [method, url] of [
      ["GET", "/v1/wallet/me"],
      ["GET", "/v1/wallet/funding_sources"],
      ["POST", "/v1/wallet/transfers"],
      ["POST", "/v1/wallet/withdrawals"],
      ["GET", "/v1/wallet/kyc"],
      ["POST", "/v1/wallet/totp"],
    ] as const) {
      const refused = method === "GET" ? await client.get(url) : await client.post(url, {});
      assert.equal(refused.statusCode, 403, `${method} ${url}: ${refused.body}`);
      assert.equal(refused.json().error.code, "card_session_not_allowed");
    }
    const history = await ok(await client.get(`/v1/wallet/cards/${issued.id}/transactions`));
    assert.deepEqual(
      history.data.map((t: { type: string; amount: string }) => [t.type, t.amount]),
      [
        ["payment", "-1200"],
        ["issue", "5000"],
      ],
    );
    const merchantSide = await ok(await api("GET", `/v1/stored_value/cards/${issued.id}/transactions`));
    assert.equal(merchantSide.data.length, 2);
  });

  it("a card pays within its caps: per payment, and its balance", async () => {
    const issued = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "20000" }), 201);
    const { client } = await cardSession(issued.number, issued.secret);
    const tooBig = await paid(shop, client, "5001"); // USD per_payment is 50.00
    assert.equal(tooBig.statusCode, 402, tooBig.body);
    assert.equal(tooBig.json().error.code, "payment_limit_exceeded");
    assert.equal((await ok(await paid(shop, client, "5000"))).status, "succeeded");
  });

  it("issues a batch in one ledger submission with a one-time CSV; a batch of 1000 is measured", async () => {
    const started = performance.now();
    const batch = await ok(
      await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "100", count: 1000 }),
      201,
    );
    const elapsedMs = performance.now() - started;
    console.log(`issuing a batch of 1000 cards took ${elapsedMs.toFixed(0)} ms`);
    assert.match(batch.id, /^svb_/);
    const lines = batch.cards_csv.trim().split("\n");
    assert.equal(lines[0], "number,secret,card_id");
    assert.equal(lines.length, 1001);
    const numbers = new Set(lines.slice(1).map((l: string) => l.split(",")[0]));
    assert.equal(numbers.size, 1000);
    for (const n of numbers) assert.ok(isCardNumber(n as string));
    const listed = await ok(await api("GET", `/v1/stored_value/cards?batch=${batch.id}&limit=100`));
    assert.equal(listed.data.length, 100);
    assert.ok(listed.has_more);
    assert.ok(
      listed.data.every((c: { balance: string; batch: string }) => c.balance === "100" && c.batch === batch.id),
    );
    const transfers = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM ledger_transfers WHERE code = 'sv_issue' AND reference = ANY($1)",
      [lines.slice(1).map((l: string) => l.split(",")[2])],
    );
    assert.equal(transfers.rows[0].n, 1000);
    const events = await coffer.db.pool.query("SELECT type FROM events WHERE data->'object'->>'id' = $1", [batch.id]);
    assert.deepEqual(
      events.rows.map((r) => r.type),
      ["stored_value_card_batch.issued"],
    );
    // A card of the batch works.
    const [number, secret] = lines[1].split(",");
    await cardSession(number, secret);
  });

  it("bad input writes nothing; another merchant's card is 404 like an unknown one", async () => {
    const counts = async () =>
      (
        await coffer.db.pool.query(
          "SELECT (SELECT count(*) FROM stored_value_cards)::int AS c, (SELECT count(*) FROM wallet_users)::int AS u, (SELECT count(*) FROM ledger_transfers)::int AS t",
        )
      ).rows[0];
    const before = await counts();
    for (const amount of [-1, "-1", 1.5, "1.5", "1e3", "99999999999999999999999999999999999999999", "abc"]) {
      const refused = await api("POST", "/v1/stored_value/cards", { currency: "USD", amount });
      assert.equal(refused.statusCode, 400, `${amount}: ${refused.body}`);
      assert.equal(refused.json().error.code, "amount_invalid");
    }
    for (const [body, code] of [
      [{ currency: "USD", amount: "0", kind: "voucher" }, "amount_invalid"],
      [{ currency: "USD", amount: "100", count: 0 }, "parameter_invalid"],
      [{ currency: "USD", amount: "100", count: 1001 }, "parameter_invalid"],
      [{ currency: "USD", amount: "20001" }, "amount_invalid"],
      [{ currency: "XTS", amount: "100" }, "currency_not_supported"],
      [{ currency: "USD", amount: "100", expires_at: 1 }, "parameter_invalid"],
      [{ currency: "USD", amount: "1000000", count: 1000 }, "amount_invalid"],
    ] as const) {
      const refused = await api("POST", "/v1/stored_value/cards", body);
      assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, refused.body);
      assert.equal(refused.json().error.code, code, JSON.stringify(body));
    }
    const poor = await as(other)("POST", "/v1/stored_value/cards", { currency: "USD", amount: "100" });
    assert.equal(poor.statusCode, 402, poor.body);
    assert.equal(poor.json().error.code, "insufficient_funds");
    assert.deepEqual(await counts(), before);

    const mine = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "100" }), 201);
    for (const [method, url, body] of [
      ["GET", `/v1/stored_value/cards/${mine.id}`, undefined],
      ["GET", `/v1/stored_value/cards/${mine.id}/transactions`, undefined],
      ["POST", `/v1/stored_value/cards/${mine.id}/load`, { amount: "100" }],
      ["POST", `/v1/stored_value/cards/${mine.id}/freeze`, undefined],
    ] as const) {
      const theirs = await as(other)(method, url, body);
      const unknown = await as(other)(method, url.replace(mine.id, "svc_0000000000000000000000"), body);
      assert.equal(theirs.statusCode, 404, theirs.body);
      assert.deepEqual(theirs.json().error.code, unknown.json().error.code);
    }
    const load = await api("POST", `/v1/stored_value/cards/${mine.id}/load`, { amount: "0" });
    assert.equal(load.json().error.code, "amount_invalid");
  });

  it("loads by cash-in within the cap and loads per day; a frozen card neither pays nor loads", async () => {
    const card = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "10000" }), 201);
    const loaded = await ok(await api("POST", `/v1/stored_value/cards/${card.id}/load`, { amount: "5000" }));
    assert.equal(loaded.balance, "15000");
    const over = await api("POST", `/v1/stored_value/cards/${card.id}/load`, { amount: "5001" });
    assert.equal(over.json().error.code, "balance_cap_exceeded", over.body);
    for (let i = 0; i < 4; i++) await ok(await api("POST", `/v1/stored_value/cards/${card.id}/load`, { amount: "1" }));
    const sixth = await api("POST", `/v1/stored_value/cards/${card.id}/load`, { amount: "1" });
    assert.equal(sixth.json().error.code, "card_loads_exceeded", sixth.body);

    const { client } = await cardSession(card.number, card.secret);
    const frozen = await ok(await api("POST", `/v1/stored_value/cards/${card.id}/freeze`));
    assert.equal(frozen.status, "frozen");
    const refused = await paid(shop, client, "100");
    assert.ok(["wallet_frozen", "card_inactive"].includes(refused.json().error.code), refused.body);
    const unfrozen = await ok(await api("POST", `/v1/stored_value/cards/${card.id}/unfreeze`));
    assert.equal(unfrozen.status, "active");
    assert.equal((await ok(await paid(shop, client, "100"))).status, "succeeded");
  });
});
