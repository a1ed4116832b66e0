import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  defaultPassword,
  enableTotp,
  newMerchant,
  SessionClient,
  samplePdf,
  samplePng,
  type TestMerchant,
  tokenFromMail,
  uniqueEmail,
  uploadDocument,
  waitForMail,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { documentBytesMax } from "../limits.js";
import type { Services } from "../runtime/services.js";
import { totpCodeAt } from "../security/totp.js";

/**
 * Bad input answers with a documented code and writes nothing: malformed emails, weak passwords, oversized or
 * wrong-type documents, invalid KYB fields, replayed TOTP codes, expired links, missing CSRF headers.
 */
const tables = [
  "merchants",
  "merchant_users",
  "merchant_members",
  "api_keys",
  "kyb_applications",
  "kyb_documents",
  "kyb_state_changes",
  "console_sessions",
  "email_links",
  "team_invites",
  "outbound_messages",
  "events",
  "console_rate_limits",
];

describe("bad input", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let merchant: TestMerchant;

  /** A fingerprint of every table: row counts and the newest change, so "nothing written" is checkable. */
  async function snapshot(): Promise<string> {
    const parts: string[] = [];
    for (const table of tables) {
      // Mail rows change state as they are sent in the background: for them, which rows exist is what counts.
      const row = table === "outbound_messages" ? "t.id" : "t::text";
      const result = await db.pool.query(
        `SELECT md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS h FROM ${table} t`,
      );
      parts.push(`${table}:${result.rows[0].h}`);
    }
    return parts.join("\n");
  }

  async function assertNothingWritten(action: () => Promise<void>) {
    const beforeState = await snapshot();
    await action();
    assert.equal(await snapshot(), beforeState, "nothing was written");
  }

  const expectError = (
    response: { statusCode: number; json(): { error: { code: string; param: string | null } } },
    status: number,
    code: string,
  ) => {
    assert.equal(response.statusCode, status, JSON.stringify(response.json()));
    assert.equal(response.json().error.code, code);
  };

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    merchant = await newMerchant(app, sink, "Careful Shop");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const signup = (payload: Record<string, unknown>) =>
    app.inject({
      method: "POST",
      url: "/v1/console/signup",
      payload: { email: uniqueEmail("x"), password: defaultPassword, business_name: "Shop", ...payload },
    });

  it("refuses malformed email addresses with email_invalid", async () => {
    await assertNothingWritten(async () => {
      for (const email of [
        "plain",
        "@example.com",
        "a@",
        "a b@example.com",
        "a@example",
        "a@-x.com",
        "<a@b.com>",
        "a@b..com",
      ]) {
        const response = await signup({ email });
        expectError(response, 400, "email_invalid");
        assert.equal(response.json().error.param, "email");
      }
      expectError(await signup({ email: `${"a".repeat(300)}@example.com` }), 400, "parameter_invalid");
      expectError(
        await app.inject({ method: "POST", url: "/v1/console/password_reset", payload: { email: "nope" } }),
        400,
        "email_invalid",
      );
    });
  });

  it("refuses weak passwords with their codes", async () => {
    await assertNothingWritten(async () => {
      expectError(await signup({ password: "short" }), 400, "password_too_short");
      expectError(await signup({ password: "password123" }), 400, "password_too_common");
      expectError(await signup({ password: "aaaaaaaaaaaaaaa" }), 400, "password_too_common");
      expectError(
        await signup({ email: "mei.lin@example.com", password: "mei.lin-is-great" }),
        400,
        "password_too_common",
      );
      expectError(await signup({ password: "x".repeat(257) }), 400, "parameter_invalid");
      expectError(await signup({ business_name: "   " }), 400, "parameter_invalid");
      expectError(await signup({ extra: 1 }), 400, "parameter_unknown");
    });
  });

  it("refuses oversized, wrong-type and disguised documents", async () => {
    const { client } = merchant;
    await assertNothingWritten(async () => {
      const upload = (body: Record<string, unknown>) =>
        client.post("/v1/console/kyb/documents", {
          type: "business_licence",
          content_type: "application/pdf",
          content_base64: samplePdf.toString("base64"),
          ...body,
        });
      expectError(await upload({ content_type: "image/gif" }), 415, "document_type_unsupported");
      expectError(await upload({ content_type: "text/html" }), 415, "document_type_unsupported");
      expectError(
        await upload({ content_type: "image/png", content_base64: samplePdf.toString("base64") }),
        400,
        "document_content_mismatch",
      );
      expectError(
        await upload({ content_base64: Buffer.from("<html><script>alert(1)</script></html>").toString("base64") }),
        400,
        "document_content_mismatch",
      );
      expectError(await upload({ content_base64: "not base64!" }), 400, "document_content_invalid");
      expectError(await upload({ content_base64: "" }), 400, "document_content_invalid");
      const tooBig = Buffer.concat([samplePdf, Buffer.alloc(documentBytesMax + 1 - samplePdf.length)]);
      expectError(await upload({ content_base64: tooBig.toString("base64") }), 413, "document_too_large");
      const wayTooBig = Buffer.alloc(documentBytesMax * 2);
      expectError(await upload({ content_base64: wayTooBig.toString("base64") }), 413, "body_too_large");
      expectError(await upload({ type: "passport" }), 400, "parameter_invalid");
    });
    assert.equal((await uploadDocument(client, "representative_id", samplePng, "image/png")).statusCode, 201);
  });

  it("refuses invalid KYB fields", async () => {
    const { client } = merchant;
    await assertNothingWritten(async () => {
      const put = (body: Record<string, unknown>) => client.put("/v1/console/kyb", body);
      expectError(await put({ country: "China" }), 400, "parameter_invalid");
      expectError(await put({ country: "c1" }), 400, "kyb_field_invalid");
      expectError(await put({ website: "javascript:alert(1)" }), 400, "kyb_field_invalid");
      expectError(await put({ bank_account: { account_number: "12;DROP" } }), 400, "kyb_field_invalid");
      expectError(await put({ representative: { id_number: "1" } }), 400, "kyb_field_invalid");
      expectError(await put({ registered_address: { line1: " ", city: "X" } }), 400, "kyb_field_invalid");
      expectError(await put({ business_category: "weapons" }), 400, "parameter_invalid");
    });
  });

  it("refuses unsafe requests without the CSRF header", async () => {
    const forged = new SessionClient(app);
    forged.cookie = merchant.client.cookie;
    await assertNothingWritten(async () => {
      expectError(await forged.post("/v1/console/api_keys", { type: "secret" }), 403, "csrf_token_invalid");
      expectError(
        await forged.post("/v1/console/api_keys", { type: "secret" }, { "x-csrf-token": "guessed" }),
        403,
        "csrf_token_invalid",
      );
      expectError(await forged.put("/v1/console/kyb", { legal_name: "Evil" }), 403, "csrf_token_invalid");
    });
    assert.equal((await forged.get("/v1/console/me")).statusCode, 200, "reads need no CSRF header");
  });

  it("refuses a replayed TOTP code, at sign-in and when turning TOTP off", async () => {
    const m = await newMerchant(app, sink, "TOTP Shop");
    const secret = await enableTotp(m.client, clock);
    const code = await totpCodeAt(secret, clock.now());
    const first = new SessionClient(app);
    assert.equal(
      (await first.post("/v1/console/login", { email: m.email, password: m.password, totp_code: code })).statusCode,
      200,
    );
    const sessionsBefore = (await db.pool.query("SELECT count(*)::int AS n FROM console_sessions")).rows[0].n;
    const replay = await new SessionClient(app).post("/v1/console/login", {
      email: m.email,
      password: m.password,
      totp_code: code,
    });
    expectError(replay, 400, "totp_replayed");
    expectError(
      await new SessionClient(app).post("/v1/console/login", {
        email: m.email,
        password: m.password,
        totp_code: "000000",
      }),
      400,
      "totp_invalid",
    );
    assert.equal(
      (await db.pool.query("SELECT count(*)::int AS n FROM console_sessions")).rows[0].n,
      sessionsBefore,
      "no session",
    );
    const off = await first.post("/v1/console/2fa/totp/disable", { code });
    expectError(off, 400, "totp_replayed");
    assert.equal((await first.get("/v1/console/me")).json().user.two_factor.totp, true, "still on");
    clock.advance(30_000);
    const fresh = await totpCodeAt(secret, clock.now());
    assert.equal((await first.post("/v1/console/2fa/totp/disable", { code: fresh })).statusCode, 200);
  });

  it("refuses expired links and leaves everything as it was", async () => {
    const email = uniqueEmail("late");
    assert.equal((await signup({ email })).statusCode, 202);
    const verifyMail = await waitForMail(sink, email, /Verify your email/);
    clock.advance(24 * 60 * 60 * 1000 + 1);
    await assertNothingWritten(async () => {
      const late = await app.inject({
        method: "POST",
        url: "/v1/console/verify_email",
        payload: { token: tokenFromMail(verifyMail.text) },
      });
      expectError(late, 410, "link_expired");
      expectError(
        await app.inject({ method: "POST", url: "/v1/console/verify_email", payload: { token: "made-up" } }),
        400,
        "link_invalid",
      );
    });

    assert.equal(
      (await app.inject({ method: "POST", url: "/v1/console/password_reset", payload: { email: merchant.email } }))
        .statusCode,
      202,
    );
    const resetMail = await waitForMail(sink, merchant.email, /Reset your coffer password/);
    clock.advance(60 * 60 * 1000 + 1);
    await assertNothingWritten(async () => {
      const late = await app.inject({
        method: "POST",
        url: "/v1/console/password_reset/confirm",
        payload: { token: tokenFromMail(resetMail.text), password: "a brand new passphrase" },
      });
      expectError(late, 410, "link_expired");
    });

    const inviteEmail = uniqueEmail("slow");
    const fresh = new SessionClient(app);
    assert.equal(
      (await fresh.post("/v1/console/login", { email: merchant.email, password: merchant.password })).statusCode,
      200,
    );
    assert.equal(
      (await fresh.post("/v1/console/team/invites", { email: inviteEmail, role: "viewer" })).statusCode,
      201,
    );
    const inviteMail = await waitForMail(sink, inviteEmail, /invited you/);
    clock.advance(7 * 24 * 60 * 60 * 1000 + 1);
    await assertNothingWritten(async () => {
      const late = await app.inject({
        method: "POST",
        url: "/v1/console/team/invites/accept",
        payload: { token: tokenFromMail(inviteMail.text), password: defaultPassword },
      });
      expectError(late, 410, "link_expired");
    });
    merchant = await newMerchant(app, sink, "Careful Shop 2"); // the old sessions are past their expiry now
  });

  it("locks an account after 10 failed sign-ins for 30 minutes; a password reset unlocks it", async () => {
    const m = await newMerchant(app, sink, "Locked Shop");
    const attempt = (password: string) =>
      new SessionClient(app).post("/v1/console/login", { email: m.email, password });
    for (let i = 0; i < 10; i++) expectError(await attempt(`wrong password ${i}`), 401, "login_failed");
    expectError(await attempt(m.password), 403, "account_locked");
    clock.advance(29 * 60 * 1000);
    expectError(await attempt(m.password), 403, "account_locked");
    clock.advance(60 * 1000 + 1);
    assert.equal((await attempt(m.password)).statusCode, 200);

    const parallel = await Promise.all(Array.from({ length: 25 }, (_, i) => attempt(`parallel guess ${i}`)));
    const guessed = parallel.filter((r) => r.json().error?.code === "login_failed").length;
    assert.ok(guessed <= 10, `at most 10 guesses were checked, not ${guessed}`);
    expectError(await attempt(m.password), 403, "account_locked");

    await app.inject({ method: "POST", url: "/v1/console/password_reset", payload: { email: m.email } });
    const mail = await waitForMail(sink, m.email, /Reset your coffer password/);
    const reset = await app.inject({
      method: "POST",
      url: "/v1/console/password_reset/confirm",
      payload: { token: tokenFromMail(mail.text), password: "another long passphrase" },
    });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((await attempt("another long passphrase")).statusCode, 200);
    const failed = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'console.login_failed' AND details->>'email' = $1",
      [m.email],
    );
    assert.ok(failed.rows[0].n >= 10, "failed sign-ins are audited");
  });
});
