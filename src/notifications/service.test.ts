import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import { manualClock } from "../clock.js";
import { withTransaction } from "../db/tx.js";
import { devMailboxKeptMs } from "../limits.js";
import { createSecretBox, type SecretBox } from "../security/encryption.js";
import { purgeMessageContent } from "./housekeeping.js";
import { createNotificationService } from "./service.js";
import { defineTemplate, localeFromAcceptLanguage } from "./templates.js";
import { createSmtpTransport, devEmailTransport, devSmsTransport, type EmailTransport } from "./transports.js";

const receipt = defineTemplate({
  name: "test.receipt",
  subject: { en: "Your receipt from {{shop}}", "zh-CN": "{{shop}} 的收据" },
  text: {
    en: "You paid {{amount}} to {{shop}}.\n\nThank you.",
    "zh-CN": "您已向 {{shop}} 支付 {{amount}}。\n\n谢谢。",
  },
});

describe("outbound messages", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let secrets: SecretBox;

  before(async () => {
    db = await createTestDatabase();
    sink = await startSmtpSink();
    secrets = createSecretBox({ db: db.pool, masterKey: randomBytes(32) });
    await secrets.warm();
  });
  after(async () => {
    await sink.close();
    await db.drop();
  });

  it("sends through real SMTP after the commit, in English and in Chinese, with HTML escaped", async () => {
    const clock = manualClock();
    const smtp = createSmtpTransport(sink.url, "coffer <no-reply@coffer.test>");
    const messages = createNotificationService({
      pool: db.pool,
      clock,
      email: smtp,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    await withTransaction(db.pool, async (tx) => {
      await messages.enqueue(tx, {
        channel: "email",
        to: "en@example.com",
        template: receipt,
        locale: "en",
        vars: { shop: "Tea <House>", amount: "¥19.99" },
      });
      await messages.enqueue(tx, {
        channel: "email",
        to: "zh@example.com",
        template: receipt,
        locale: "zh-CN",
        vars: { shop: "茶馆", amount: "¥19.99" },
      });
    });
    assert.equal(await messages.deliverDue(), 2);
    const en = await sink.waitFor((m) => m.to.includes("en@example.com"));
    assert.equal(en.subject, "Your receipt from Tea <House>");
    assert.match(en.text, /You paid ¥19\.99 to Tea <House>\./);
    assert.match(en.html, /Tea &lt;House&gt;/);
    const zh = await sink.waitFor((m) => m.to.includes("zh@example.com"));
    assert.equal(zh.subject, "茶馆 的收据");
    assert.match(zh.text, /您已向 茶馆 支付 ¥19\.99。/);
    smtp.close?.();
  });

  it("writes nothing when the business transaction rolls back", async () => {
    const messages = createNotificationService({
      pool: db.pool,
      clock: manualClock(),
      email: devEmailTransport,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await messages.enqueue(tx, {
          channel: "email",
          to: "rollback@example.com",
          template: receipt,
          locale: "en",
          vars: { shop: "x", amount: "1" },
        });
        throw new Error("abort");
      }),
    );
    const rows = await db.pool.query("SELECT 1 FROM outbound_messages WHERE recipient = 'rollback@example.com'");
    assert.equal(rows.rowCount, 0);
  });

  it("keeps dev mail in the mailbox, deduplicates by key, and sends each message once across racing workers", async () => {
    const messages = createNotificationService({
      pool: db.pool,
      clock: manualClock(),
      email: devEmailTransport,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    for (let i = 0; i < 30; i++) {
      await messages.enqueue(db.pool, {
        channel: "sms",
        to: "+8613800000000",
        template: receipt,
        locale: "zh-CN",
        vars: { shop: "店", amount: String(i) },
      });
    }
    const first = await messages.enqueue(db.pool, {
      channel: "email",
      to: "dev@example.com",
      template: receipt,
      locale: "en",
      vars: { shop: "s", amount: "1" },
      dedupeKey: "reminder:pay_1",
    });
    const again = await messages.enqueue(db.pool, {
      channel: "email",
      to: "dev@example.com",
      template: receipt,
      locale: "en",
      vars: { shop: "s", amount: "1" },
      dedupeKey: "reminder:pay_1",
    });
    assert.ok(first);
    assert.equal(again, null);
    const sent = await Promise.all([
      messages.deliverDue(10),
      messages.deliverDue(10),
      messages.deliverDue(10),
      messages.deliverDue(10),
    ]);
    assert.equal(
      sent.reduce((a, b) => a + b, 0),
      31,
    );
    const sms = await messages.listDevMessages({ channel: "sms", to: "+8613800000000", limit: 100 });
    assert.equal(sms.length, 30);
    assert.ok(sms.every((m) => m.attempts === 1 && m.status === "sent"));
    assert.match(sms[0]!.text, /^店 的收据: 您已向 店 支付 29。/);
    const mail = await messages.listDevMessages({ channel: "email", to: "dev@example.com", limit: 10 });
    assert.equal(mail.length, 1);
  });

  it("retries a failing transport with backoff, then gives up", async () => {
    const clock = manualClock();
    let calls = 0;
    const broken: EmailTransport = {
      name: "smtp",
      send: async () => {
        calls++;
        throw new Error("connection refused");
      },
    };
    const messages = createNotificationService({
      pool: db.pool,
      clock,
      email: broken,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    const id = await messages.enqueue(db.pool, {
      channel: "email",
      to: "down@example.com",
      template: receipt,
      locale: "en",
      vars: { shop: "s", amount: "1" },
    });
    await messages.deliverDue();
    assert.equal(calls, 1);
    await messages.deliverDue();
    assert.equal(calls, 1, "not retried before its backoff");
    for (let attempt = 0; attempt < 20; attempt++) {
      clock.advance(24 * 60 * 60 * 1000);
      await messages.deliverDue();
    }
    const stored = await messages.getMessage(id!);
    assert.equal(stored?.status, "failed");
    assert.equal(stored?.attempts, 8);
    assert.equal(stored?.lastError, "connection refused");
  });

  it("keeps content only encrypted, and only until it is sent; the dev mailbox's copy and the undelivered go after a day", async () => {
    const clock = manualClock(new Date()); // created_at is the database's time
    const smtp = createSmtpTransport(sink.url, "coffer <no-reply@coffer.test>");
    const real = createNotificationService({
      pool: db.pool,
      clock,
      email: smtp,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    const broken: EmailTransport = { name: "smtp", send: async () => Promise.reject(new Error("relay down")) };
    const down = createNotificationService({
      pool: db.pool,
      clock,
      email: broken,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    const vars = { shop: "Keep Shop", amount: "secret-4711" };
    const mailed = await real.enqueue(db.pool, {
      channel: "email",
      to: "kept@example.com",
      template: receipt,
      locale: "en",
      vars,
    });
    const texted = await real.enqueue(db.pool, {
      channel: "sms",
      to: "+8613800000001",
      template: receipt,
      locale: "en",
      vars,
    });
    const contentOf = async (id: string | null) =>
      (await db.pool.query("SELECT t::text AS row, content_enc FROM outbound_messages t WHERE id = $1", [id])).rows[0];
    for (const id of [mailed, texted]) {
      const row = await contentOf(id);
      assert.match(row.content_enc, /^enc1\./);
      assert.ok(!row.row.includes("secret-4711"), "queued content is encrypted");
    }

    await real.deliverDue();
    await sink.waitFor((m) => m.to.includes("kept@example.com") && m.text.includes("secret-4711"));
    assert.equal((await contentOf(mailed)).content_enc, null, "sent mail keeps no content");
    assert.match((await contentOf(texted)).content_enc, /^enc1\./, "the dev outbox keeps its copy, encrypted");
    const [dev] = await real.listDevMessages({ channel: "sms", to: "+8613800000001", limit: 1 });
    assert.match(dev!.text, /secret-4711/);
    assert.equal((await real.getMessage(mailed!))?.status, "sent");

    const stuck = await down.enqueue(db.pool, {
      channel: "email",
      to: "stuck@example.com",
      template: receipt,
      locale: "en",
      vars,
    });
    await down.deliverDue(); // fails once, stays pending with its content for the next attempt
    assert.match((await contentOf(stuck)).content_enc, /^enc1\./);
    clock.advance(devMailboxKeptMs - 1);
    await purgeMessageContent(db.pool, clock.now());
    assert.match((await contentOf(texted)).content_enc, /^enc1\./, "kept for a day");
    assert.match((await contentOf(stuck)).content_enc, /^enc1\./, "retried for a day");
    clock.advance(60_000);
    assert.ok((await purgeMessageContent(db.pool, clock.now())) >= 2);
    assert.equal((await contentOf(texted)).content_enc, null);
    assert.deepEqual(await real.listDevMessages({ channel: "sms", to: "+8613800000001", limit: 1 }), []);
    const expired = await real.getMessage(stuck!);
    assert.equal(expired?.status, "failed", "an undelivered message is given up with its content");
    assert.equal((await contentOf(stuck)).content_enc, null);
    assert.equal(await down.deliverDue(), 0);
    smtp.close?.();
  });

  it("purges a message's content when its last attempt fails", async () => {
    const clock = manualClock();
    const broken: EmailTransport = { name: "smtp", send: async () => Promise.reject(new Error("no route")) };
    const messages = createNotificationService({
      pool: db.pool,
      clock,
      email: broken,
      sms: devSmsTransport,
      secrets,
      devMailbox: true,
    });
    const id = await messages.enqueue(db.pool, {
      channel: "email",
      to: "never@example.com",
      template: receipt,
      locale: "en",
      vars: { shop: "s", amount: "1" },
    });
    for (let attempt = 0; attempt < 20; attempt++) {
      await messages.deliverDue();
      clock.advance(24 * 60 * 60 * 1000);
    }
    assert.equal((await messages.getMessage(id!))?.status, "failed");
    const row = await db.pool.query("SELECT content_enc, body FROM outbound_messages WHERE id = $1", [id]);
    assert.deepEqual(row.rows[0], { content_enc: null, body: null });
  });

  it("picks the locale from Accept-Language", () => {
    assert.equal(localeFromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
    assert.equal(localeFromAcceptLanguage("en-US,en;q=0.9"), "en");
    assert.equal(localeFromAcceptLanguage("fr-FR, zh-Hans;q=0.5"), "zh-CN");
    assert.equal(localeFromAcceptLanguage(undefined), "en");
    assert.equal(localeFromAcceptLanguage("de"), "en");
  });
});
