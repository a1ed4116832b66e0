import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Webhook } from "standardwebhooks";
import { createTestApp } from "../../test/helpers/app.js";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/helpers/webhook-receiver.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { Services } from "../runtime/services.js";
import { listenSigningSecret } from "./listen.js";

describe("coffer listen", () => {
  let db: TestDatabase;
  let services: Services;
  let app: FastifyInstance;
  let apiUrl: string;
  let receiver: WebhookReceiver;
  let merchant: string;
  let apiKey: string;

  before(async () => {
    db = await createTestDatabase();
    services = createTestServices({ pool: db.pool, masterKey: randomBytes(32) });
    app = await createTestApp({ pool: db.pool, services });
    apiUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    receiver = await startWebhookReceiver();
    merchant = await insertTestMerchant(db.pool);
    apiKey = await issueTestApiKey(services, merchant);
  });
  after(async () => {
    await receiver.stop();
    await app.close();
    await services.close();
    await db.drop();
  });

  it("forwards new test events to a local URL, signed with the secret it prints", async () => {
    const emit = (type: string, id: string) =>
      withTransaction(db.pool, (tx) =>
        recordEvent(tx, { type, merchantId: merchant, livemode: false, object: { id } }),
      );
    await emit("payment.succeeded", "pay_before_listen");
    const cli = runCli(
      [
        "listen",
        "--api-key",
        apiKey,
        "--forward-to",
        `${receiver.url}/webhooks`,
        "--api-url",
        apiUrl,
        "--events",
        "payment.*",
        "--interval-ms",
        "100",
      ],
      {},
    );
    try {
      for (let i = 0; i < 400 && !cli.stdout().includes("Ready!"); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(cli.stdout(), /Ready!/);
      const secret = listenSigningSecret(apiKey);
      assert.ok(cli.stdout().includes(`Your webhook signing secret is ${secret}`));
      await emit("payment.succeeded", "pay_1");
      await emit("refund.created", "re_1"); // filtered out
      await emit("payment.failed", "pay_2");
      for (let i = 0; i < 400 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const ids = receiver.received.map((w) => JSON.parse(w.body).data.object.id);
      assert.deepEqual(ids, ["pay_1", "pay_2"], "new events only, in order, filtered");
      const verifier = new Webhook(secret);
      for (const w of receiver.received) {
        verifier.verify(w.body, {
          "webhook-id": String(w.headers["webhook-id"]),
          "webhook-timestamp": String(w.headers["webhook-timestamp"]),
          "webhook-signature": String(w.headers["webhook-signature"]),
        });
      }
      for (let i = 0; i < 200 && !/\[200\].*payment\.failed/.test(cli.stdout()); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(cli.stdout(), /<-- \[200\] POST .*payment\.succeeded/);
    } finally {
      cli.child.kill("SIGINT");
      await cli.exited;
    }
  });

  it("finds coffer and the key from COFFER_API_URL and COFFER_API_KEY, like trigger", async () => {
    const cli = runCli(["listen", "--forward-to", `${receiver.url}/webhooks`], {
      COFFER_API_URL: apiUrl,
      COFFER_API_KEY: apiKey,
    });
    try {
      for (let i = 0; i < 400 && !cli.stdout().includes("Ready!"); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(cli.stdout(), /Ready!/);
    } finally {
      cli.child.kill("SIGINT");
      await cli.exited;
    }
  });

  it("uses PORT for the default API address and says so, without a stack trace, when nothing answers", async () => {
    const cli = runCli(["listen", "--api-key", apiKey, "--forward-to", `${receiver.url}/webhooks`], {
      PORT: "1",
      COFFER_API_URL: undefined,
    });
    const { code } = await cli.exited;
    assert.equal(code, 1);
    assert.match(cli.stderr(), /cannot reach coffer at http:\/\/127\.0\.0\.1:1 .*Is it running\?/);
    assert.doesNotMatch(cli.stderr(), /\n\s+at /, "no stack trace");
  });

  it("refuses live keys", async () => {
    const cli = runCli(["listen", "--api-key", "sk_live_abc", "--forward-to", "http://127.0.0.1:1/x"], {});
    const { code } = await cli.exited;
    assert.equal(code, 2);
    assert.match(cli.stderr(), /use a test-mode key/);
  });
});
