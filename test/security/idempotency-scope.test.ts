import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultPassword, logIn, type SessionClient, tokenFromMail, waitForMail } from "../helpers/merchant-console.js";
import { issueTestApiKey } from "../helpers/merchant-rows.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";

/**
 * Idempotency keys belong to the merchant and mode a request acts for, whoever sends it: a console user who is a
 * member of two merchants has one key space in each, and test and live mode of one merchant are two key spaces.
 */
describe("idempotency scope: the merchant and mode, for every kind of merchant caller", () => {
  let coffer: PaymentsCoffer;
  let shopA: TestPaymentsMerchant;
  let shopB: TestPaymentsMerchant;
  /** One console user, signed in once to each merchant. */
  let userInA: SessionClient;
  let userInB: SessionClient;

  const paymentCount = async (merchantId: string, livemode: boolean) =>
    (
      await coffer.db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM payments WHERE merchant_id = $1 AND livemode = $2",
        [merchantId, livemode],
      )
    ).rows[0]!.n;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shopA = await newPaymentsMerchant(coffer, "Shop A");
    shopB = await newPaymentsMerchant(coffer, "Shop B");
    // A's owner joins B as a developer, with the console account they already have.
    const ownerA = (await shopA.console.get("/v1/console/me")).json().user.email as string;
    const invited = await shopB.console.post("/v1/console/team/invites", { email: ownerA, role: "developer" });
    assert.equal(invited.statusCode, 201, invited.body);
    const mail = await waitForMail(coffer.sink, ownerA, /invited you/);
    const accepted = await coffer.app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token: tokenFromMail(mail.text), password: defaultPassword },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    userInA = await logIn(coffer.app, { email: ownerA, password: defaultPassword }, { merchant: shopA.merchantId });
    userInB = await logIn(coffer.app, { email: ownerA, password: defaultPassword }, { merchant: shopB.merchantId });
  });
  after(() => coffer.close());

  it("gives a console user of two merchants one payment in each for one key, each readable by its merchant", async () => {
    const key = { "idempotency-key": "console-shared-key" };
    const body = { amount: "1500", currency: "USD", method: "qr" };
    const inA = await userInA.post("/v1/payments", body, key);
    assert.equal(inA.statusCode, 201, inA.body);
    const inB = await userInB.post("/v1/payments", body, key);
    assert.equal(inB.statusCode, 201, inB.body);
    assert.equal(inB.headers["idempotent-replayed"], undefined, "B's request is not a replay of A's");
    assert.notEqual(inB.json().id, inA.json().id);

    assert.equal((await userInA.get(`/v1/payments/${inA.json().id}`)).statusCode, 200);
    const inBRead = await userInB.get(`/v1/payments/${inB.json().id}`);
    assert.equal(inBRead.statusCode, 200, inBRead.body);
    assert.equal(await paymentCount(shopA.merchantId, false), 1);
    assert.equal(await paymentCount(shopB.merchantId, false), 1);

    // Each merchant's retry replays its own payment.
    const again = await userInB.post("/v1/payments", body, key);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(again.json().id, inB.json().id);
  });

  it("shares one key space between a merchant's console and its secret key of the same mode", async () => {
    const key = { "idempotency-key": "console-then-api" };
    const body = { amount: "2100", currency: "USD", method: "qr" };
    const fromConsole = await shopA.console.post("/v1/payments", body, key);
    assert.equal(fromConsole.statusCode, 201, fromConsole.body);
    const fromApi = await coffer.app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { authorization: `Bearer ${shopA.secretKey}`, ...key },
      payload: body,
    });
    assert.equal(fromApi.headers["idempotent-replayed"], "true");
    assert.equal(fromApi.json().id, fromConsole.json().id);
  });

  it("makes two payments for one key sent in test mode and in live mode of one merchant", async () => {
    const liveKey = await issueTestApiKey(coffer.services, shopB.merchantId, { livemode: true });
    const key = "one-key-two-modes";
    const body = { amount: "900", currency: "USD", method: "qr" };
    const send = (secret: string) =>
      coffer.app.inject({
        method: "POST",
        url: "/v1/payments",
        headers: { authorization: `Bearer ${secret}`, "idempotency-key": key },
        payload: body,
      });
    const testBefore = await paymentCount(shopB.merchantId, false);
    const test = await send(shopB.secretKey);
    const live = await send(liveKey);
    assert.equal(test.statusCode, 201, test.body);
    assert.equal(live.statusCode, 201, live.body);
    assert.equal(live.headers["idempotent-replayed"], undefined);
    assert.deepEqual([test.json().livemode, live.json().livemode], [false, true]);
    assert.notEqual(test.json().id, live.json().id);
    assert.equal(await paymentCount(shopB.merchantId, false), testBefore + 1);
    assert.equal(await paymentCount(shopB.merchantId, true), 1);
  });
});
