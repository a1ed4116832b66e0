import assert from "node:assert/strict";
import net from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import { type OfflineKey, verifyOfflineCode } from "../../sdk/src/index.js";
import { offlineCertificateTtlMs } from "../../src/limits.js";
import { makeDeviceKeyPair, makeOfflineCode } from "../../web/src/wallet/offline/code.js";
import { newDevice, submitCode } from "../helpers/offline.js";
import {
  assertBooksBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";

/**
 * The POS side: the SDK's verifyOfflineCode accepts the wallet's codes with the network blocked (any fetch or socket
 * during verification fails the test), refuses forged, expired and over-cap ones with coffer's own codes, and keeps
 * verifying a certificate of a rotated key until the certificate expires.
 */
async function withNetworkBlocked<T>(run: () => Promise<T>): Promise<T> {
  const fetch = globalThis.fetch;
  const connect = net.Socket.prototype.connect;
  let attempts = 0;
  globalThis.fetch = (() => {
    attempts++;
    return Promise.reject(new Error("network blocked"));
  }) as typeof fetch;
  net.Socket.prototype.connect = function blocked() {
    attempts++;
    throw new Error("network blocked");
  } as typeof connect;
  try {
    return await run();
  } finally {
    globalThis.fetch = fetch;
    net.Socket.prototype.connect = connect;
    assert.equal(attempts, 0, "verification tried the network");
  }
}

describe("verifyOfflineCode (SDK, no network)", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 20 });
    shop = await newPaymentsMerchant(coffer, "Offline Bakery");
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const fetchKeys = async () => {
    const response = await fetch(`${coffer.baseUrl}/v1/offline_keys`);
    assert.equal(response.status, 200);
    return (await response.json()) as { keys: OfflineKey[] };
  };

  it("accepts a wallet's code and refuses forged, expired, over-cap and over-amount ones, with the network off", async () => {
    const payer = await newTestPayer(coffer, { fund: "20000" });
    const device = await newDevice(coffer, payer, { offline_cap: "1500" });
    const keys = await fetchKeys();
    const now = coffer.clock.now();
    const code = await device.code({ amount: 700n });
    const thief = await makeDeviceKeyPair();
    const forged = await makeOfflineCode({
      certificate: device.certificate.certificate,
      privateKey: thief.privateKey,
      counter: 9,
      now,
    });
    const results = await withNetworkBlocked(async () => ({
      good: await verifyOfflineCode(code, { keys, now, amount: "700", currency: "USD" }),
      forged: await verifyOfflineCode(forged, { keys, now }),
      unknownKey: await verifyOfflineCode(code, { keys: [], now }),
      overAmount: await verifyOfflineCode(code, { keys, now, amount: 701n }),
      overCap: await verifyOfflineCode(await device.code(), { keys, now, amount: 1501 }),
      stale: await verifyOfflineCode(code, { keys, now: now.getTime() + 10 * 60_000 }),
      expired: await verifyOfflineCode(code, { keys, now: now.getTime() + offlineCertificateTtlMs }),
      garbage: await verifyOfflineCode("cof1.Zm9v", { keys, now }),
    }));
    assert.equal(results.good.ok, true);
    if (results.good.ok) {
      assert.equal(results.good.certificate.id, device.certificate.id);
      assert.equal(results.good.certificate.walletUserId, payer.id);
      assert.equal(results.good.certificate.cap, 1500n);
      assert.equal(results.good.amount, 700n);
      assert.equal(results.good.counter, device.counter - 1);
    }
    const refusal = (r: { ok: boolean; code?: string }) => (r.ok ? "ok" : r.code);
    assert.equal(refusal(results.forged), "offline_signature_invalid");
    assert.equal(refusal(results.unknownKey), "offline_signature_invalid");
    assert.equal(refusal(results.overAmount), "offline_amount_exceeded");
    assert.equal(refusal(results.overCap), "offline_cap_exceeded");
    assert.equal(refusal(results.stale), "offline_code_expired");
    assert.equal(refusal(results.expired), "offline_certificate_expired");
    assert.equal(refusal(results.garbage), "offline_code_invalid");
    // Back online, the POS submits the code it accepted: coffer settles it.
    const settled = await submitCode(coffer, shop, code, "700");
    assert.equal(settled.statusCode, 201, settled.body);
  });

  it("after a key rotation, certificates of the old key verify (and settle) until they expire; then the old key is unpublished", async () => {
    const payer = await newTestPayer(coffer, { fund: "20000" });
    const oldDevice = await newDevice(coffer, payer, { offline_cap: "1000" });
    const rotated = await coffer.services.offline.keys.rotate();
    assert.equal(rotated.retired, oldDevice.certificate.kid);
    const newDeviceOfPayer = await newDevice(coffer, payer, { offline_cap: "1000" });
    assert.equal(newDeviceOfPayer.certificate.kid, rotated.kid);
    const keys = await fetchKeys();
    assert.deepEqual(
      keys.keys.map((k) => k.kid),
      [rotated.kid, oldDevice.certificate.kid],
    );
    const now = coffer.clock.now();
    const oldCode = await oldDevice.code();
    const newCode = await newDeviceOfPayer.code();
    const results = await withNetworkBlocked(async () => [
      await verifyOfflineCode(oldCode, { keys, now }),
      await verifyOfflineCode(newCode, { keys, now }),
    ]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true],
    );
    assert.equal((await submitCode(coffer, shop, oldCode, "250")).statusCode, 201);
    coffer.clock.advance(offlineCertificateTtlMs + 1000);
    const later = await fetchKeys();
    assert.ok(!later.keys.some((k) => k.kid === oldDevice.certificate.kid));
    assert.ok(later.keys.some((k) => k.kid === rotated.kid));
    coffer.clock.advance(-(offlineCertificateTtlMs + 1000));
  });
});
