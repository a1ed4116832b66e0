import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { signWebhookForTests, verifyWebhook, WebhookVerificationError } from "../../sdk/src/index.js";
import { generateWebhookSecret, signatureHeader } from "../../src/webhooks/signing.js";

/** Our verifier against the standardwebhooks package and against coffer's own signing, both ways. */
const secret = generateWebhookSecret();
const payload = JSON.stringify({
  id: "evt_1",
  object: "event",
  type: "payment.succeeded",
  created: 1_764_151_199,
  livemode: false,
  api_version: "2026-11-01",
  data: { object: { id: "pay_1", amount: "1999", currency: "CNY", note: "☕ 咖啡" } },
});
const nowS = Math.floor(Date.now() / 1000);

function signedByStandardWebhooks(body: string, at = new Date(nowS * 1000), key = secret) {
  return {
    "webhook-id": "evt_1",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(key).sign("evt_1", at, body),
  };
}

const rejects = (promise: Promise<unknown>, message: RegExp) =>
  assert.rejects(promise, (error: unknown) => error instanceof WebhookVerificationError && message.test(error.message));

describe("verifyWebhook", () => {
  it("accepts what the standardwebhooks package signs, and returns the event with amounts as strings", async () => {
    const event = await verifyWebhook(payload, signedByStandardWebhooks(payload), secret);
    assert.equal(event.id, "evt_1");
    assert.equal(event.type, "payment.succeeded");
    assert.equal(event.data.object.amount, "1999");
  });

  it("signs what the standardwebhooks package accepts", async () => {
    const headers = await signWebhookForTests(payload, secret, { id: "evt_1" });
    assert.deepEqual(new Webhook(secret).verify(payload, headers), JSON.parse(payload));
  });

  it("accepts coffer's own deliveries, with either secret while one is rotated", async () => {
    const next = generateWebhookSecret();
    const headers = {
      "webhook-id": "evt_1",
      "webhook-timestamp": String(nowS),
      "webhook-signature": signatureHeader([next, secret], "evt_1", nowS, payload),
    };
    assert.equal((await verifyWebhook(payload, headers, secret)).id, "evt_1");
    assert.equal((await verifyWebhook(payload, headers, next)).id, "evt_1");
    assert.equal((await verifyWebhook(payload, headers, [generateWebhookSecret(), next])).id, "evt_1");
  });

  it("takes a Fetch Headers object, Node's header arrays, a raw byte body and a secret without whsec_", async () => {
    const headers = signedByStandardWebhooks(payload);
    assert.equal((await verifyWebhook(payload, new Headers(headers), secret)).id, "evt_1");
    const nodeStyle = { ...headers, "webhook-signature": [headers["webhook-signature"]] };
    assert.equal((await verifyWebhook(new TextEncoder().encode(payload), nodeStyle, secret)).id, "evt_1");
    assert.equal((await verifyWebhook(Buffer.from(payload), headers, secret.slice("whsec_".length))).id, "evt_1");
  });

  it("refuses a tampered body, another event's id and a wrong secret", async () => {
    const headers = signedByStandardWebhooks(payload);
    await rejects(verifyWebhook(payload.replace("1999", "9999"), headers, secret), /no signature matches/);
    await rejects(verifyWebhook(`${payload} `, headers, secret), /no signature matches/);
    await rejects(verifyWebhook(payload, { ...headers, "webhook-id": "evt_2" }, secret), /no signature matches/);
    await rejects(verifyWebhook(payload, headers, generateWebhookSecret()), /no signature matches/);
    await rejects(verifyWebhook(payload, headers, []), /no signature matches/);
  });

  it("refuses a timestamp more than five minutes old or ahead, and honours toleranceS and now", async () => {
    const at = (offsetS: number) => new Date((nowS + offsetS) * 1000);
    await rejects(verifyWebhook(payload, signedByStandardWebhooks(payload, at(-301)), secret), /too old/);
    await rejects(verifyWebhook(payload, signedByStandardWebhooks(payload, at(301)), secret), /in the future/);
    assert.ok(await verifyWebhook(payload, signedByStandardWebhooks(payload, at(-299)), secret));
    assert.ok(await verifyWebhook(payload, signedByStandardWebhooks(payload, at(299)), secret));
    const hourOld = signedByStandardWebhooks(payload, at(-3600));
    assert.ok(await verifyWebhook(payload, hourOld, secret, { toleranceS: 7200 }));
    assert.ok(await verifyWebhook(payload, hourOld, secret, { now: at(-3600) }));
    await rejects(
      verifyWebhook(payload, signedByStandardWebhooks(payload), secret, { toleranceS: 0, now: at(2) }),
      /old/,
    );
  });

  it("refuses missing headers and signatures that are not v1 or not base64", async () => {
    const headers = signedByStandardWebhooks(payload);
    const { "webhook-signature": signature, ...unsigned } = headers;
    await rejects(verifyWebhook(payload, unsigned, secret), /missing/);
    await rejects(verifyWebhook(payload, { ...headers, "webhook-timestamp": "soon" }, secret), /Unix seconds/);
    const mac = signature.slice("v1,".length);
    for (const forged of [`v2,${mac}`, mac, "v1,", "v1,!!!!", `v1,${mac.slice(0, -4)}`, `v1a,${mac}`]) {
      await rejects(verifyWebhook(payload, { ...headers, "webhook-signature": forged }, secret), /no signature/);
    }
    // A valid signature among others (several space-separated, as during a rotation) is enough.
    const several = `v1,${randomBytes(32).toString("base64")} ${signature} v2,abc`;
    assert.ok(await verifyWebhook(payload, { ...headers, "webhook-signature": several }, secret));
  });

  it("refuses a secret that is not base64, as a programming error rather than a bad webhook", async () => {
    await assert.rejects(verifyWebhook(payload, signedByStandardWebhooks(payload), "whsec_%%%"), TypeError);
  });
});
