import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { defaultPassword, tokenFromMail, uniqueEmail } from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

/**
 * Without SMTP_URL (the embedded default) mail is kept, and GET /v1/console/dev/mailbox shows it: a newcomer signs
 * up and clicks the link without any mail server.
 */
describe("dev mailbox", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const masterKey = randomBytes(32); // one database, one master key, for every coffer of this file

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    services = createTestServices({ pool: db.pool, masterKey });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  async function mailbox(query: string, remoteAddress?: string) {
    for (let i = 0; i < 100; i++) {
      const response = await app.inject({
        url: `/v1/console/dev/mailbox${query}`,
        ...(remoteAddress ? { remoteAddress } : {}),
      });
      if (response.statusCode !== 200 || response.json().data.length > 0) return response;
      await sleep(20); // delivery runs right after the commit, in the background
    }
    throw new Error("no mail arrived in the dev mailbox");
  }

  it("keeps the verification mail, in both languages, and its link works", async () => {
    const email = uniqueEmail("newcomer");
    const signup = await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      payload: { email, password: defaultPassword, business_name: "First Shop", locale: "en" },
    });
    assert.equal(signup.statusCode, 202);
    const listed = await mailbox(`?to=${encodeURIComponent(email)}`);
    assert.equal(listed.statusCode, 200, listed.body);
    const [mail] = listed.json().data;
    assert.equal(mail.template, "merchant.verify_email");
    assert.equal(mail.subject, "Verify your email address for First Shop");
    assert.match(mail.text, /http:\/\/localhost(:80)?\/console\/verify-email\?token=/);
    assert.match(mail.html, /<p>/);
    const verified = await app.inject({
      method: "POST",
      url: "/v1/console/verify_email",
      payload: { token: tokenFromMail(mail.text) },
    });
    assert.equal(verified.statusCode, 200);

    const chinese = uniqueEmail("xin");
    await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      headers: { "accept-language": "zh-Hans" },
      payload: { email: chinese, password: defaultPassword, business_name: "茶叶店" },
    });
    const zh = (await mailbox(`?to=${encodeURIComponent(chinese)}`)).json().data[0];
    assert.equal(zh.locale, "zh-CN");
    assert.equal(zh.subject, "验证 茶叶店 的邮箱地址");
  });

  it("is opened by COFFER_DEV_MAILBOX, never by the caller's address", async () => {
    const email = uniqueEmail("remote");
    await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      payload: { email, password: defaultPassword, business_name: "Remote Shop" },
    });
    // On (the development default): every caller sees the same mailbox, wherever it comes from.
    const local = (await mailbox(`?to=${encodeURIComponent(email)}`)).json().data;
    const remote = await mailbox(`?to=${encodeURIComponent(email)}`, "203.0.113.7");
    assert.equal(remote.statusCode, 200);
    assert.deepEqual(remote.json().data, local);

    // Off: no mailbox, not even for loopback, and the dev transports keep nothing to show.
    const closed = createTestServices({ pool: db.pool, masterKey, config: { devMailbox: false } });
    const closedApp = await createTestApp({ pool: db.pool, services: closed });
    try {
      for (const remoteAddress of ["127.0.0.1", "::1", "203.0.113.7"]) {
        const mail = await closedApp.inject({ url: "/v1/console/dev/mailbox", remoteAddress });
        assert.equal(mail.statusCode, 404);
        assert.equal(mail.json().error.code, "dev_mailbox_unavailable");
        const sms = await closedApp.inject({ url: "/v1/wallet/dev/sms_outbox", remoteAddress });
        assert.equal(sms.statusCode, 404);
      }
      const hidden = uniqueEmail("hidden");
      const signup = await closedApp.inject({
        method: "POST",
        url: "/v1/console/signup",
        payload: { email: hidden, password: defaultPassword, business_name: "Hidden Shop" },
      });
      assert.equal(signup.statusCode, 202, signup.body);
      await closed.notifications.deliverDue();
      for (let i = 0; i < 100; i++) {
        const row = await db.pool.query("SELECT status, content_enc FROM outbound_messages WHERE recipient = $1", [
          hidden,
        ]);
        if (row.rows[0]?.status === "sent") {
          assert.equal(row.rows[0].content_enc, null, "nothing is kept for a mailbox that is off");
          break;
        }
        assert.ok(i < 99, "the mail was never handed to the dev transport");
        await sleep(20);
      }
    } finally {
      await closedApp.close();
      await closed.close();
    }
  });

  it("does not exist when SMTP_URL is set", async () => {
    const smtpServices = createTestServices({ pool: db.pool, config: { smtpUrl: "smtp://127.0.0.1:9" } });
    const smtpApp = await createTestApp({ pool: db.pool, services: smtpServices });
    try {
      const response = await smtpApp.inject({ url: "/v1/console/dev/mailbox" });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, "dev_mailbox_unavailable");
    } finally {
      await smtpApp.close();
      await smtpServices.close();
    }
  });
});
