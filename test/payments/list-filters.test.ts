import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  newPaymentsMerchant,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";

/** The fields these tests read, of a payment, a list or an error answer. */
interface Answer {
  id: string;
  created: number;
  data: { id: string }[];
  has_more: boolean;
  error: { code: string };
}

/** GET /v1/payments narrows by status, method and a creation window; bad windows are refused, not guessed at. */
describe("payments list filters", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  const created: { id: string; at: number; method: string }[] = [];
  const dayS = 86_400;

  before(async () => {
    coffer = await startPaymentsCoffer({ start: "2026-04-01T08:00:00Z" });
    shop = await newPaymentsMerchant(coffer, "Window Shop");
    // One payment a day for four days, alternating methods.
    for (let day = 0; day < 4; day += 1) {
      const method = day % 2 === 0 ? "qr" : "checkout";
      const response = await call(`/v1/payments`, "POST", { amount: "500", currency: "USD", method });
      assert.equal(response.status, 201, JSON.stringify(response.json));
      created.push({ id: response.json.id, at: response.json.created, method });
      coffer.clock.advance(dayS * 1000);
    }
  });
  after(() => coffer.close());

  async function call(path: string, method = "GET", body?: unknown, version?: string) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(version ? { "coffer-version": version } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Answer };
  }

  const idsOf = (json: Answer) => json.data.map((p) => p.id).sort();

  it("keeps payments created in the created[gte|gt|lte|lt] window", async () => {
    const second = created[1]!;
    const third = created[2]!;
    const response = await call(`/v1/payments?created[gte]=${second.at}&created[lt]=${third.at + 1}`);
    assert.equal(response.status, 200);
    assert.deepEqual(idsOf(response.json), [second.id, third.id].sort());
    // The same window said with the other bounds: after the first, at or before the third.
    const same = await call(`/v1/payments?created[gt]=${created[0]!.at}&created[lte]=${third.at}`);
    assert.deepEqual(idsOf(same.json), [second.id, third.id].sort());
    const before = await call(`/v1/payments?created[lt]=${second.at}`);
    assert.deepEqual(idsOf(before.json), [created[0]!.id]);
    // Brackets percent-encoded, as URLSearchParams writes them, mean the same.
    const encoded = await call(`/v1/payments?${new URLSearchParams({ "created[lte]": String(created[0]!.at) })}`);
    assert.deepEqual(idsOf(encoded.json), [created[0]!.id]);
  });

  it("API version 2026-11-01 keeps created_gte and created_lt; later versions refuse them", async () => {
    const second = created[1]!;
    const old = await call(
      `/v1/payments?created_gte=${second.at}&created_lt=${second.at + 1}`,
      "GET",
      undefined,
      "2026-11-01",
    );
    assert.equal(old.status, 200);
    assert.deepEqual(idsOf(old.json), [second.id]);
    const latest = await call(`/v1/payments?created_gte=${second.at}`);
    assert.equal(latest.status, 400);
    assert.equal(latest.json.error.code, "parameter_unknown");
  });

  it("filters refunds, payouts, payment links and webhook endpoints by creation time the same way", async () => {
    for (const path of ["/v1/refunds", "/v1/payouts", "/v1/payment_links", "/v1/webhook_endpoints", "/v1/events"]) {
      const future = await call(`${path}?created[gt]=${created[3]!.at + dayS}`);
      assert.equal(future.status, 200, path);
      assert.deepEqual(future.json.data, [], path);
    }
    const events = await call(`/v1/events?created[gte]=${created[1]!.at}&created[lt]=${created[2]!.at}&limit=100`);
    assert.ok(events.json.data.length > 0);
    assert.ok(
      (events.json.data as unknown as { created: number }[]).every(
        (e) => e.created >= created[1]!.at && e.created < created[2]!.at,
      ),
    );
  });

  it("combines the window with the method filter and with paging", async () => {
    const response = await call(`/v1/payments?method=qr&created[gte]=${created[1]!.at}`);
    assert.deepEqual(idsOf(response.json), [created[2]!.id]);
    const first = await call(`/v1/payments?limit=1&created[gte]=${created[1]!.at}`);
    assert.equal(first.json.has_more, true);
    const next = await call(
      `/v1/payments?limit=2&created[gte]=${created[1]!.at}&starting_after=${first.json.data[0]!.id}`,
    );
    assert.equal(next.json.has_more, false);
    assert.deepEqual(
      [...idsOf(first.json), ...idsOf(next.json)].sort(),
      created
        .slice(1)
        .map((p) => p.id)
        .sort(),
    );
  });

  it("reads query integers as numbers, like limit: 1e3 is the second 1000", async () => {
    const response = await call("/v1/payments?created[lt]=1e3");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json.data, []);
  });

  it("refuses an empty or malformed window with parameter_invalid", async () => {
    const at = created[1]!.at;
    for (const query of [
      `created[gte]=${at}&created[lt]=${at}`,
      `created[gte]=${at + 10}&created[lt]=${at}`,
      `created[gt]=${at}&created[lte]=${at}`,
      "created[gte]=-1",
      "created[gt]=1.5",
      "created[lte]=yesterday",
      "created[lt]=9999999999999999999999",
    ]) {
      const response = await call(`/v1/payments?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json.error.code, "parameter_invalid", query);
    }
  });
});
