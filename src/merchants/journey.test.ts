import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { passSandboxGoLiveItems } from "../../test/helpers/go-live.js";
import {
  defaultPassword,
  enableTotp,
  fillKyb,
  logIn,
  newOperator,
  SessionClient,
  tokenFromMail,
  uniqueEmail,
  waitForMail,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { apiVersionLatest } from "../http/versioning.js";
import type { Services } from "../runtime/services.js";
import { verifyAuditChain } from "../security/audit.js";

/**
 * The whole way of a merchant, over HTTP with real mail: sign up, verify, sign in, two-factor, KYB with documents,
 * review by an operator, a live key, and the merchant API saying live.
 */
describe("merchant journey: sign-up to live", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  const publicUrl = "https://coffer.example.test";

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url, publicUrl } });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const email = uniqueEmail("founder");
  let owner: SessionClient;
  let merchantId: string;
  let applicationId: string;

  it("signs up, mails a verification link, verifies and signs in", async () => {
    const signup = await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      headers: { "accept-language": "zh-CN,zh;q=0.9,en;q=0.5" },
      payload: { email, password: defaultPassword, business_name: "Acme Tea", name: "Mei" },
    });
    assert.equal(signup.statusCode, 202, signup.body);
    assert.deepEqual(signup.json(), { object: "signup", status: "verification_email_sent", email });

    const early = await new SessionClient(app).post("/v1/console/login", { email, password: defaultPassword });
    assert.equal(early.statusCode, 403);
    assert.equal(early.json().error.code, "email_not_verified");

    const mail = await waitForMail(sink, email, /验证 Acme Tea 的邮箱地址/);
    assert.match(mail.text, new RegExp(`${publicUrl}/console/verify-email\\?token=`));
    const verified = await app.inject({
      method: "POST",
      url: "/v1/console/verify_email",
      payload: { token: tokenFromMail(mail.text) },
    });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().email, email);

    const again = await app.inject({
      method: "POST",
      url: "/v1/console/verify_email",
      payload: { token: tokenFromMail(mail.text) },
    });
    assert.equal(again.json().error.code, "link_invalid", "a link works once");

    owner = new SessionClient(app);
    const login = await owner.post("/v1/console/login", { email, password: defaultPassword });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = [login.headers["set-cookie"]]
      .flat()
      .map(String)
      .find((line) => line.startsWith("coffer_console="));
    assert.match(
      cookie ?? "",
      /^coffer_console=[A-Za-z0-9_-]{43}; Path=\/v1; Max-Age=43200; HttpOnly; SameSite=Lax; Secure$/,
    );
    const me = login.json();
    assert.equal(me.role, "owner");
    assert.equal(me.business_name, "Acme Tea");
    assert.equal(me.user.locale, "zh-CN");
    assert.equal(me.livemode, false);
    assert.ok(me.csrf_token);
    merchantId = me.merchant;
    assert.match(merchantId, /^mer_/);
  });

  it("has test keys from sign-up; the test secret key is shown once and works, by Bearer and by Basic auth", async () => {
    const keys = (await owner.get("/v1/console/api_keys")).json();
    assert.equal(keys.data.length, 2);
    const secret = keys.data.find((k: { type: string }) => k.type === "secret");
    const publishable = keys.data.find((k: { type: string }) => k.type === "publishable");
    assert.equal(secret.revealable, true);
    assert.match(secret.prefix, /^sk_test_/);
    assert.match(publishable.token, /^pk_test_[0-9A-Za-z]{44}$/);

    const revealed = await owner.post(`/v1/console/api_keys/${secret.id}/reveal`);
    assert.equal(revealed.statusCode, 200, revealed.body);
    const token = revealed.json().secret as string;
    assert.match(token, /^sk_test_[0-9A-Za-z]{44}$/);
    assert.equal(token.slice(-4), secret.last4);
    const twice = await owner.post(`/v1/console/api_keys/${secret.id}/reveal`);
    assert.equal(twice.json().error.code, "api_key_secret_unavailable");

    const bearer = await app.inject({ url: "/v1/account", headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.statusCode, 200, bearer.body);
    assert.equal(bearer.json().livemode, false);
    const basic = await app.inject({
      url: "/v1/account",
      headers: { authorization: `Basic ${Buffer.from(`${token}:`).toString("base64")}` },
    });
    assert.equal(basic.statusCode, 200);
    assert.deepEqual(basic.json(), bearer.json());
    assert.equal(bearer.json().kyb_status, "draft");
    assert.deepEqual(bearer.json().capabilities, { test_payments: "active", live_payments: "inactive" });

    const withPublishable = await app.inject({
      url: "/v1/account",
      headers: { authorization: `Bearer ${publishable.token}` },
    });
    assert.equal(withPublishable.statusCode, 403, "publishable keys reach only routes that allow them");
    assert.equal(withPublishable.json().error.code, "permission_denied");
  });

  it("enables TOTP (otpauth URI and QR) and then needs a code to sign in", async () => {
    const enrollment = await owner.post("/v1/console/2fa/totp");
    assert.equal(enrollment.statusCode, 200);
    assert.match(enrollment.json().otpauth_uri, /^otpauth:\/\/totp\/coffer:/);
    assert.match(enrollment.json().qr_svg, /^<svg/);
    // enableTotp starts a second enrollment; the newest secret is the one confirmed.
    await enableTotp(owner, clock);
    const me = (await owner.get("/v1/console/me")).json();
    assert.deepEqual(me.user.two_factor, { totp: true, passkeys: 0 });

    const withoutCode = await new SessionClient(app).post("/v1/console/login", { email, password: defaultPassword });
    assert.equal(withoutCode.statusCode, 401);
    assert.equal(withoutCode.json().error.code, "two_factor_required");
    const wrong = await new SessionClient(app).post("/v1/console/login", { email, password: "not the password" });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, "login_failed");
  });

  it("refuses a live key before KYB is approved, even with two-factor on", async () => {
    const refused = await owner.post("/v1/console/api_keys", { type: "secret", livemode: true });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "go_live_incomplete");
    assert.match(refused.json().error.message, /kyb_approved/);
    assert.doesNotMatch(refused.json().error.message, /two_factor_enabled/);
    const checklist = (await owner.get("/v1/console/go_live")).json();
    assert.equal(checklist.ready, false);
    assert.deepEqual(
      checklist.items.map((i: { id: string; passed: boolean }) => [i.id, i.passed]),
      [
        ["kyb_approved", false],
        ["two_factor_enabled", true],
        ["webhook_endpoint_set", false],
        ["test_payment_succeeded", false],
        ["test_payment_refunded", false],
        ["endpoint_probe_passed", false],
      ],
    );
  });

  it("fills in KYB with documents and submits it", async () => {
    const incomplete = await owner.post("/v1/console/kyb/submit");
    assert.equal(incomplete.statusCode, 400);
    assert.equal(incomplete.json().error.code, "kyb_incomplete");

    await fillKyb(owner);
    const kyb = (await owner.get("/v1/console/kyb")).json();
    assert.deepEqual(kyb.requirements.missing, []);
    assert.equal(kyb.bank_account.account_number_last4, "3445");
    assert.equal(kyb.representative.id_number_last4, "7316");
    assert.equal(kyb.documents.length, 2);

    const submitted = await owner.post("/v1/console/kyb/submit");
    assert.equal(submitted.statusCode, 200, submitted.body);
    assert.equal(submitted.json().state, "submitted");
    applicationId = submitted.json().id;
    const locked = await owner.put("/v1/console/kyb", { legal_name: "Changed" });
    assert.equal(locked.json().error.code, "kyb_not_editable");
    const events = await db.pool.query("SELECT type FROM events WHERE merchant_id = $1 ORDER BY seq", [merchantId]);
    assert.ok(events.rows.some((e) => e.type === "kyb_application.submitted"));
  });

  it("lets a reviewer approve but not a support operator; the merchant is mailed", async () => {
    const support = await newOperator(app, services, "support");
    const reviewer = await newOperator(app, services, "reviewer");

    const queue = (await support.get("/v1/ops/kyb_applications?state=submitted")).json();
    assert.ok(queue.data.some((a: { id: string }) => a.id === applicationId));
    const masked = (await support.get(`/v1/ops/kyb_applications/${applicationId}`)).json();
    assert.equal(masked.bank_account.account_number, null, "support sees the last four only");
    const denied = await support.post(`/v1/ops/kyb_applications/${applicationId}/approve`);
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().error.code, "permission_denied");

    const opened = (await reviewer.get(`/v1/ops/kyb_applications/${applicationId}`)).json();
    assert.equal(opened.bank_account.account_number, "6222020200112233445");
    const documentId = opened.documents.find((d: { type: string }) => d.type === "business_licence").id;
    const file = await reviewer.get(`/v1/ops/kyb_applications/${applicationId}/documents/${documentId}`);
    assert.equal(file.statusCode, 200);
    assert.match(Buffer.from(file.json().content_base64, "base64").toString("latin1"), /^%PDF-/);

    const approved = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().state, "approved");
    assert.deepEqual(
      approved
        .json()
        .history.map((h: { from: string; to: string; actor: { type: string } }) => [h.from, h.to, h.actor.type]),
      [
        ["draft", "submitted", "merchant_user"],
        ["submitted", "in_review", "operator"],
        ["in_review", "approved", "operator"],
      ],
    );
    await waitForMail(sink, email, /已通过审核/);
  });

  it("refuses a live key to a team member without two-factor", async () => {
    const adminEmail = uniqueEmail("admin");
    const invited = await owner.post("/v1/console/team/invites", { email: adminEmail, role: "admin" });
    assert.equal(invited.statusCode, 201, invited.body);
    const mail = await waitForMail(sink, adminEmail, /邀请您加入/);
    const accepted = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token: tokenFromMail(mail.text), password: defaultPassword },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const admin = await logIn(app, { email: adminEmail, password: defaultPassword });
    const refused = await admin.post("/v1/console/api_keys", { type: "secret", livemode: true });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "go_live_incomplete");
    assert.match(refused.json().error.message, /two_factor_enabled/);
  });

  it("integrates in test mode: a webhook handler that passes the probe, a payment and a refund", async () => {
    const handler = await passSandboxGoLiveItems(owner);
    await handler.stop();
    const checklist = (await owner.get("/v1/console/go_live")).json();
    assert.equal(checklist.ready, true, JSON.stringify(checklist.items));
  });

  it("creates a live key, shown once, and GET /v1/account with it says live", async () => {
    const created = await owner.post("/v1/console/api_keys", { type: "secret", livemode: true, name: "Production" });
    assert.equal(created.statusCode, 201, created.body);
    const key = created.json();
    assert.match(key.secret, /^sk_live_[0-9A-Za-z]{44}$/);
    assert.equal(key.livemode, true);
    assert.equal(key.prefix, key.secret.slice(0, 12));

    const account = await app.inject({ url: "/v1/account", headers: { authorization: `Bearer ${key.secret}` } });
    assert.equal(account.statusCode, 200, account.body);
    assert.deepEqual(account.json(), {
      id: merchantId,
      object: "account",
      business_name: "Acme Tea",
      livemode: true,
      kyb_status: "approved",
      capabilities: { test_payments: "active", live_payments: "active" },
      // A new account answers in the latest version.
      api_version: apiVersionLatest,
      created: account.json().created,
    });
    const listed = (await owner.get("/v1/console/api_keys?livemode=true")).json();
    assert.equal(listed.data.length, 1);
    assert.equal(listed.data[0].secret, undefined, "a secret is never shown twice");
    assert.notEqual(listed.data[0].last_used, null, "last use is tracked");

    const events = await db.pool.query("SELECT type, livemode FROM events WHERE merchant_id = $1 ORDER BY seq", [
      merchantId,
    ]);
    assert.ok(events.rows.some((e) => e.type === "api_key.created" && e.livemode === true));
  });

  it("kept a hash-chained audit log of all of it", async () => {
    const log = (await owner.get("/v1/console/audit_log?limit=100")).json();
    const actions = new Set(log.data.map((r: { action: string }) => r.action));
    for (const action of [
      "console.signed_up",
      "console.email_verified",
      "console.login_succeeded",
      "console.login_failed",
      "two_factor.totp_enabled",
      "api_key.revealed",
      "kyb.submitted",
      "kyb.review_started",
      "kyb.approved",
      "team.invited",
      "api_key.created",
    ]) {
      assert.ok(actions.has(action), `${action} in ${[...actions].join(", ")}`);
    }
    assert.equal((await verifyAuditChain(db.pool)).ok, true);
  });
});
