import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { type SmtpSink, startSmtpSink } from "../../../test/helpers/smtp-sink.js";
import {
  createWalletTestServices,
  latestCode,
  signUpWallet,
  testEmail,
  WalletClient,
} from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { walletLockoutMs, walletSessionIdleTimeoutMs, walletVerificationsPerContactMax } from "../../limits.js";
import { createSmtpTransport } from "../../notifications/transports.js";
import type { Services } from "../../runtime/services.js";

describe("wallet users: sign-up, login, sessions", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let sink: SmtpSink;
  let anonymous: WalletClient;
  const clock = manualClock("2026-02-02T12:00:00Z");
  const password = "a long and quiet river";

  before(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink();
    services = createWalletTestServices({
      pool: db.pool,
      clock,
      email: createSmtpTransport(sink.url, "coffer <no-reply@coffer.test>"),
    });
    app = await createTestApp({ pool: db.pool, services });
    anonymous = new WalletClient(app);
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  it("signs up by email: the code arrives by real mail, in the chosen language", async () => {
    const email = testEmail("mail");
    const signup = await anonymous.post("/v1/wallet/signup", { email, password, locale: "zh-CN" });
    assert.equal(signup.statusCode, 202, signup.body);
    assert.equal(signup.json().channel, "email");
    assert.equal(signup.json().sent_to, `${email[0]}•••@example.com`);
    const mail = await sink.waitFor((m) => m.to.includes(email));
    assert.equal(mail.subject, "您的 coffer 验证码");
    const code = /(\d{6})/.exec(mail.text)?.[1];
    assert.ok(code);
    const verified = await anonymous.post("/v1/wallet/verify", { verification: signup.json().id, code });
    assert.equal(verified.statusCode, 201, verified.body);
    assert.match(verified.json().token, /^wst_[A-Za-z0-9_-]{43}$/);
    assert.equal(verified.json().wallet_user.email, email);
    assert.equal(verified.json().wallet_user.locale, "zh-CN");
    const stored = await db.pool.query("SELECT token_hash FROM wallet_sessions WHERE wallet_user_id = $1", [
      verified.json().wallet_user.id,
    ]);
    assert.equal(stored.rows[0].token_hash.length, 32, "only the token's SHA-256 is stored");
    const me = await new WalletClient(app, verified.json().token).get("/v1/wallet/me");
    assert.equal(me.json().id, verified.json().wallet_user.id);
  });

  it("signs up by phone: the code goes to the dev SMS outbox", async () => {
    const phone = `+861380013${String(Date.now()).slice(-4)}`;
    const signup = await anonymous.post("/v1/wallet/signup", { phone: `+86 138-0013 ${phone.slice(-4)}`, password });
    assert.equal(signup.statusCode, 202, signup.body);
    assert.equal(signup.json().channel, "sms");
    const code = await latestCode(db.pool, phone);
    // Sign-up hands the SMS to the dev transport right after its commit; it is in the outbox once "sent".
    let outbox = await anonymous.get(`/v1/wallet/dev/sms_outbox?to=${encodeURIComponent(phone)}`);
    for (let i = 0; i < 100 && outbox.json().data?.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await services.notifications.deliverDue();
      outbox = await anonymous.get(`/v1/wallet/dev/sms_outbox?to=${encodeURIComponent(phone)}`);
    }
    assert.equal(outbox.statusCode, 200, outbox.body);
    assert.match(outbox.json().data[0].text, new RegExp(`Your coffer verification code is ${code}`));
    const verified = await anonymous.post("/v1/wallet/verify", { verification: signup.json().id, code });
    assert.equal(verified.statusCode, 201, verified.body);
    assert.equal(verified.json().wallet_user.phone, phone);
    const login = await anonymous.post("/v1/wallet/login", { phone, password });
    assert.equal(login.statusCode, 200, login.body);
  });

  it("answers a sign-up for a taken address the same way, without a usable code", async () => {
    const user = await signUpWallet(app, sink);
    const again = await anonymous.post("/v1/wallet/signup", { email: user.email, password: "another long password" });
    assert.equal(again.statusCode, 202);
    assert.deepEqual(Object.keys(again.json()).sort(), ["channel", "expires_at", "id", "object", "sent_to"]);
    const notice = await db.pool.query(
      "SELECT template FROM outbound_messages WHERE recipient = $1 ORDER BY seq DESC LIMIT 1",
      [user.email],
    );
    assert.equal(notice.rows[0].template, "wallet.signup_existing");
    const guess = await anonymous.post("/v1/wallet/verify", { verification: again.json().id, code: "000000" });
    assert.equal(guess.json().error.code, "verification_code_invalid");
    const login = await anonymous.post("/v1/wallet/login", { email: user.email, password: "another long password" });
    assert.equal(login.statusCode, 401, "the second sign-up did not change the password");
  });

  it("uses a verification up after five wrong codes, and limits codes per address", async () => {
    const email = testEmail("guess");
    const signup = await anonymous.post("/v1/wallet/signup", { email, password });
    const code = await latestCode(sink, email);
    const wrong = code === "123456" ? "654321" : "123456";
    for (let i = 0; i < 5; i++) {
      const attempt = await anonymous.post("/v1/wallet/verify", { verification: signup.json().id, code: wrong });
      assert.equal(attempt.json().error.code, "verification_code_invalid");
    }
    const late = await anonymous.post("/v1/wallet/verify", { verification: signup.json().id, code });
    assert.equal(late.statusCode, 400);
    assert.equal(late.json().error.code, "verification_expired");

    for (let i = 1; i < walletVerificationsPerContactMax; i++) {
      assert.equal((await anonymous.post("/v1/wallet/signup", { email, password })).statusCode, 202);
    }
    const limited = await anonymous.post("/v1/wallet/signup", { email, password });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, "verification_rate_limited");
  });

  it("expires codes after ten minutes", async () => {
    const email = testEmail("slow");
    const signup = await anonymous.post("/v1/wallet/signup", { email, password });
    const code = await latestCode(sink, email);
    clock.advance(10 * 60 * 1000 + 1);
    const late = await anonymous.post("/v1/wallet/verify", { verification: signup.json().id, code });
    assert.equal(late.json().error.code, "verification_expired");
  });

  it("refuses weak passwords and malformed contacts with their codes", async () => {
    const weak = await anonymous.post("/v1/wallet/signup", { email: testEmail(), password: "password123" });
    assert.equal(weak.json().error.code, "password_invalid");
    const short = await anonymous.post("/v1/wallet/signup", { email: testEmail(), password: "short" });
    assert.equal(short.json().error.code, "password_invalid");
    const both = await anonymous.post("/v1/wallet/signup", { email: testEmail(), phone: "+14155550100", password });
    assert.equal(both.json().error.code, "contact_invalid");
    const badPhone = await anonymous.post("/v1/wallet/signup", { phone: "0155550100", password });
    assert.deepEqual([badPhone.json().error.code, badPhone.json().error.param], ["contact_invalid", "phone"]);
    const none = await anonymous.post("/v1/wallet/signup", { password });
    assert.equal(none.json().error.code, "contact_invalid");
  });

  it("locks a wallet after five wrong passwords, for fifteen minutes", async () => {
    const user = await signUpWallet(app, sink, { password });
    for (let i = 0; i < 5; i++) {
      const wrong = await anonymous.post("/v1/wallet/login", { email: user.email, password: "wrong but long enough" });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error.code, "login_failed");
    }
    const locked = await anonymous.post("/v1/wallet/login", { email: user.email, password });
    assert.equal(locked.statusCode, 403);
    assert.equal(locked.json().error.code, "account_locked");
    const audit = await db.pool.query("SELECT action FROM audit_log WHERE target_id = $1", [user.id]);
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ["wallet_user.locked"],
    );
    clock.advance(walletLockoutMs);
    const open = await anonymous.post("/v1/wallet/login", { email: user.email, password });
    assert.equal(open.statusCode, 200, open.body);
    const unknown = await anonymous.post("/v1/wallet/login", { email: testEmail("nobody"), password });
    assert.deepEqual([unknown.statusCode, unknown.json().error.code], [401, "login_failed"]);
  });

  it("lists devices, revokes one, logs out, and ends idle and revoked sessions", async () => {
    const user = await signUpWallet(app, sink, { password });
    const phone = await anonymous.post(
      "/v1/wallet/login",
      { email: user.email, password },
      { "user-agent": "coffer-phone/1.0" },
    );
    const phoneClient = new WalletClient(app, phone.json().token);
    const devices = await user.client.get("/v1/wallet/sessions");
    assert.equal(devices.statusCode, 200);
    assert.equal(devices.json().data.length, 2);
    const phoneSession = devices.json().data.find((d: { user_agent: string }) => d.user_agent === "coffer-phone/1.0");
    assert.equal(phoneSession.current, false);
    assert.ok(devices.json().data.some((d: { current: boolean }) => d.current));

    const revoked = await user.client.delete(`/v1/wallet/sessions/${phoneSession.id}`);
    assert.equal(revoked.statusCode, 200, revoked.body);
    const gone = await phoneClient.get("/v1/wallet/me");
    assert.equal(gone.statusCode, 401);
    assert.equal(gone.json().error.code, "authentication_required");

    const stranger = await signUpWallet(app, sink);
    const notTheirs = await stranger.client.delete(`/v1/wallet/sessions/${devices.json().data[0].id}`);
    assert.equal(notTheirs.statusCode, 404);

    clock.advance(walletSessionIdleTimeoutMs + 1000);
    assert.equal((await user.client.get("/v1/wallet/me")).statusCode, 401, "an idle session ends");

    const fresh = await anonymous.post("/v1/wallet/login", { email: stranger.email, password });
    const client = new WalletClient(app, fresh.json().token);
    assert.equal((await client.post("/v1/wallet/logout")).statusCode, 200);
    assert.equal((await client.get("/v1/wallet/me")).statusCode, 401);
    const forged = new WalletClient(app, "wst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal((await forged.get("/v1/wallet/me")).statusCode, 401);
    assert.equal((await anonymous.get("/v1/wallet/me")).statusCode, 401);
  });
});
