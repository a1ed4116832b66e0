import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { metadataKeysMax } from "../src/limits.js";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "./helpers/payments.js";

interface Answer {
  status: number;
  json: Record<string, unknown> & { metadata?: Record<string, string>; error?: { code: string; param: string } };
}

interface MerchantObject {
  /** What the object is, as its events name it. */
  name: string;
  /** Creates one with the given metadata; its id. */
  create(metadata: Record<string, string>): Promise<string>;
  /** Where updates go (and retrieves answer). */
  path(id: string): string;
  /** The event type an update sends. */
  updatedEvent: string;
}

/**
 * metadata on every object a merchant owns: given at creation, shown on retrieve, changed by merging updates ("" removes
 * a key), its limits checked on the result with nothing written when they are broken, another merchant's object as
 * unknown as a made-up id, and an `*.updated` event with the previous metadata for each change (none for no change).
 */
describe("metadata on merchant objects", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let rival: TestPaymentsMerchant;

  before(async () => {
    coffer = await startPaymentsCoffer({ start: new Date().toISOString() });
    shop = await newPaymentsMerchant(coffer, "Label Shop");
    rival = await newPaymentsMerchant(coffer, "Rival Shop");
    await setSettlementAccount(shop, "000111222333");
  });
  after(() => coffer.close());

  async function call(path: string, method = "GET", body?: unknown, key = shop.secretKey): Promise<Answer> {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Answer["json"] };
  }

  async function created(path: string, body: Record<string, unknown>): Promise<string> {
    const answer = await call(path, "POST", body);
    assert.equal(answer.status, 201, JSON.stringify(answer.json));
    return answer.json.id as string;
  }

  /** A succeeded payment of the sandbox's scripted payer: refunds need one. */
  async function paidPayment(amount = "1000"): Promise<string> {
    return created("/v1/payments", {
      amount,
      currency: "USD",
      method: "payment_code",
      payment_code: "880000000000000001",
    });
  }

  let storeId = "";
  const objects: MerchantObject[] = [
    {
      name: "payment",
      create: (metadata) => created("/v1/payments", { amount: "700", currency: "USD", method: "qr", metadata }),
      path: (id) => `/v1/payments/${id}`,
      updatedEvent: "payment.updated",
    },
    {
      name: "refund",
      create: async (metadata) => created("/v1/refunds", { payment: await paidPayment(), amount: "100", metadata }),
      path: (id) => `/v1/refunds/${id}`,
      updatedEvent: "refund.updated",
    },
    {
      name: "payout",
      create: async (metadata) => {
        await paidPayment("5000");
        return created("/v1/payouts", { amount: "100", currency: "USD", metadata });
      },
      path: (id) => `/v1/payouts/${id}`,
      updatedEvent: "payout.updated",
    },
    {
      name: "payment_link",
      create: (metadata) =>
        created("/v1/payment_links", { currency: "USD", amount_type: "fixed", unit_amount: "1500", metadata }),
      path: (id) => `/v1/payment_links/${id}`,
      updatedEvent: "payment_link.updated",
    },
    {
      name: "store",
      create: async (metadata) => {
        storeId = await created("/v1/stores", { name: "Main street", currency: "USD", metadata });
        return storeId;
      },
      path: (id) => `/v1/stores/${id}`,
      updatedEvent: "store.updated",
    },
    {
      name: "till",
      create: async (metadata) => {
        const store = storeId || (await created("/v1/stores", { name: "Till street", currency: "USD" }));
        return created(`/v1/stores/${store}/tills`, { name: "Counter 1", metadata });
      },
      path: (id) => `/v1/tills/${id}`,
      updatedEvent: "till.updated",
    },
    {
      name: "webhook_endpoint",
      create: (metadata) =>
        created("/v1/webhook_endpoints", {
          url: "http://127.0.0.1:9/hooks",
          enabled_events: ["payment.succeeded"],
          metadata,
        }),
      path: (id) => `/v1/webhook_endpoints/${id}`,
      updatedEvent: "webhook_endpoint.updated",
    },
  ];

  async function eventsOf(id: string, type: string) {
    const page = await call(`/v1/events?type=${type}&limit=100`);
    const data = page.json.data as {
      data: { object: { id: string }; previous_attributes?: Record<string, unknown> };
    }[];
    return data.filter((e) => e.data.object.id === id);
  }

  for (const object of objects) {
    it(`${object.name}: set at creation, merged by updates, "" removes a key, with ${object.updatedEvent}`, async () => {
      const id = await object.create({ order: "A-17", channel: "web" });
      const shown = await call(object.path(id));
      assert.equal(shown.status, 200, JSON.stringify(shown.json));
      assert.deepEqual(shown.json.metadata, { order: "A-17", channel: "web" });

      const updated = await call(object.path(id), "POST", { metadata: { channel: "", note: "gift wrap" } });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.deepEqual(updated.json.metadata, { order: "A-17", note: "gift wrap" });
      assert.deepEqual((await call(object.path(id))).json.metadata, { order: "A-17", note: "gift wrap" });

      const events = await eventsOf(id, object.updatedEvent);
      assert.equal(events.length, 1, `one ${object.updatedEvent}`);
      assert.deepEqual(events[0]!.data.previous_attributes?.metadata, { order: "A-17", channel: "web" });

      // The same update again changes nothing and sends nothing.
      const again = await call(object.path(id), "POST", { metadata: { note: "gift wrap" } });
      assert.equal(again.status, 200);
      assert.equal((await eventsOf(id, object.updatedEvent)).length, 1);
    });

    it(`${object.name}: an update past ${metadataKeysMax} keys is refused and writes nothing`, async () => {
      const id = await object.create({ first: "1" });
      const many = Object.fromEntries(Array.from({ length: metadataKeysMax }, (_, i) => [`k${i}`, "v"]));
      const refused = await call(object.path(id), "POST", { metadata: many });
      assert.equal(refused.status, 400, JSON.stringify(refused.json));
      assert.equal(refused.json.error?.code, "parameter_invalid");
      assert.deepEqual((await call(object.path(id))).json.metadata, { first: "1" });
      // Removing one key in the same update makes room.
      const fits = await call(object.path(id), "POST", { metadata: { ...many, first: "" } });
      assert.equal(fits.status, 200, JSON.stringify(fits.json));
      assert.equal(Object.keys(fits.json.metadata ?? {}).length, metadataKeysMax);
    });

    it(`${object.name}: another merchant's id is as unknown as a made-up one`, async () => {
      const id = await object.create({ secret: "ours" });
      const theirs = await call(object.path(id), "POST", { metadata: { secret: "" } }, rival.secretKey);
      const madeUp = await call(object.path(`${id.slice(0, -4)}ZZZZ`), "POST", { metadata: {} }, rival.secretKey);
      assert.equal(theirs.status, 404);
      assert.deepEqual(
        { ...theirs.json.error, request_id: undefined },
        { ...madeUp.json.error, request_id: undefined },
      );
      assert.deepEqual((await call(object.path(id))).json.metadata, { secret: "ours" });
    });
  }

  it("creation refuses bad metadata with parameter_invalid and creates nothing", async () => {
    const before = await call("/v1/refunds?limit=100");
    const payment = await paidPayment();
    for (const metadata of [{ "": "empty key" }, { ["k".repeat(41)]: "long key" }, { note: "v".repeat(501) }]) {
      const answer = await call("/v1/refunds", "POST", { payment, metadata });
      assert.equal(answer.status, 400, JSON.stringify(metadata));
    }
    const nested = await call("/v1/payouts", "POST", { amount: "1", currency: "USD", metadata: { a: { b: 1 } } });
    assert.equal(nested.status, 400);
    const afterList = await call("/v1/refunds?limit=100");
    assert.equal((afterList.json.data as unknown[]).length, (before.json.data as unknown[]).length);
  });
});
