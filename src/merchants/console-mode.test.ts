import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { enableTotp, fillKyb, newOperator, type SessionClient } from "../../test/helpers/merchant-console.js";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import type { TestWalletUser } from "../../test/helpers/wallets.js";
import { totpCodeAt } from "../security/totp.js";

/**
 * The console on the merchant API: a console session reads and writes payments, refunds, webhook endpoints and
 * events as its user (CSRF header on every write), in the session's mode. Live mode waits for KYB approval and the
 * user's second factor, and a session of one mode never sees the other mode's objects (docs/adr/0011).
 */
describe("console sessions on the merchant API, in test or live mode", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;
  let consoleClient: SessionClient;
  let testPaymentId: string;
  let livePaymentId: string;
  let totpSecret: string;

  const liveKeyRequest = async (liveKey: string, method: "GET" | "POST", url: string, payload?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${liveKey}`, "idempotency-key": crypto.randomUUID() },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Mode Shop");
    consoleClient = shop.console;
    payer = await newTestPayer(coffer, { fund: "10000" });
    const testPayment = await shop.sdk.payments.create({ amount: "1500", currency: "USD", method: "qr" });
    testPaymentId = testPayment.id;
    const liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    const live = await liveKeyRequest(liveKey, "POST", "/v1/payments", {
      amount: "2500",
      currency: "USD",
      method: "qr",
    });
    assert.equal(live.statusCode, 201, live.body);
    livePaymentId = live.json().id;
  });
  after(() => coffer.close());

  it("sets the session cookie for the whole API (Path=/v1), HttpOnly and SameSite=Lax", async () => {
    const me = (await consoleClient.get("/v1/console/me")).json();
    const response = await coffer.app.inject({
      method: "POST",
      url: "/v1/console/login",
      payload: { email: me.user.email, password: "correct horse battery staple" },
    });
    assert.equal(response.statusCode, 200, response.body);
    const cookies = [response.headers["set-cookie"]].flat().map(String);
    const session = cookies.filter((line) => line.startsWith("coffer_console="));
    assert.equal(session.length, 1, cookies.join("\n"));
    assert.match(String(session[0]), /^coffer_console=[A-Za-z0-9_-]+; Path=\/v1; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    // The only other cookie is the sign-in device's, scoped to the console routes that read it.
    for (const other of cookies.filter((line) => !line.startsWith("coffer_console="))) {
      assert.match(
        other,
        /^coffer_device=dvt_[A-Za-z0-9_-]+; Path=\/v1\/console; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
      );
    }
  });

  it("lists and reads the merchant's payments with a console session, in test mode only", async () => {
    const list = await consoleClient.get("/v1/payments");
    assert.equal(list.statusCode, 200, list.body);
    const ids = list.json().data.map((p: { id: string }) => p.id);
    assert.ok(ids.includes(testPaymentId));
    assert.ok(!ids.includes(livePaymentId), "a test-mode session never lists live payments");
    const live = await consoleClient.get(`/v1/payments/${livePaymentId}`);
    assert.equal(live.statusCode, 404, live.body);
    assert.equal((await consoleClient.get("/v1/balance")).statusCode, 200);
    assert.equal((await consoleClient.get("/v1/events")).statusCode, 200);
  });

  it("refuses a write without X-CSRF-Token (csrf_token_invalid) and writes nothing; with it, the write goes through", async () => {
    const before = (await coffer.db.pool.query("SELECT count(*)::int AS n FROM payments")).rows[0].n;
    const refused = await coffer.app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { cookie: `coffer_console=${consoleClient.cookie}`, "idempotency-key": crypto.randomUUID() },
      payload: { amount: "700", currency: "USD", method: "qr" },
    });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, "csrf_token_invalid");
    assert.equal((await coffer.db.pool.query("SELECT count(*)::int AS n FROM payments")).rows[0].n, before);

    const created = await consoleClient.post(
      "/v1/payments",
      { amount: "700", currency: "USD", method: "qr" },
      { "idempotency-key": crypto.randomUUID() },
    );
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().livemode, false);
  });

  it("refunds from the console and shows the payment's timeline (its events and its refunds') with related_object", async () => {
    const payment = await shop.sdk.payments.create({ amount: "1200", currency: "USD", method: "qr" });
    const scanned = await payer.client.post("/v1/wallet/scan", { payload: payment.qr?.payload });
    assert.equal(scanned.statusCode, 200, scanned.body);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${payment.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);

    const refund = await consoleClient.post(
      "/v1/refunds",
      { payment: payment.id, amount: "200" },
      { "idempotency-key": crypto.randomUUID() },
    );
    assert.equal(refund.statusCode, 201, refund.body);

    const timeline = await consoleClient.get(`/v1/events?related_object=${payment.id}`);
    assert.equal(timeline.statusCode, 200, timeline.body);
    const types = timeline.json().data.map((e: { type: string }) => e.type);
    assert.ok(types.includes("payment.created"), types.join());
    assert.ok(types.includes("payment.succeeded"), types.join());
    assert.ok(
      types.some((t: string) => t.startsWith("refund.")),
      types.join(),
    );
    for (const event of timeline.json().data as { data: { object: { id: string; payment?: string } } }[]) {
      const object = event.data.object;
      assert.ok(object.id === payment.id || object.payment === payment.id, JSON.stringify(object));
    }
  });

  it("refuses live mode (live_mode_unavailable) until KYB is approved and the user has two-factor on", async () => {
    const me = (await consoleClient.get("/v1/console/me")).json();
    assert.equal(me.livemode, false);
    assert.equal(me.live_mode_available, false);
    const refused = await consoleClient.post("/v1/console/mode", { livemode: true });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, "live_mode_unavailable");
    assert.equal((await consoleClient.get("/v1/console/me")).json().livemode, false);

    totpSecret = await enableTotp(consoleClient, coffer.clock);
    const stillRefused = await consoleClient.post("/v1/console/mode", { livemode: true });
    assert.equal(stillRefused.json().error.code, "live_mode_unavailable", "two-factor alone is not enough");

    await fillKyb(consoleClient);
    const submitted = await consoleClient.post("/v1/console/kyb/submit");
    assert.equal(submitted.statusCode, 200, submitted.body);
    const reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    await reviewer.get(`/v1/ops/kyb_applications/${submitted.json().id}`);
    const approved = await reviewer.post(`/v1/ops/kyb_applications/${submitted.json().id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal((await consoleClient.get("/v1/console/me")).json().live_mode_available, true);
  });

  it("in live mode sees only live objects, and back in test mode only test ones; each switch is audited", async () => {
    const live = await consoleClient.post("/v1/console/mode", { livemode: true });
    assert.equal(live.statusCode, 200, live.body);
    assert.equal(live.json().livemode, true);
    assert.equal((await consoleClient.get("/v1/console/me")).json().livemode, true);

    const liveIds = (await consoleClient.get("/v1/payments")).json().data.map((p: { id: string }) => p.id);
    assert.deepEqual(liveIds, [livePaymentId]);
    assert.equal((await consoleClient.get(`/v1/payments/${testPaymentId}`)).statusCode, 404);
    const liveKeys = (await consoleClient.get("/v1/console/api_keys?livemode=true")).json().data;
    assert.ok(liveKeys.every((k: { livemode: boolean }) => k.livemode));

    const test = await consoleClient.post("/v1/console/mode", { livemode: false });
    assert.equal(test.json().livemode, false);
    const testIds = (await consoleClient.get("/v1/payments")).json().data.map((p: { id: string }) => p.id);
    assert.ok(testIds.includes(testPaymentId));
    assert.ok(!testIds.includes(livePaymentId));

    const audit = (await consoleClient.get("/v1/console/audit_log"))
      .json()
      .data.map((r: { action: string }) => r.action);
    assert.ok(audit.includes("console.live_mode_entered"));
    assert.ok(audit.includes("console.test_mode_entered"));
  });

  it("falls back to test mode at once when the user turns two-factor off", async () => {
    assert.equal((await consoleClient.post("/v1/console/mode", { livemode: true })).statusCode, 200);
    coffer.clock.advance(30_000);
    const disabled = await consoleClient.post("/v1/console/2fa/totp/disable", {
      code: await totpCodeAt(totpSecret, coffer.clock.now()),
    });
    assert.equal(disabled.statusCode, 200, disabled.body);
    const me = (await consoleClient.get("/v1/console/me")).json();
    assert.equal(me.livemode, false);
    assert.equal(me.live_mode_available, false);
    const ids = (await consoleClient.get("/v1/payments")).json().data.map((p: { id: string }) => p.id);
    assert.ok(!ids.includes(livePaymentId));
  });

  it("leaves the other audiences alone: a console cookie is ignored by the wallet and operator APIs", async () => {
    const reviewer = await newOperator(coffer.app, coffer.services, "support");
    const both = `coffer_console=${consoleClient.cookie}; coffer_ops=${reviewer.cookie}`;
    const queue = await coffer.app.inject({
      method: "GET",
      url: "/v1/ops/kyb_applications",
      headers: { cookie: both },
    });
    assert.equal(queue.statusCode, 200, queue.body);
    // A wallet write without a CSRF header: the console cookie sent along must not turn it into a console request.
    const walletWrite = await coffer.app.inject({
      method: "POST",
      url: "/v1/wallet/login",
      headers: { cookie: `coffer_console=${consoleClient.cookie}` },
      payload: { email: payer.email, password: "a long and quiet river" },
    });
    assert.notEqual(walletWrite.json().error?.code, "csrf_token_invalid", walletWrite.body);
  });
});
