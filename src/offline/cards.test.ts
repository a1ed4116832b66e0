import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type OfflineKey, verifyOfflineCode } from "../../sdk/src/index.js";
import { newOperator } from "../../test/helpers/merchant-console.js";
import { newDevice, submitCode } from "../../test/helpers/offline.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import { WalletClient } from "../../test/helpers/wallets.js";
import { offlineCertificateTtlMs, offlineSettleGraceMs } from "../limits.js";

/**
 * Offline certificates of stored-value cards (POST /v1/wallet/cards/{id}/offline_certificate) over HTTP against the
 * real database: the certificate holds the card's own money, its codes settle as payments by the card, the card's
 * limits (COFFER_STORED_VALUE_LIMITS: USD 50.00 a payment, 100.00 a day) bound the cap, a shop's card pays that shop
 * only (offline too: its certificate names the shop, so the POS can tell), only the card's own session gets one and
 * only while the card can pay, and the certificate ends with the card.
 */
describe("offline certificates of prepaid cards", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    shop = await newPaymentsMerchant(coffer, "Card Cafe");
    other = await newPaymentsMerchant(coffer, "Next Door");
    // The shop's balance pays for the cards it issues: a payer buys two things for 400.00 each.
    const payer = await newTestPayer(coffer, { fund: "100000" });
    for (let i = 0; i < 2; i++) {
      const payment = await ok(
        await as(shop)("POST", "/v1/payments", { amount: "40000", currency: "USD", method: "qr" }),
        201,
      );
      const scanned = await ok(await payer.client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
      const paid = await ok(
        await payer.client.post(
          `/v1/wallet/payments/${scanned.id}/confirm`,
          {},
          { "idempotency-key": crypto.randomUUID() },
        ),
      );
      assert.equal(paid.status, "succeeded");
    }
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const as = (merchant: TestPaymentsMerchant) => (method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${merchant.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each compared to what is expected
  async function ok(response: { statusCode: number; body: string; json(): any }, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }

  const unix = (at: Date) => Math.floor(at.getTime() / 1000);

  /** A card issued by the shop (or by the platform with `platform`), opened with its number and secret. */
  async function openCard(amount: string, extra: Record<string, unknown> = {}) {
    const issued = await ok(
      await as(shop)("POST", "/v1/stored_value/cards", { currency: "USD", amount, ...extra }),
      201,
    );
    return { issued, ...(await signIn(issued)) };
  }
  async function signIn(issued: { id: string; number: string; secret: string }) {
    const session = await ok(
      await coffer.app.inject({
        method: "POST",
        url: "/v1/wallet/cards",
        payload: { number: issued.number, secret: issued.secret },
      }),
      201,
    );
    const row = await coffer.db.pool.query<{ wallet_user_id: string }>(
      "SELECT wallet_user_id FROM stored_value_cards WHERE id = $1",
      [issued.id],
    );
    return { client: new WalletClient(coffer.app, session.token), walletUserId: row.rows[0]!.wallet_user_id };
  }
  const certificateUrl = (cardId: string) => `/v1/wallet/cards/${cardId}/offline_certificate`;
  const askCertificate = (client: WalletClient, cardId: string, body: Record<string, unknown>) =>
    newDevice(coffer, { client }, body, certificateUrl(cardId));
  async function refusedCertificate(client: WalletClient, url: string, body: Record<string, unknown> = {}) {
    const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", keys.publicKey);
    return client.post(url, { public_key: { kty, crv, x, y }, ...body }, { "idempotency-key": crypto.randomUUID() });
  }
  const counts = async () =>
    (
      await coffer.db.pool.query<{ payments: number; uses: number; certificates: number }>(
        `SELECT (SELECT count(*)::int FROM payments) AS payments, (SELECT count(*)::int FROM offline_code_uses) AS uses,
                (SELECT count(*)::int FROM offline_certificates) AS certificates`,
      )
    ).rows[0]!;
  const fetchKeys = async () =>
    (await ok(await coffer.app.inject({ method: "GET", url: "/v1/offline_keys" }))) as {
      keys: OfflineKey[];
    };

  it("holds the cap from the card's own balance, names the shop, and ends with the card", async () => {
    const cardExpiry = new Date(coffer.clock.now().getTime() + 3 * 60 * 60 * 1000);
    const { issued, client, walletUserId } = await openCard("10000", { expires_at: unix(cardExpiry) });
    const before = await walletLedgerBalance(coffer.services, walletUserId);
    const device = await askCertificate(client, issued.id, { offline_cap: "3000" });
    assert.deepEqual(
      {
        cap: device.certificate.cap,
        remaining: device.certificate.remaining,
        merchant: device.certificate.merchant,
        expires_at: device.certificate.expires_at,
        settle_before: device.certificate.settle_before,
      },
      {
        cap: "3000",
        remaining: "3000",
        merchant: shop.merchantId,
        // The card ends in 3 hours, before the usual 24: so does its certificate.
        expires_at: unix(cardExpiry),
        settle_before: unix(cardExpiry) + offlineSettleGraceMs / 1000,
      },
    );
    const after = await walletLedgerBalance(coffer.services, walletUserId);
    assert.equal(before!.available - after!.available, 3000n);
    assert.equal(after!.posted, before!.posted);
    const row = await coffer.services.offline.get(device.certificate.id);
    assert.equal(row!.walletUserId, walletUserId);
    const hold = await coffer.services.ledger.getTransfer(row!.holdTransferId!);
    assert.equal(hold!.amount, 3000n);
    // The holder sees the held money as not available on the card.
    assert.equal((await ok(await client.get(`/v1/wallet/cards/${issued.id}`))).balance, "7000");

    // A card without an expiry gets the usual 24 hours.
    const open = await openCard("2000");
    const lasting = await askCertificate(open.client, open.issued.id, { offline_cap: "500" });
    assert.equal(lasting.certificate.expires_at, unix(coffer.clock.now()) + offlineCertificateTtlMs / 1000);
  });

  it("settles its codes at the shop as payments by the card; another merchant is refused, by the SDK and by coffer", async () => {
    const { issued, client, walletUserId } = await openCard("10000");
    const device = await askCertificate(client, issued.id, { offline_cap: "4000" });
    const keys = await fetchKeys();
    const code = await device.code({ amount: 1500n });
    const now = coffer.clock.now();
    const atShop = await verifyOfflineCode(code, {
      keys,
      now,
      amount: "1500",
      currency: "USD",
      merchant: shop.merchantId,
    });
    assert.equal(atShop.ok, true);
    assert.equal(atShop.ok && atShop.certificate.merchant, shop.merchantId);
    const nextDoor = await verifyOfflineCode(code, { keys, now, amount: "1500", merchant: other.merchantId });
    assert.deepEqual(nextDoor.ok ? nextDoor : nextDoor.code, "card_not_accepted");

    const seen = await counts();
    const refused = await submitCode(coffer, other, code, "1500");
    assert.equal(refused.statusCode, 402, refused.body);
    assert.equal(refused.json().error.code, "card_not_accepted");
    assert.deepEqual(await counts(), seen, "a refused code writes nothing");

    const walletBefore = await walletLedgerBalance(coffer.services, walletUserId);
    const paid = await submitCode(coffer, shop, code, "1500");
    assert.equal(paid.statusCode, 201, paid.body);
    assert.equal(paid.json().status, "succeeded");
    const second = await submitCode(coffer, shop, await device.code(), "900");
    assert.equal(second.statusCode, 201, second.body);
    // The card paid: its session sees the payments and its history lists them; the money came from the hold.
    assert.equal((await client.get(`/v1/wallet/payments/${paid.json().id}`)).statusCode, 200);
    const history = await ok(await client.get(`/v1/wallet/cards/${issued.id}/transactions`));
    assert.deepEqual(
      history.data
        .filter((t: { type: string }) => t.type === "payment")
        .map((t: { type: string; amount: string }) => [t.type, t.amount]),
      [
        ["payment", "-900"],
        ["payment", "-1500"],
      ],
    );
    const walletAfter = await walletLedgerBalance(coffer.services, walletUserId);
    assert.equal(walletBefore!.posted - walletAfter!.posted, 2400n);
    assert.equal(walletAfter!.available, walletBefore!.available);
    // What is left of the certificate, as the device asks when online; nobody else's session sees it.
    const left = await ok(await client.get(`/v1/wallet/offline_certificates/${device.certificate.id}`));
    assert.deepEqual([left.remaining, left.status], ["1600", "active"]);
    const stranger = await newTestPayer(coffer);
    const hidden = await stranger.client.get(`/v1/wallet/offline_certificates/${device.certificate.id}`);
    assert.equal(hidden.statusCode, 404, hidden.body);
    // A replay of a settled code stays refused.
    const replayed = await submitCode(coffer, shop, code, "100");
    assert.equal(replayed.json().error.code, "offline_code_replayed");
  });

  it("keeps the card's limits: per payment, per day, and its balance", async () => {
    const { issued, client } = await openCard("15000");
    const url = certificateUrl(issued.id);
    const seen = await counts();
    const overPayment = await refusedCertificate(client, url, { offline_cap: "5001" }); // USD 50.00 a payment
    assert.equal(overPayment.statusCode, 402, overPayment.body);
    assert.equal(overPayment.json().error.code, "payment_limit_exceeded");
    assert.deepEqual(await counts(), seen);
    await askCertificate(client, issued.id, { offline_cap: "5000" });
    await askCertificate(client, issued.id, { offline_cap: "5000" });
    const overDay = await refusedCertificate(client, url, { offline_cap: "100" }); // USD 100.00 a day
    assert.equal(overDay.statusCode, 402, overDay.body);
    assert.equal(overDay.json().error.code, "daily_limit_exceeded");
    assert.equal((await counts()).certificates, seen.certificates + 2);

    const small = await openCard("800");
    const overBalance = await refusedCertificate(small.client, certificateUrl(small.issued.id), {
      offline_cap: "900",
    });
    assert.equal(overBalance.statusCode, 402, overBalance.body);
    assert.equal(overBalance.json().error.code, "insufficient_funds");
    const otherCurrency = await refusedCertificate(small.client, certificateUrl(small.issued.id), {
      currency: "EUR",
    });
    assert.equal(otherCurrency.statusCode, 400, otherCurrency.body);
    assert.equal(otherCurrency.json().error.code, "offline_currency_mismatch");
    // No cap asked: a fifth of the per-payment limit (10.00), or what the card holds when that is less.
    const fifth = await askCertificate(small.client, small.issued.id, {});
    assert.equal(fifth.certificate.cap, "800");
  });

  it("answers only the card's own session, and only while the card can pay", async () => {
    const { issued, client } = await openCard("3000");
    const url = certificateUrl(issued.id);
    const account = await newTestPayer(coffer, { fund: "1000" });
    const fromAccount = await refusedCertificate(account.client, url);
    assert.equal(fromAccount.statusCode, 404, fromAccount.body);
    const another = await openCard("3000");
    const fromOtherCard = await refusedCertificate(another.client, url);
    assert.equal(fromOtherCard.statusCode, 404, fromOtherCard.body);
    const unknown = await refusedCertificate(client, certificateUrl("svc_0000000000000000000000"));
    assert.equal(unknown.statusCode, 404, unknown.body);
    // The account route is not a card's: a card's certificate must name its shop.
    const accountRoute = await refusedCertificate(client, "/v1/wallet/offline_certificate");
    assert.equal(accountRoute.statusCode, 403, accountRoute.body);
    assert.equal(accountRoute.json().error.code, "card_session_not_allowed");

    await ok(await as(shop)("POST", `/v1/stored_value/cards/${issued.id}/freeze`, {}));
    const frozen = await refusedCertificate(client, url);
    assert.equal(frozen.statusCode, 409, frozen.body);
    assert.equal(frozen.json().error.code, "card_inactive");
    await ok(await as(shop)("POST", `/v1/stored_value/cards/${issued.id}/unfreeze`, {}));
    await askCertificate(client, issued.id, { offline_cap: "1000" });
  });

  it("a platform card's codes pay at any shop; past the deadline the rest of the hold returns to the card", async () => {
    const operator = await newOperator(coffer.app, coffer.services, "admin");
    const issued = await ok(
      await operator.post(
        "/v1/ops/stored_value/cards",
        { livemode: false, currency: "USD", amount: "6000" },
        { "idempotency-key": crypto.randomUUID() },
      ),
      201,
    );
    const { client, walletUserId } = await signIn(issued);
    const device = await askCertificate(client, issued.id, { offline_cap: "2500" });
    assert.equal(device.certificate.merchant, null);
    const keys = await fetchKeys();
    const code = await device.code();
    const verified = await verifyOfflineCode(code, { keys, now: coffer.clock.now(), merchant: other.merchantId });
    assert.equal(verified.ok, true);
    assert.equal((await submitCode(coffer, other, code, "700")).statusCode, 201);
    assert.equal((await submitCode(coffer, shop, await device.code(), "300")).statusCode, 201);
    const before = await walletLedgerBalance(coffer.services, walletUserId);

    coffer.clock.set(new Date(device.certificate.settle_before * 1000));
    assert.ok((await coffer.services.offline.releaseDue()) >= 1);
    // As the workers do: the ledger voids holds past their own timeout (the earlier tests' certificates).
    await coffer.services.ledger.expireHolds();
    const after = await walletLedgerBalance(coffer.services, walletUserId);
    assert.equal(after!.available - before!.available, 1500n);
    assert.equal((await ok(await client.get(`/v1/wallet/cards/${issued.id}`))).balance, "5000");
    const released = await ok(await client.get(`/v1/wallet/offline_certificates/${device.certificate.id}`));
    assert.deepEqual([released.status, released.remaining], ["released", "1500"]);
  });

  it("refuses a certificate for a card past its expiry", async () => {
    const cardExpiry = new Date(coffer.clock.now().getTime() + 60 * 60 * 1000);
    const { issued, client } = await openCard("2000", { expires_at: unix(cardExpiry) });
    coffer.clock.set(cardExpiry);
    const expired = await refusedCertificate(client, certificateUrl(issued.id));
    assert.equal(expired.statusCode, 409, expired.body);
    assert.equal(expired.json().error.code, "card_inactive");
  });
});
