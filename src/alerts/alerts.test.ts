import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  defaultPassword,
  logIn,
  type SessionClient,
  type TestMerchant,
  teamOfEveryRole,
} from "../../test/helpers/merchant-console.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import { alertCooldownMs } from "../limits.js";
import { scenarioCatalog } from "../sandbox/scenarios.js";

/** Merchant email alerts: settings, the success-rate worker's drop and recovery mail, and payout failure mail. */
describe("merchant alerts", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;
  let team: Record<"owner" | "admin" | "developer" | "support" | "viewer", SessionClient>;
  let developerEmail: string;
  let ownerEmail: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Alert Tea");
    other = await newPaymentsMerchant(coffer, "Other Tea");
    team = await teamOfEveryRole(coffer.app, coffer.sink, { client: shop.console } as TestMerchant);
    developerEmail = (await team.developer.get("/v1/console/me")).json().user.email;
    ownerEmail = (await shop.console.get("/v1/console/me")).json().user.email;
  });
  after(() => coffer.close());

  const api = (merchant: TestPaymentsMerchant, method: "GET" | "POST", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${merchant.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function pay(scenario: "success" | "risk_declined", count: number) {
    for (let i = 0; i < count; i++) {
      const response = await api(shop, "POST", "/v1/payments", {
        amount: "1500",
        currency: "USD",
        method: "payment_code",
        payment_code: scenarioCatalog[scenario].code,
      });
      assert.equal(response.statusCode, 201, response.body);
    }
  }

  const mailsTo = (email: string, subject: RegExp) =>
    coffer.sink.mails.filter((m) => m.to.includes(email) && subject.test(m.subject));

  it("shows the defaults until a merchant chooses: success rate off, payout and webhook mail on", async () => {
    const response = await api(shop, "GET", "/v1/alert_settings");
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      object: "alert_settings",
      livemode: false,
      success_rate: { enabled: false, threshold: 0.8, window_minutes: 60, min_attempts: 20 },
      payout_failed: { enabled: true },
      webhook_endpoint_disabled: { enabled: true },
      recipients: [],
      updated: null,
    });
  });

  it("refuses a bad threshold, window, minimum or recipient with its code, and writes nothing", async () => {
    const cases: [unknown, string, string][] = [
      [{ success_rate: { threshold: 1.5 } }, "alert_threshold_invalid", "success_rate.threshold"],
      [{ success_rate: { threshold: 0 } }, "alert_threshold_invalid", "success_rate.threshold"],
      [{ success_rate: { threshold: 0.12345 } }, "alert_threshold_invalid", "success_rate.threshold"],
      [{ success_rate: { window_minutes: 2 } }, "alert_window_invalid", "success_rate.window_minutes"],
      [{ success_rate: { window_minutes: 30.5 } }, "alert_window_invalid", "success_rate.window_minutes"],
      [{ success_rate: { window_minutes: 1441 } }, "alert_window_invalid", "success_rate.window_minutes"],
      [{ success_rate: { min_attempts: 0 } }, "alert_min_attempts_invalid", "success_rate.min_attempts"],
      [{ recipients: ["stranger@example.com"] }, "alert_recipients_invalid", "recipients[0]"],
      [{ recipients: [developerEmail, developerEmail] }, "alert_recipients_invalid", "recipients"],
      [{ success_rate: { enabled: true, threshold: "0.8" } }, "parameter_invalid", "success_rate.threshold"],
      [{ success_rate: { enabled: true, colour: "red" } }, "parameter_unknown", "success_rate.colour"],
    ];
    for (const [body, code, param] of cases) {
      const response = await api(shop, "POST", "/v1/alert_settings", body);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
      assert.equal(response.json().error.code, code, JSON.stringify(body));
      assert.equal(response.json().error.param, param, JSON.stringify(body));
    }
    // Another team's member is not a recipient of this merchant.
    const refused = await api(other, "POST", "/v1/alert_settings", { recipients: [developerEmail] });
    assert.equal(refused.json().error.code, "alert_recipients_invalid");
    const rows = await coffer.db.pool.query("SELECT 1 FROM merchant_alert_settings");
    assert.equal(rows.rowCount, 0, "no refused update wrote a row");
  });

  it("lets owners, admins and developers change alerts; support and viewers only read them", async () => {
    for (const role of ["support", "viewer"] as const) {
      const response = await team[role].post("/v1/alert_settings", { payout_failed: { enabled: true } });
      assert.equal(response.statusCode, 403, `${role}: ${response.body}`);
      assert.equal((await team[role].get("/v1/alert_settings")).statusCode, 200);
    }
    const changed = await team.developer.post("/v1/alert_settings", {
      success_rate: { enabled: true, threshold: 0.8, window_minutes: 60, min_attempts: 4 },
      recipients: [developerEmail.toUpperCase()],
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json().success_rate, {
      enabled: true,
      threshold: 0.8,
      window_minutes: 60,
      min_attempts: 4,
    });
    assert.deepEqual(changed.json().recipients, [developerEmail]);
    // Another merchant (and its key) sees its own settings, never these.
    const theirs = (await api(other, "GET", "/v1/alert_settings")).json();
    assert.equal(theirs.success_rate.enabled, false);
    assert.deepEqual(theirs.recipients, []);
  });

  it("mails one alert when the success rate drops (not one per pass), and one when it recovers", async () => {
    const low = /payment success rate is/;
    const recovered = /recovered to/;
    // Too few finished payments to judge: nothing.
    await pay("risk_declined", 3);
    assert.equal(await coffer.services.alerts.successRate.runPass(), 0);
    await pay("success", 1); // 1 of 4: 25%
    assert.equal(await coffer.services.alerts.successRate.runPass(), 1);
    const mail = await coffer.sink.waitFor((m) => m.to.includes(developerEmail) && low.test(m.subject));
    assert.match(mail.subject, /Alert Tea: payment success rate is 25\.0% \(test mode\)/);
    assert.match(mail.text, /1 of 4 finished test payments succeeded/);
    assert.match(mail.text, /threshold of 80\.0%/);
    assert.equal(mailsTo(ownerEmail, low).length, 0, "recipients replace the default owner and admins");

    for (let i = 0; i < 3; i++) assert.equal(await coffer.services.alerts.successRate.runPass(), 0);
    coffer.clock.advance(alertCooldownMs / 2);
    await pay("risk_declined", 1);
    assert.equal(await coffer.services.alerts.successRate.runPass(), 0, "still low, within the cooldown");
    await coffer.services.notifications.deliverDue();
    assert.equal(mailsTo(developerEmail, low).length, 1);

    await pay("success", 12); // 13 of 17: 76.5%, still low
    assert.equal(await coffer.services.alerts.successRate.runPass(), 0);
    await pay("success", 4); // 17 of 21: 81%
    assert.equal(await coffer.services.alerts.successRate.runPass(), 1);
    const back = await coffer.sink.waitFor((m) => m.to.includes(developerEmail) && recovered.test(m.subject));
    assert.match(back.subject, /recovered to 81\.0%/);
    assert.equal(await coffer.services.alerts.successRate.runPass(), 0);
    await coffer.services.notifications.deliverDue();
    assert.equal(mailsTo(developerEmail, low).length, 1);
    assert.equal(mailsTo(developerEmail, recovered).length, 1);
    const state = await coffer.db.pool.query(
      "SELECT firing, attempts, succeeded FROM merchant_alert_states WHERE merchant_id = $1",
      [shop.merchantId],
    );
    assert.deepEqual(state.rows, [{ firing: false, attempts: 21, succeeded: 17 }]);
  });

  it("mails a failed payout from its failure, to the owner and admins by default", async () => {
    const cleared = await api(shop, "POST", "/v1/alert_settings", { recipients: [] });
    assert.equal(cleared.statusCode, 200, cleared.body);
    // The clock moved past the console session's idle timeout: sign in again.
    const owner = await logIn(coffer.app, { email: ownerEmail, password: defaultPassword });
    await setSettlementAccount({ ...shop, console: owner }, "9988776655440005"); // fails: account_frozen
    const payout = await shop.sdk.payouts.create({ amount: "1000", currency: "USD" });
    coffer.clock.advance(coffer.services.wallets.config.sandboxBankSettleMs);
    await coffer.services.payments.payouts.runDue();
    assert.equal((await shop.sdk.payouts.retrieve(payout.id)).status, "failed");
    const mail = await coffer.sink.waitFor((m) => m.to.includes(ownerEmail) && /payout .* failed/.test(m.subject));
    assert.match(mail.subject, new RegExp(`Alert Tea: payout ${payout.id} failed \\(test mode\\)`));
    assert.match(mail.text, /account_frozen/);

    // Turned off: the next failure is not mailed.
    await api(shop, "POST", "/v1/alert_settings", { payout_failed: { enabled: false } });
    const second = await shop.sdk.payouts.create({ amount: "500", currency: "USD" });
    coffer.clock.advance(coffer.services.wallets.config.sandboxBankSettleMs);
    await coffer.services.payments.payouts.runDue();
    assert.equal((await shop.sdk.payouts.retrieve(second.id)).status, "failed");
    await coffer.services.notifications.deliverDue();
    assert.equal(coffer.sink.mails.filter((m) => m.subject.includes(second.id)).length, 0);
  });
});
