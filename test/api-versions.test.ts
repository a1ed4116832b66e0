import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { apiVersionFirst, apiVersionLatest, apiVersions } from "../src/http/versioning.js";
import { dispatchEvents } from "../src/webhooks/dispatcher.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "./helpers/payments.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.js";

interface Answer {
  status: number;
  version: string | null;
  json: Record<string, unknown> & { error?: { code: string; param: string | null } };
}

/**
 * Dated API versions as an integration meets them: an account made before 2026-12-07 keeps the old behaviour until
 * its owner upgrades in the console, a request can name any version, and a webhook endpoint keeps its version's
 * events whatever the account's default becomes.
 */
describe("API versions", () => {
  let coffer: PaymentsCoffer;
  let legacy: TestPaymentsMerchant;
  let fresh: TestPaymentsMerchant;
  let receiver: WebhookReceiver;

  before(async () => {
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    fresh = await newPaymentsMerchant(coffer, "New Shop");
    legacy = await newPaymentsMerchant(coffer, "Old Shop");
    // As the API versions migration leaves an account made before versions could be chosen (its keys not used yet, so no
    // process remembers the old default).
    await coffer.db.pool.query("UPDATE merchants SET api_version = $2 WHERE id = $1", [
      legacy.merchantId,
      apiVersionFirst,
    ]);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.stop();
    await coffer.close();
  });

  async function call(
    shop: TestPaymentsMerchant,
    path: string,
    options: { method?: string; body?: unknown; version?: string } = {},
  ): Promise<Answer> {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method: options.method ?? "GET",
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(options.version ? { "coffer-version": options.version } : {}),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return {
      status: response.status,
      version: response.headers.get("coffer-version"),
      json: (await response.json()) as Answer["json"],
    };
  }

  const endpointBody = () => ({ url: `${receiver.url}/hooks`, enabled_events: ["payment.*"] });

  it("lists every version with its changes, to anyone", async () => {
    const response = await fetch(`${coffer.baseUrl}/v1/versions`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { latest: string; data: { version: string; changes: unknown[] }[] };
    assert.equal(body.latest, apiVersionLatest);
    assert.deepEqual(
      body.data.map((r) => r.version),
      [...apiVersions],
    );
    assert.ok(body.data.at(-1)!.changes.length > 0);
  });

  it("answers a new account's keys in the latest version, an older account's in its own", async () => {
    const mine = await call(fresh, "/v1/account");
    assert.equal(mine.version, apiVersionLatest);
    assert.equal(mine.json.api_version, apiVersionLatest);
    const old = await call(legacy, "/v1/account");
    assert.equal(old.version, apiVersionFirst);
    assert.equal(old.json.api_version, apiVersionFirst);
    // A request that names a version is answered in it, whatever the account's default.
    assert.equal((await call(legacy, "/v1/account", { version: apiVersionLatest })).version, apiVersionLatest);
    assert.equal((await call(fresh, "/v1/account", { version: apiVersionFirst })).version, apiVersionFirst);
  });

  it("2026-11-01 keeps its behaviour: webhook create answers 200, retrieve ignores unknown query parameters", async () => {
    const created = await call(legacy, "/v1/webhook_endpoints", { method: "POST", body: endpointBody() });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    assert.equal(created.json.api_version, apiVersionFirst);
    const read = await call(legacy, `/v1/webhook_endpoints/${created.json.id}?expand[]=nothing&colour=red`);
    assert.equal(read.status, 200, JSON.stringify(read.json));
    const listed = await call(legacy, "/v1/payments?created_gte=1&created_lt=9999999999");
    assert.equal(listed.status, 200, JSON.stringify(listed.json));
  });

  it("2026-12-07: webhook create answers 201, unknown query parameters and expand are refused", async () => {
    const created = await call(fresh, "/v1/webhook_endpoints", { method: "POST", body: endpointBody() });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.api_version, apiVersionLatest);
    for (const [query, param] of [
      ["colour=red", "colour"],
      ["expand[]=payment", "expand[]"],
      ["expand=payment", "expand"],
    ]) {
      const read = await call(fresh, `/v1/webhook_endpoints/${created.json.id}?${query}`);
      assert.equal(read.status, 400, query);
      assert.equal(read.json.error?.code, "parameter_unknown", query);
      assert.equal(read.json.error?.param, param, query);
    }
    for (const legacyFilter of ["created_gte=1", "created_lt=9999999999"]) {
      const listed = await call(fresh, `/v1/payments?${legacyFilter}`);
      assert.equal(listed.status, 400, legacyFilter);
      assert.equal(listed.json.error?.code, "parameter_unknown", legacyFilter);
    }
    // Nothing was written by the refused requests: the endpoint count is what the creates made.
    const endpoints = await call(fresh, "/v1/webhook_endpoints");
    assert.equal((endpoints.json.data as unknown[]).length, 1);
  });

  it("shows the console what an upgrade changes, upgrades forward only, and audits it", async () => {
    const shown = await legacy.console.get("/v1/console/api_version");
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().version, apiVersionFirst);
    assert.deepEqual(
      shown.json().upgrade_changes.map((r: { version: string }) => r.version),
      apiVersions.slice(1),
    );

    for (const bad of [{ version: "2027-01-01" }, { version: "" }, {}, { version: apiVersionLatest, extra: 1 }]) {
      const refused = await legacy.console.post("/v1/console/api_version", bad);
      assert.equal(refused.statusCode, 400, JSON.stringify(bad));
    }
    assert.equal((await call(legacy, "/v1/account")).version, apiVersionFirst, "a refused upgrade changes nothing");

    const upgraded = await legacy.console.post("/v1/console/api_version", { version: apiVersionLatest });
    assert.equal(upgraded.statusCode, 200, upgraded.body);
    assert.equal(upgraded.json().version, apiVersionLatest);
    assert.deepEqual(upgraded.json().upgrade_changes, []);
    // This process forgot the keys' old default at once.
    assert.equal((await call(legacy, "/v1/account")).version, apiVersionLatest);

    for (const version of [apiVersionLatest, apiVersionFirst]) {
      const again = await legacy.console.post("/v1/console/api_version", { version });
      assert.equal(again.statusCode, 409, version);
      assert.equal(again.json().error.code, "api_version_not_newer");
    }
    const audit = await legacy.console.get("/v1/console/audit_log?limit=20");
    const record = audit.json().data.find((r: { action: string }) => r.action === "account.api_version_upgraded") as
      | { details: { from: string; to: string } }
      | undefined;
    assert.deepEqual(record?.details, { from: apiVersionFirst, to: apiVersionLatest });
  });

  it("writes a webhook endpoint's events in its pinned version after the account upgraded", async () => {
    // The legacy account's endpoint was made in 2026-11-01 and the account is now on the latest.
    const endpoints = await call(legacy, "/v1/webhook_endpoints");
    const endpoint = (endpoints.json.data as { id: string; api_version: string }[])[0]!;
    assert.equal(endpoint.api_version, apiVersionFirst);
    const rotated = await call(legacy, `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, {
      method: "POST",
      body: { expires_in: 0 },
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.json));

    receiver.received.length = 0;
    const payment = await call(legacy, "/v1/payments", {
      method: "POST",
      body: { amount: "700", currency: "USD", method: "qr" },
    });
    assert.equal(payment.status, 201);
    await dispatchEvents(coffer.db.pool, coffer.clock);
    while ((await coffer.services.webhookDelivery.deliverDue()) > 0);
    const verifier = new Webhook(String(rotated.json.secret));
    const delivered = receiver.received.map(
      (w) =>
        verifier.verify(w.body, {
          "webhook-id": String(w.headers["webhook-id"]),
          "webhook-timestamp": String(w.headers["webhook-timestamp"]),
          "webhook-signature": String(w.headers["webhook-signature"]),
        }) as { type: string; api_version: string; data: { object: { id: string } } },
    );
    const created = delivered.find((e) => e.type === "payment.created" && e.data.object.id === payment.json.id);
    assert.ok(created, JSON.stringify(delivered.map((e) => e.type)));
    assert.equal(created.api_version, apiVersionFirst);

    // Moving the endpoint to the latest version is an update like any other.
    const moved = await call(legacy, `/v1/webhook_endpoints/${endpoint.id}`, {
      method: "POST",
      body: { api_version: apiVersionLatest },
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.json));
    assert.equal(moved.json.api_version, apiVersionLatest);
    const unknown = await call(legacy, `/v1/webhook_endpoints/${endpoint.id}`, {
      method: "POST",
      body: { api_version: "2020-01-01" },
    });
    assert.equal(unknown.status, 400);
  });

  it("another merchant's endpoint is not found, whatever the version", async () => {
    const theirs = await call(legacy, "/v1/webhook_endpoints");
    const id = (theirs.json.data as { id: string }[])[0]!.id;
    for (const version of apiVersions) {
      const read = await call(fresh, `/v1/webhook_endpoints/${id}`, { version });
      assert.equal(read.status, 404, version);
    }
  });
});
