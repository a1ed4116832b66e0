import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { newDevice, submitCode } from "../../test/helpers/offline.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../../test/helpers/payments.js";
import type { TestWalletUser } from "../../test/helpers/wallets.js";
import { makeDeviceKeyPair, makeOfflineCode } from "../../web/src/wallet/offline/code.js";
import { offlineCertificateTtlMs, offlineCodeSettleAgeMsMax, offlineSettleGraceMs } from "../limits.js";

/**
 * Offline certificates and codes against the real database over HTTP: the certificate holds its cap in the ledger,
 * codes settle against the hold as ordinary payment_code payments, every refusal has its own code and writes
 * nothing, and the rest of the hold comes back at the settlement deadline.
 */
describe("offline payment codes", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 30 });
    shop = await newPaymentsMerchant(coffer, "Offline Kiosk");
    payer = await newTestPayer(coffer, { fund: "50000" });
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const rows = async () => {
    const r = await coffer.db.pool.query<{ payments: string; uses: string; events: string }>(
      `SELECT (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM offline_code_uses) AS uses,
              (SELECT count(*) FROM events) AS events`,
    );
    return r.rows[0];
  };

  it("a certificate holds its cap in the ledger, in the transaction of its row", async () => {
    const before = await walletLedgerBalance(coffer.services, payer.id);
    const device = await newDevice(coffer, payer, { offline_cap: "3000" });
    assert.equal(device.certificate.cap, "3000");
    assert.equal(device.certificate.remaining, "3000");
    const after = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(after!.available, before!.available - 3000n);
    assert.equal(after!.posted, before!.posted);
    const row = await coffer.services.offline.get(device.certificate.id);
    const hold = await coffer.services.ledger.getTransfer(row!.holdTransferId!);
    assert.equal(hold!.amount, 3000n);
    assert.equal(hold!.code, "offline_hold");
    const keys = await coffer.app.inject({ method: "GET", url: "/v1/offline_keys" });
    assert.equal(keys.statusCode, 200);
    assert.match(keys.headers["cache-control"] as string, /public, max-age=\d+/);
    assert.ok(keys.json().keys.some((k: { kid: string }) => k.kid === device.certificate.kid));
  });

  it("refuses a bad device key, a cap above the per-payment limit, and more than the balance, writing nothing", async () => {
    const seen = await rows();
    const bad = await payer.client.post(
      "/v1/wallet/offline_certificate",
      { public_key: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" } },
      { "idempotency-key": crypto.randomUUID() },
    );
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.code, "offline_device_key_invalid");
    const keys = await makeDeviceKeyPair();
    const jwk = await crypto.subtle.exportKey("jwk", keys.publicKey);
    const over = await payer.client.post(
      "/v1/wallet/offline_certificate",
      { public_key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, offline_cap: "99999999" },
      { "idempotency-key": crypto.randomUUID() },
    );
    assert.equal(over.statusCode, 402, over.body);
    assert.equal(over.json().error.code, "payment_limit_exceeded");
    const poor = await newTestPayer(coffer, { fund: "100" });
    const broke = await poor.client.post(
      "/v1/wallet/offline_certificate",
      { public_key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, offline_cap: "5000" },
      { "idempotency-key": crypto.randomUUID() },
    );
    assert.equal(broke.statusCode, 402, broke.body);
    assert.equal(broke.json().error.code, "insufficient_funds");
    const now = await rows();
    assert.equal(now!.payments, seen!.payments);
    const certs = await coffer.db.pool.query("SELECT 1 FROM offline_certificates WHERE wallet_user_id = $1", [poor.id]);
    assert.equal(certs.rowCount, 0);
  });

  it("settles codes against the hold; the payments are ordinary succeeded payment_code payments", async () => {
    const device = await newDevice(coffer, payer, { offline_cap: "2000" });
    const merchantBefore = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const walletBefore = await walletLedgerBalance(coffer.services, payer.id);
    const first = await submitCode(coffer, shop, await device.code({ amount: 500n }), "500");
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().status, "succeeded");
    assert.equal(first.json().method, "payment_code");
    const second = await submitCode(coffer, shop, await device.code(), "1200");
    assert.equal(second.statusCode, 201, second.body);
    const row = await coffer.services.offline.get(device.certificate.id);
    assert.equal(row!.remaining, 300n);
    const merchantAfter = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const fees = BigInt(first.json().fee) + BigInt(second.json().fee);
    assert.equal(merchantAfter.posted - merchantBefore.posted, 1700n - fees);
    const walletAfter = await walletLedgerBalance(coffer.services, payer.id);
    // Held money was already out of "available": paying from the hold leaves available as it was.
    assert.equal(walletAfter!.available, walletBefore!.available);
    assert.equal(walletAfter!.posted, walletBefore!.posted - 1700n);
    const listed = await payer.client.get(`/v1/wallet/payments/${first.json().id}`);
    assert.equal(listed.statusCode, 200, listed.body);
  });

  it("refuses forged, replayed, over-cap, over-amount and expired codes, each with its own code, writing nothing", async () => {
    payer = await newTestPayer(coffer, { fund: "50000" });
    const device = await newDevice(coffer, payer, { offline_cap: "1000" });
    const code = await device.code({ amount: 400n });
    const ok = await submitCode(coffer, shop, code, "400");
    assert.equal(ok.statusCode, 201, ok.body);
    const seen = await rows();
    const refused = async (c: string, amount: string, status: number, errorCode: string) => {
      const r = await submitCode(coffer, shop, c, amount);
      assert.equal(r.statusCode, status, r.body);
      assert.equal(r.json().error.code, errorCode);
    };
    await refused(code, "400", 409, "offline_code_replayed");
    await refused(await device.code({ amount: 300n }), "301", 400, "offline_amount_exceeded");
    await refused(await device.code(), "601", 402, "offline_cap_exceeded");
    // Another device signs with a key the certificate does not name.
    const thief = await makeDeviceKeyPair();
    const forged = await makeOfflineCode({
      certificate: device.certificate.certificate,
      privateKey: thief.privateKey,
      counter: 77,
      now: coffer.clock.now(),
    });
    await refused(forged, "10", 400, "offline_signature_invalid");
    // A certificate whose cap was raised by its holder: coffer's signature no longer matches.
    const raw = Buffer.from(device.certificate.certificate, "base64url");
    const capAt = 2 + 66 + 1 + 3;
    raw.writeBigUInt64BE(900000n, capAt);
    const tampered = await makeOfflineCode({
      certificate: raw.toString("base64url"),
      privateKey: device.keys.privateKey,
      counter: 78,
      now: coffer.clock.now(),
    });
    await refused(tampered, "10", 400, "offline_signature_invalid");
    await refused("cof1.AAAA", "10", 400, "offline_code_invalid");
    // Made after the certificate's expiry (a device clock or a certificate kept too long).
    const late = await device.code({ now: new Date(device.certificate.expires_at * 1000 + 60_000) });
    coffer.clock.advance(offlineCertificateTtlMs + 60_000);
    await refused(late, "10", 409, "offline_certificate_expired");
    coffer.clock.advance(-(offlineCertificateTtlMs + 60_000));
    // A code kept longer than a code may wait for settlement.
    const old = await device.code();
    coffer.clock.advance(offlineCodeSettleAgeMsMax + 60_000);
    await refused(old, "10", 409, "offline_code_expired");
    coffer.clock.advance(-(offlineCodeSettleAgeMsMax + 60_000));
    assert.deepEqual(await rows(), seen);
  });

  it("releases the rest of the hold at the settlement deadline, and refuses codes after it", async () => {
    payer = await newTestPayer(coffer, { fund: "50000" });
    const walletBefore = await walletLedgerBalance(coffer.services, payer.id);
    const device = await newDevice(coffer, payer, { offline_cap: "800" });
    const paid = await submitCode(coffer, shop, await device.code(), "300");
    assert.equal(paid.statusCode, 201, paid.body);
    const pending = await device.code();
    assert.equal(await coffer.services.offline.releaseDue(), 0);
    coffer.clock.advance(offlineCertificateTtlMs + offlineSettleGraceMs);
    assert.ok((await coffer.services.offline.releaseDue()) >= 1);
    const row = await coffer.services.offline.get(device.certificate.id);
    assert.equal(row!.status, "released");
    assert.equal(row!.releasedAmount, 500n);
    const walletAfter = await walletLedgerBalance(coffer.services, payer.id);
    assert.equal(walletAfter!.available, walletBefore!.available - 300n);
    assert.equal(walletAfter!.debitsPending, walletBefore!.debitsPending);
    const late = await submitCode(coffer, shop, pending, "100");
    assert.equal(late.statusCode, 409, late.body);
    assert.ok(["offline_certificate_expired", "offline_code_expired"].includes(late.json().error.code));
    assert.equal(await coffer.services.offline.releaseDue(), 0);
  });
});
