import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { defaultPassword, SessionClient, tokenFromMail, uniqueEmail } from "../../test/helpers/merchant-console.js";
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

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    services = createTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  async function mailbox(query: string, remoteAddress?: string, client?: SessionClient) {
    for (let i = 0; i < 100; i++) {
      const response = client
        ? await client.get(`/v1/console/dev/mailbox${query}`)
        : await app.inject({ url: `/v1/console/dev/mailbox${query}`, ...(remoteAddress ? { remoteAddress } : {}) });
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

  it("shows all mail to local callers only; a signed-in user elsewhere sees their own", async () => {
    const away = await app.inject({ url: "/v1/console/dev/mailbox", remoteAddress: "203.0.113.7" });
    assert.equal(away.statusCode, 404);
    assert.equal(away.json().error.code, "dev_mailbox_unavailable");

    const email = uniqueEmail("remote");
    await app.inject({
      method: "POST",
      url: "/v1/console/signup",
      payload: { email, password: defaultPassword, business_name: "Remote Shop" },
    });
    const local = (await mailbox(`?to=${encodeURIComponent(email)}`)).json().data[0];
    await app.inject({
      method: "POST",
      url: "/v1/console/verify_email",
      payload: { token: tokenFromMail(local.text) },
    });
    const client = new SessionClient(app);
    assert.equal((await client.post("/v1/console/login", { email, password: defaultPassword })).statusCode, 200);
    const remote = await app.inject({
      url: "/v1/console/dev/mailbox?to=someone-else@example.com",
      remoteAddress: "203.0.113.7",
      headers: { cookie: `coffer_console=${client.cookie}` },
    });
    assert.equal(remote.statusCode, 200);
    assert.ok(remote.json().data.length > 0);
    assert.ok(remote.json().data.every((m: { to: string }) => m.to === email));
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
