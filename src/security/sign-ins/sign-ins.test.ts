import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import { defaultPassword, newMerchant, SessionClient, waitForMail } from "../../../test/helpers/merchant-console.js";
import { insertTestMerchant, issueTestApiKey } from "../../../test/helpers/merchant-rows.js";
import { type SmtpSink, startSmtpSink } from "../../../test/helpers/smtp-sink.js";
import {
  createWalletTestServices,
  latestCode,
  linkBank,
  newestDevMessage,
  signUpWallet,
  testEmail,
  topUpAndSettle,
  verifyIdentity,
  WalletClient,
  walletEvents,
} from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { ApiError } from "../../http/errors.js";
import { signInReportLinkTtlMs } from "../../limits.js";
import { createSmtpTransport } from "../../notifications/transports.js";
import type { Services } from "../../runtime/services.js";
import { summarizeAgent } from "./agent.js";

const iPhone =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const windowsChrome =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const password = "a long and quiet river";
const newPassword = "another calm and winding stream";

/** The token of a wallet alert's "this wasn't me" link (/wallet/not-me#token=…). */
function walletReportToken(text: string): string {
  const token = /\/wallet\/not-me#token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
  assert.ok(token, `no "this wasn't me" link in:\n${text}`);
  return token;
}

function consoleReportToken(text: string): string {
  const token = /\/console\/not-me\?token=([A-Za-z0-9_%-]+)/.exec(text)?.[1];
  assert.ok(token, `no "this wasn't me" link in:\n${text}`);
  return decodeURIComponent(token);
}

function deviceCookieOf(response: { headers: Record<string, unknown> }): string {
  const lines = response.headers["set-cookie"];
  const all = Array.isArray(lines) ? lines : [String(lines)];
  const line = all.find((l: string) => l.startsWith("coffer_device="));
  assert.ok(line, "the sign-in sets the device cookie");
  assert.match(line, /HttpOnly/);
  assert.match(line, /Path=\/v1\/console/);
  return /^coffer_device=([^;]+)/.exec(line)![1]!;
}

