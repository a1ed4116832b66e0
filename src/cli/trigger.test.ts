import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../test/helpers/cli.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import { triggerRecipes } from "./trigger.js";

/**
 * `coffer trigger` as a developer runs it: the real CLI process against a running coffer (over HTTP, with the
 * merchant's sk_test_ key), for every event type it supports. Each run must fire the event asked for, and every
 * event it prints must be the merchant's, listed by GET /v1/events.
 */
describe("coffer trigger", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Trigger Tea");
    await setSettlementAccount(shop, "6222020200112233445");
  });
  after(() => coffer.close());

  async function trigger(type: string, extra: string[] = [], env: Record<string, string> = {}) {
    const cli = runCli(["trigger", type, "--api-url", coffer.baseUrl, ...extra], env);
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  /** The printed lines as [event id, type, object id]. */
  const printed = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/) as [string, string, string]);

  async function assertFired(type: string, stdout: string) {
    const lines = printed(stdout);
    assert.ok(
      lines.some(([, t]) => t === type),
      `${type} is among the printed events:\n${stdout}`,
    );
    const listed = new Map((await shop.sdk.events.list({ limit: 100 })).data.map((e) => [e.id, e]));
    for (const [id, t, objectId] of lines) {
      const event = listed.get(id);
      assert.ok(event, `${id} is listed by GET /v1/events`);
      assert.equal(event.type, t);
      assert.equal(event.livemode, false);
      assert.equal((event.data.object as { id: string }).id, objectId);
    }
    return lines;
  }

  it("fires payment.succeeded with the key from COFFER_API_KEY", async () => {
    const run = await trigger("payment.succeeded", [], { COFFER_API_KEY: shop.secretKey });
    assert.equal(run.code, 0, run.stderr);
    const lines = await assertFired("payment.succeeded", run.stdout);
    assert.deepEqual(
      lines.map(([, t]) => t),
      ["payment.created", "payment.succeeded"],
    );
  });

  it("fires payment.failed: the payer declines", async () => {
    const run = await trigger("payment.failed", ["--api-key", shop.secretKey]);
    assert.equal(run.code, 0, run.stderr);
    const [, , paymentId] = (await assertFired("payment.failed", run.stdout))[0]!;
    const payment = await shop.sdk.payments.retrieve(paymentId);
    assert.equal(payment.status, "failed");
    assert.equal(payment.failure_code, "payer_declined");
  });

  it("fires refund.succeeded: a test payment refunded in full", async () => {
    const run = await trigger("refund.succeeded", ["--api-key", shop.secretKey]);
    assert.equal(run.code, 0, run.stderr);
    const lines = await assertFired("refund.succeeded", run.stdout);
    assert.deepEqual(
      lines.map(([, t]) => t),
      ["payment.created", "payment.succeeded", "refund.created", "refund.succeeded"],
    );
  });

  it("fires every other supported type", async () => {
    const done = new Set(["payment.succeeded", "payment.failed", "refund.succeeded", "payout.failed"]);
    for (const type of Object.keys(triggerRecipes).filter((t) => !done.has(t))) {
      const run = await trigger(type, ["--api-key", shop.secretKey]);
      assert.equal(run.code, 0, `${type}: ${run.stderr}`);
      await assertFired(type, run.stdout);
    }
    // The sandbox bank fails payouts to an account number ending in 0006.
    await setSettlementAccount(shop, "6222020200110006");
    const failed = await trigger("payout.failed", ["--api-key", shop.secretKey]);
    assert.equal(failed.code, 0, failed.stderr);
    await assertFired("payout.failed", failed.stdout);
  });

  it("says when payout.failed cannot happen with the settlement account set", async () => {
    await setSettlementAccount(shop, "6222020200112233445");
    const run = await trigger("payout.failed", ["--api-key", shop.secretKey]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ended paid, not failed.*0006/);
  });

  it("lists the supported types for an unknown one and exits 2", async () => {
    const run = await trigger("kyb_application.approved", ["--api-key", shop.secretKey]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot trigger "kyb_application.approved"/);
    const listed = run.stderr.split("\n").map((line) => line.trim());
    for (const type of Object.keys(triggerRecipes)) assert.ok(listed.includes(type), type);
  });

  it("refuses live keys, restricted and publishable keys, and no key at all", async () => {
    for (const key of ["sk_live_abc", "rk_test_abc", "pk_test_abc"]) {
      const run = await trigger("payment.succeeded", ["--api-key", key]);
      assert.equal(run.code, 2, key);
      assert.match(run.stderr, /must be a test-mode secret key \(sk_test_…\)/);
    }
    const none = await trigger("payment.succeeded", [], { COFFER_API_KEY: "" });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--api-key or COFFER_API_KEY/);
  });

  it("finds coffer by --url (the older spelling, with a notice), COFFER_API_URL or PORT, like listen", async () => {
    const key = { COFFER_API_KEY: shop.secretKey };
    const [byUrl, byEnv] = await Promise.all([
      runCli(["trigger", "payment.created", "--url", coffer.baseUrl], key),
      runCli(["trigger", "payment.created"], { ...key, COFFER_API_URL: coffer.baseUrl, PORT: "1" }),
    ]);
    const [urlExit, envExit] = await Promise.all([byUrl.exited, byEnv.exited]);
    assert.equal(urlExit.code, 0, byUrl.stderr());
    assert.match(byUrl.stderr(), /--url is now --api-url/);
    await assertFired("payment.created", byUrl.stdout());
    assert.equal(envExit.code, 0, byEnv.stderr());
    await assertFired("payment.created", byEnv.stdout());
  });

  it("says in one line, without a stack trace, when nothing answers at PORT", async () => {
    const run = runCli(["trigger", "payment.succeeded"], {
      COFFER_API_KEY: shop.secretKey,
      COFFER_API_URL: "",
      PORT: "1",
    });
    const { code } = await run.exited;
    assert.equal(code, 1);
    assert.match(run.stderr(), /^coffer trigger payment.succeeded: cannot reach coffer at http:\/\/127\.0\.0\.1:1 /);
    assert.equal(run.stderr().trim().split("\n").length, 1);
  });
});
