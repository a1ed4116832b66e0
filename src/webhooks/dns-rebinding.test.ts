import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/helpers/webhook-receiver.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { Services } from "../runtime/services.js";
import { dispatchEvents } from "./dispatcher.js";

/**
 * The SSRF guard at send time: a webhook host name is resolved again before every attempt, every answer is
 * checked, and the connection goes to the address that was checked, never to a second DNS answer.
 */
describe("webhook delivery under DNS rebinding", () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  // The two coffers below are processes of one deployment: they share the master key of its data keys.
  const masterKey = randomBytes(32);
  /** The attacker's DNS server: what each name answers right now. */
  const answers = new Map<string, string[]>();
  const resolve = async (host: string) => {
    const found = answers.get(host);
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.stop();
    await db.drop();
  });

  async function withCoffer(
    localTargets: "none" | "test",
    run: (s: { app: FastifyInstance; services: Services; merchant: string; key: string }) => Promise<void>,
  ) {
    const services = createTestServices({
      pool: db.pool,
      config: { webhookLocalTargets: localTargets },
      resolve,
      masterKey,
    });
    const app = await createTestApp({ pool: db.pool, services });
    try {
      const merchant = await insertTestMerchant(db.pool, `Rebind ${localTargets}`);
      const key = await issueTestApiKey(services, merchant, { livemode: false });
      await run({ app, services, merchant, key });
    } finally {
      await app.close();
      await services.close();
    }
  }

  async function createEndpoint(app: FastifyInstance, key: string, url: string) {
    const response = await app.inject({
      method: "POST",
      url: "/v1/webhook_endpoints",
      headers: { authorization: `Bearer ${key}` },
      payload: { url, enabled_events: ["payment.*"] },
    });
    assert.equal(response.statusCode, 200, response.body);
  }

  async function emitAndDeliver(services: Services, merchant: string, id: string) {
    const event = await withTransaction(db.pool, (tx) =>
      recordEvent(
        tx,
        { type: "payment.succeeded", merchantId: merchant, livemode: false, object: { id } },
        services.clock.now(),
      ),
    );
    await dispatchEvents(db.pool, services.clock);
    await services.webhookDelivery.deliverDue();
    const attempt = await db.pool.query<{ status_code: number | null; error: string | null }>(
      `SELECT a.status_code, a.error FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
       WHERE d.event_id = $1 ORDER BY a.seq DESC LIMIT 1`,
      [event.id],
    );
    return attempt.rows[0];
  }

  it("connects to the address it checked, not to a second lookup of the name", async () => {
    // The system resolver does not know this name: the delivery can only arrive through the checked address.
    answers.set("pinned.rebind.example", ["127.0.0.1"]);
    await withCoffer("test", async ({ app, services, merchant, key }) => {
      await createEndpoint(app, key, `http://pinned.rebind.example:${receiver.port}/hook`);
      receiver.received.length = 0;
      const attempt = await emitAndDeliver(services, merchant, "pay_pinned");
      assert.equal(attempt?.status_code, 200, attempt?.error ?? "");
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.headers.host, `pinned.rebind.example:${receiver.port}`);
    });
  });

  it("refuses to send when the name now resolves to an internal address, in any form", async () => {
    answers.set("shop.rebind.example", ["93.184.216.34"]);
    await withCoffer("none", async ({ app, services, merchant, key }) => {
      await createEndpoint(app, key, `http://shop.rebind.example:${receiver.port}/hook`);
      receiver.received.length = 0;
      for (const internal of [
        ["127.0.0.1"],
        ["93.184.216.34", "10.0.0.7"],
        ["::ffff:127.0.0.1"],
        ["::7f00:1"],
        ["::ffff:0:7f00:1"],
        ["64:ff9b::a9fe:a9fe"],
        ["2002:7f00:1::1"],
        ["fd00::1"],
      ]) {
        answers.set("shop.rebind.example", internal);
        const attempt = await emitAndDeliver(services, merchant, `pay_${internal.join("_")}`);
        assert.equal(attempt?.status_code, null, internal.join(", "));
        assert.match(attempt?.error ?? "", /^url refused: .* is not a public address$/, internal.join(", "));
      }
      assert.equal(receiver.received.length, 0, "nothing reached the internal receiver");
    });
  });
});