describe("sign-in security: new-device alerts, this wasn't me, the security centre", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let sink: SmtpSink;
  const anonymous = () => new WalletClient(app);
  const clock = manualClock("2026-03-02T08:00:00Z");

  before(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink();
    services = createWalletTestServices({
      pool: db.pool,
      clock,
      email: createSmtpTransport(sink.url, "coffer <no-reply@coffer.test>"),
    });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  async function login(email: string, deviceToken?: string, userAgent = iPhone, pass = password) {
    clock.advance(1000); // sign-ins a second apart, so their order is the order they happened in
    return anonymous().post(
      "/v1/wallet/login",
      { email, password: pass, ...(deviceToken ? { device_token: deviceToken } : {}) },
      { "user-agent": userAgent },
    );
  }

  /** Every row of every table as text (bytea as hex), like a data-only dump. */
  async function dumpEverything(): Promise<string> {
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    let dump = "";
    for (const { table_name } of tables.rows) {
      const rows = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      dump += rows.rows.map((r) => r.row).join("\n");
    }
    return dump;
  }

  const mailsTo = (email: string, subject: RegExp) =>
    sink.mails.filter((m) => m.to.includes(email) && subject.test(m.subject));

  it("summarises user agents coarsely", () => {
    assert.equal(summarizeAgent(iPhone), "iPhone · Safari");
    assert.equal(summarizeAgent(windowsChrome), "Windows · Chrome");
    assert.equal(summarizeAgent(null), "Unknown device");
    assert.equal(summarizeAgent("x".repeat(400)), "Unknown device");
  });

  it("wallet: a new device alerts by mail; this wasn't me signs out everywhere and freezes payments until a password reset", async () => {
    const email = testEmail("alert");
    const signup = await anonymous().post("/v1/wallet/signup", { email, password });
    const verified = await anonymous().post(
      "/v1/wallet/verify",
      { verification: signup.json().id, code: await latestCode(sink, email) },
      { "user-agent": windowsChrome },
    );
    assert.equal(verified.statusCode, 201, verified.body);
    const userId = verified.json().wallet_user.id as string;
    const homeDevice = verified.json().device_token as string;
    assert.match(homeDevice, /^dvt_[A-Za-z0-9_-]{43}$/);

    // The same device again: recognised, no alert.
    const again = await login(email, homeDevice, windowsChrome);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().device_token, homeDevice);
    const home = new WalletClient(app, again.json().token);
    // Money in the wallet, then a payment code shown before anything happens (a screenshot a scammer got, say).
    const owner = { id: userId, token: again.json().token, email, client: home };
    await verifyIdentity(owner);
    await topUpAndSettle(services, clock, owner, await linkBank(owner), "5000");
    const shownCode = await home.get("/v1/wallet/payment_code");
    assert.equal(shownCode.statusCode, 200, shownCode.body);

    // A device the wallet has not seen: the owner gets a mail naming it, with the link.
    const stranger = await login(email, undefined, iPhone);
    assert.equal(stranger.statusCode, 200, stranger.body);
    assert.notEqual(stranger.json().device_token, homeDevice);
    const alert = await waitForMail(sink, email, /New sign-in to your coffer wallet/);
    assert.match(alert.text, /iPhone · Safari/);
    assert.match(alert.text, /When: 2026-03-02 08:\d\d \(UTC\)/);
    assert.equal(mailsTo(email, /New sign-in/).length, 1, "only the new device alerted");
    const token = walletReportToken(alert.text);
    const stored = await db.pool.query("SELECT token_hash FROM sign_in_reports WHERE subject_id = $1", [userId]);
    assert.deepEqual(stored.rows[0].token_hash, createHash("sha256").update(token).digest(), "only its hash is kept");
    const dump = await dumpEverything();
    for (const secret of [token, homeDevice, stranger.json().device_token]) {
      assert.ok(!dump.includes(secret), "no link or device token is in the database in clear");
      assert.ok(!dump.includes(Buffer.from(secret).toString("hex")));
    }

    const signIns = await home.get("/v1/wallet/sign_ins");
    assert.deepEqual(
      signIns
        .json()
        .data.map((s: { description: string; new_device: boolean; alerted: boolean }) => [
          s.description,
          s.new_device,
          s.alerted,
        ]),
      [
        ["iPhone · Safari", true, true],
        ["Windows · Chrome", false, false],
        ["Windows · Chrome", true, false],
      ],
    );

    const reported = await anonymous().post("/v1/wallet/sign_in_reports", { token });
    assert.equal(reported.statusCode, 200, reported.body);
    assert.equal(reported.json().status, "secured");

    // Every session is over, the stranger's and the owner's.
    for (const t of [verified.json().token, again.json().token, stranger.json().token]) {
      assert.equal((await new WalletClient(app, t).get("/v1/wallet/me")).statusCode, 401);
    }
    const frozen = await db.pool.query("SELECT frozen_at, frozen_by_owner FROM wallet_users WHERE id = $1", [userId]);
    assert.ok(frozen.rows[0].frozen_at);
    assert.equal(frozen.rows[0].frozen_by_owner, true);
    assert.ok((await walletEvents(db.pool, userId)).some((e) => e.type === "wallet_user.frozen"));
    const audit = await db.pool.query("SELECT action FROM audit_log WHERE actor_id = $1", [userId]);
    assert.ok(audit.rows.some((r) => r.action === "sign_in.reported_not_me"));

    // A payment attempt is refused with wallet_frozen: a shop charging the code shown before …
    const shop = await issueTestApiKey(services, await insertTestMerchant(db.pool, "Corner Shop"), { livemode: true });
    const charged = await app.inject({
      method: "POST",
      url: "/v1/payments",
      headers: { authorization: `Bearer ${shop}`, "content-type": "application/json" },
      payload: { amount: "100", currency: "USD", method: "payment_code", payment_code: shownCode.json().code },
    });
    assert.ok(charged.statusCode < 500, charged.body);
    const failure = charged.statusCode === 201 ? charged.json().failure_code : charged.json().error.code;
    assert.equal(failure, "wallet_frozen", charged.body);
    // … and a transfer to another wallet.
    await assert.rejects(
      services.wallets.transfers.send(userId, { to: testEmail("nobody"), amount: "100", currency: "USD" }, null),
      (error: unknown) => error instanceof ApiError && error.code === "wallet_frozen",
    );

    // The link works once.
    const replay = await anonymous().post("/v1/wallet/sign_in_reports", { token });
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error.code, "sign_in_report_invalid");

    // The (perhaps stolen) password opens nothing until it is reset.
    const refused = await login(email, homeDevice, windowsChrome);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "password_reset_required");

    const reset = await anonymous().post("/v1/wallet/password_reset", { email });
    assert.equal(reset.statusCode, 202, reset.body);
    const resetMail = await waitForMail(sink, email, /password reset code/);
    const code = /\b(\d{6})\b/.exec(resetMail.text)?.[1];
    assert.ok(code);
    const wrong = await anonymous().post("/v1/wallet/password_reset/confirm", {
      reset: reset.json().id,
      code: code === "000000" ? "111111" : "000000",
      password: newPassword,
    });
    assert.equal(wrong.json().error.code, "password_reset_code_invalid");
    const confirmed = await anonymous().post("/v1/wallet/password_reset/confirm", {
      reset: reset.json().id,
      code,
      password: newPassword,
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const used = await anonymous().post("/v1/wallet/password_reset/confirm", {
      reset: reset.json().id,
      code,
      password: newPassword,
    });
    assert.equal(used.json().error.code, "password_reset_expired");

    const unfrozen = await db.pool.query("SELECT frozen_at, frozen_by_owner FROM wallet_users WHERE id = $1", [userId]);
    assert.equal(unfrozen.rows[0].frozen_at, null);
    assert.equal(unfrozen.rows[0].frozen_by_owner, false);
    assert.ok((await walletEvents(db.pool, userId)).some((e) => e.type === "wallet_user.unfrozen"));
    assert.equal((await login(email, homeDevice, windowsChrome)).statusCode, 401, "the old password is gone");
    const back = await login(email, homeDevice, windowsChrome, newPassword);
    assert.equal(back.statusCode, 200, back.body);
    // Payments are possible again: the transfer now fails for what it is, not for a freeze.
    await assert.rejects(
      services.wallets.transfers.send(userId, { to: testEmail("nobody"), amount: "100", currency: "USD" }, null),
      (error: unknown) => error instanceof ApiError && error.code !== "wallet_frozen",
    );
    // The used link still cannot freeze the wallet again.
    const later = await anonymous().post("/v1/wallet/sign_in_reports", { token });
    assert.equal(later.json().error.code, "sign_in_report_invalid");
    assert.equal(
      (await new WalletClient(app, back.json().token).get("/v1/wallet/me")).json().frozen,
      false,
      "the replay changed nothing",
    );
  });

  it("wallet: the first sign-in of a new account is not an alert, and an expired link changes nothing", async () => {
    const user = await signUpWallet(app, sink);
    const first = await services.pool.query("SELECT alerted FROM sign_ins WHERE subject_id = $1", [user.id]);
    assert.deepEqual(first.rows, [{ alerted: false }]);
    assert.equal(mailsTo(user.email, /New sign-in/).length, 0);
    const stranger = await login(user.email);
    assert.equal(stranger.statusCode, 200);
    const token = walletReportToken((await waitForMail(sink, user.email, /New sign-in/)).text);
    clock.advance(signInReportLinkTtlMs + 1000);
    try {
      const expired = await anonymous().post("/v1/wallet/sign_in_reports", { token });
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().error.code, "sign_in_report_expired");
      const state = await db.pool.query("SELECT frozen_at FROM wallet_users WHERE id = $1", [user.id]);
      assert.equal(state.rows[0].frozen_at, null);
      const unknown = await anonymous().post("/v1/wallet/sign_in_reports", { token: "x".repeat(43) });
      assert.equal(unknown.json().error.code, "sign_in_report_invalid");
    } finally {
      clock.advance(-(signInReportLinkTtlMs + 1000));
    }
  });

  it("wallet: a phone-only wallet is alerted by SMS, and two clicks on one link at once secure it once", async () => {
    const phone = `+8613${String(Date.now()).slice(-9)}`;
    const signup = await anonymous().post("/v1/wallet/signup", { phone, password, locale: "zh-CN" });
    const verified = await anonymous().post("/v1/wallet/verify", {
      verification: signup.json().id,
      code: await latestCode(db.pool, phone),
    });
    assert.equal(verified.statusCode, 201, verified.body);
    const userId = verified.json().wallet_user.id as string;
    assert.equal((await anonymous().post("/v1/wallet/login", { phone, password })).statusCode, 200);
    const sms = await newestDevMessage(db.pool, phone, "security.wallet_new_device_sms");
    assert.match(sms.text, /您的钱包于 .+（UTC）在 .+ 上登录/);
    const token = walletReportToken(sms.text);

    const both = await Promise.all([
      anonymous().post("/v1/wallet/sign_in_reports", { token }),
      anonymous().post("/v1/wallet/sign_in_reports", { token }),
    ]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 400]);
    const frozenEvents = (await walletEvents(db.pool, userId)).filter((e) => e.type === "wallet_user.frozen");
    assert.equal(frozenEvents.length, 1, "secured once");
    const audits = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE actor_id = $1 AND action = 'sign_in.reported_not_me'",
      [userId],
    );
    assert.equal(audits.rows[0].n, 1);
  });

  it("wallet: an operator's freeze stays through a report and a password reset", async () => {
    const user = await signUpWallet(app, sink);
    await services.wallets.users.freeze({ operatorId: "op_test_admin", ip: null }, user.id, "Under review.");
    assert.equal((await login(user.email)).statusCode, 200);
    const token = walletReportToken((await waitForMail(sink, user.email, /New sign-in/)).text);
    assert.equal((await anonymous().post("/v1/wallet/sign_in_reports", { token })).statusCode, 200);
    const state = await db.pool.query("SELECT frozen_reason, frozen_by_owner FROM wallet_users WHERE id = $1", [
      user.id,
    ]);
    assert.deepEqual(state.rows[0], { frozen_reason: "Under review.", frozen_by_owner: false });
    // Not frozen by its owner: login is not held back, and a reset leaves the operator's freeze.
    assert.equal((await login(user.email)).statusCode, 200);
    const reset = await anonymous().post("/v1/wallet/password_reset", { email: user.email });
    const code = /\b(\d{6})\b/.exec((await waitForMail(sink, user.email, /password reset code/)).text)?.[1];
    const confirmed = await anonymous().post("/v1/wallet/password_reset/confirm", {
      reset: reset.json().id,
      code,
      password: newPassword,
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const after = await db.pool.query("SELECT frozen_at FROM wallet_users WHERE id = $1", [user.id]);
    assert.ok(after.rows[0].frozen_at, "the operator's freeze is still there");
  });

  it("wallet security centre: devices, signing one out, signing every other out; other wallets' devices are 404", async () => {
    const user = await signUpWallet(app, sink);
    const phone = await login(user.email, undefined, iPhone);
    const laptop = await login(user.email, undefined, windowsChrome);
    const phoneClient = new WalletClient(app, phone.json().token);
    const laptopClient = new WalletClient(app, laptop.json().token);

    const devices = await laptopClient.get("/v1/wallet/devices");
    assert.equal(devices.statusCode, 200, devices.body);
    const list = devices.json().data as { id: string; description: string; current: boolean; signed_in: boolean }[];
    assert.equal(list.length, 3);
    assert.deepEqual(
      list.filter((d) => d.current).map((d) => d.description),
      ["Windows · Chrome"],
    );
    const phoneDevice = list.find((d) => d.description === "iPhone · Safari")!;
    assert.ok(phoneDevice.signed_in);

    const other = await signUpWallet(app, sink);
    const othersDevice = (await other.client.get("/v1/wallet/devices")).json().data[0].id as string;
    const foreign = await laptopClient.post(`/v1/wallet/devices/${othersDevice}/sign_out`);
    const unknown = await laptopClient.post(`/v1/wallet/devices/dev_${"0".repeat(22)}/sign_out`);
    assert.equal(foreign.statusCode, 404);
    assert.deepEqual(
      { ...foreign.json().error, request_id: null },
      { ...unknown.json().error, request_id: null },
      "another wallet's device answers like an unknown id",
    );
    assert.equal((await other.client.get("/v1/wallet/me")).statusCode, 200, "and its session is untouched");

    const signedOut = await laptopClient.post(`/v1/wallet/devices/${phoneDevice.id}/sign_out`);
    assert.equal(signedOut.statusCode, 200, signedOut.body);
    assert.equal(signedOut.json().sessions_ended, 1);
    assert.equal((await phoneClient.get("/v1/wallet/me")).statusCode, 401);
    const afterwards = (await laptopClient.get("/v1/wallet/devices")).json().data as {
      id: string;
      signed_in: boolean;
    }[];
    assert.equal(afterwards.find((d) => d.id === phoneDevice.id)?.signed_in, false);

    const others = await laptopClient.post("/v1/wallet/sessions/sign_out_others");
    assert.equal(others.statusCode, 200, others.body);
    assert.equal(others.json().sessions_ended, 1, "the sign-up's session");
    assert.equal((await user.client.get("/v1/wallet/me")).statusCode, 401);
    assert.equal((await laptopClient.get("/v1/wallet/me")).statusCode, 200, "this device stays signed in");

    const firstPage = await laptopClient.get("/v1/wallet/sign_ins?limit=2");
    assert.equal(firstPage.json().data.length, 2);
    assert.equal(firstPage.json().has_more, true);
    const next = await laptopClient.get(`/v1/wallet/sign_ins?limit=2&starting_after=${firstPage.json().data[1].id}`);
    assert.equal(next.json().data.length, 1);
    assert.equal(next.json().has_more, false);
    const foreignCursor = await other.client.get(`/v1/wallet/sign_ins?starting_after=${firstPage.json().data[0].id}`);
    assert.equal(foreignCursor.statusCode, 400);
  });

  it("wallet: one browser's device token serves two wallets, and simultaneous sign-ins from one new device both succeed", async () => {
    const first = await signUpWallet(app, sink);
    const second = await signUpWallet(app, sink);
    const shared = (await login(first.email)).json().device_token as string;
    const other = await login(second.email, shared);
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(other.json().device_token, shared, "the browser keeps its one token");
    assert.equal((await login(second.email, shared)).statusCode, 200);
    const recognised = await db.pool.query(
      "SELECT new_device FROM sign_ins WHERE subject_id = $1 ORDER BY created_at DESC LIMIT 1",
      [second.id],
    );
    assert.equal(recognised.rows[0].new_device, false);

    const fresh = `dvt_${"A".repeat(43)}`;
    clock.advance(1000);
    const both = await Promise.all([
      anonymous().post("/v1/wallet/login", { email: first.email, password, device_token: fresh }),
      anonymous().post("/v1/wallet/login", { email: first.email, password, device_token: fresh }),
    ]);
    assert.deepEqual(
      both.map((r) => r.statusCode),
      [200, 200],
    );
    const devices = await db.pool.query(
      "SELECT count(*)::int AS n FROM sign_in_devices WHERE subject_id = $1 AND token_hash = $2",
      [first.id, createHash("sha256").update(fresh).digest()],
    );
    assert.equal(devices.rows[0].n, 1, "one device, whichever sign-in came first");
  });

  it("wallet password reset answers the same for an unknown address and is rate-limited per address", async () => {
    const unknown = await anonymous().post("/v1/wallet/password_reset", { email: testEmail("ghost") });
    assert.equal(unknown.statusCode, 202);
    assert.deepEqual(Object.keys(unknown.json()).sort(), ["channel", "expires_at", "id", "object", "sent_to"]);
    const guess = await anonymous().post("/v1/wallet/password_reset/confirm", {
      reset: unknown.json().id,
      code: "123456",
      password: newPassword,
    });
    assert.equal(guess.json().error.code, "password_reset_code_invalid");
    const user = await signUpWallet(app, sink);
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await anonymous().post("/v1/wallet/password_reset", { email: user.email }));
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [202, 202, 202, 202, 202, 429],
    );
  });

  it("console: a new browser alerts by mail; this wasn't me ends every session and requires a new password", async () => {
    const merchant = await newMerchant(app, sink);
    const firstLogin = await db.pool.query("SELECT alerted FROM sign_ins WHERE subject_id = $1", [merchant.userId]);
    assert.deepEqual(firstLogin.rows, [{ alerted: false }], "the first sign-in is not an alert");

    // The same browser (its device cookie) signs in again: no alert.
    clock.advance(1000);
    const cookieLogin = await app.inject({
      method: "POST",
      url: "/v1/console/login",
      headers: { "content-type": "application/json", "user-agent": windowsChrome },
      payload: { email: merchant.email, password: defaultPassword },
    });
    const device = deviceCookieOf(cookieLogin);
    clock.advance(1000);
    const sameBrowser = await new SessionClient(app).post(
      "/v1/console/login",
      { email: merchant.email, password: defaultPassword },
      { cookie: `coffer_device=${device}`, "user-agent": windowsChrome },
    );
    assert.equal(sameBrowser.statusCode, 200, sameBrowser.body);
    assert.equal(deviceCookieOf(sameBrowser), device);

    const stranger = new SessionClient(app);
    clock.advance(1000);
    const strangerLogin = await stranger.post(
      "/v1/console/login",
      { email: merchant.email, password: defaultPassword },
      { "user-agent": iPhone },
    );
    assert.equal(strangerLogin.statusCode, 200);
    const alert = await sink.waitFor(
      (m) => m.to.includes(merchant.email) && /New sign-in/.test(m.subject) && /iPhone/.test(m.text),
    );
    assert.match(alert.text, /iPhone · Safari/);
    const alerts = sink.mails.filter((m) => m.to.includes(merchant.email) && /New sign-in/.test(m.subject));
    assert.equal(alerts.length, 2, "the cookie-less login and the stranger's alerted; the same browser did not");

    const recent = await stranger.get("/v1/console/sign_ins?limit=1");
    assert.equal(recent.json().data[0].description, "iPhone · Safari");

    const token = consoleReportToken(alert.text);
    const reported = await app.inject({ method: "POST", url: "/v1/console/sign_in_reports", payload: { token } });
    assert.equal(reported.statusCode, 200, reported.body);
    assert.equal((await stranger.get("/v1/console/me")).statusCode, 401);
    assert.equal((await merchant.client.get("/v1/console/me")).statusCode, 401);
    const audit = await db.pool.query("SELECT action, merchant_id FROM audit_log WHERE actor_id = $1 ORDER BY seq", [
      merchant.userId,
    ]);
    assert.ok(audit.rows.some((r) => r.action === "sign_in.reported_not_me" && r.merchant_id === merchant.merchantId));

    const replay = await app.inject({ method: "POST", url: "/v1/console/sign_in_reports", payload: { token } });
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error.code, "link_invalid");

    const refused = await new SessionClient(app).post(
      "/v1/console/login",
      { email: merchant.email, password: defaultPassword },
      { cookie: `coffer_device=${device}` },
    );
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, "password_reset_required");

    await app.inject({ method: "POST", url: "/v1/console/password_reset", payload: { email: merchant.email } });
    const resetMail = await waitForMail(sink, merchant.email, /reset/i);
    const resetToken = /[?&]token=([A-Za-z0-9_%.-]+)/.exec(resetMail.text)?.[1];
    const confirmed = await app.inject({
      method: "POST",
      url: "/v1/console/password_reset/confirm",
      payload: { token: decodeURIComponent(resetToken ?? ""), password: newPassword },
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const back = await new SessionClient(app).post(
      "/v1/console/login",
      { email: merchant.email, password: newPassword },
      { cookie: `coffer_device=${device}` },
    );
    assert.equal(back.statusCode, 200, back.body);
  });
});
