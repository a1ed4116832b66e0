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

  async function call(path: string, method = "GET", body?: unknown) {
    const response = await fetch(`${coffer.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Answer };
  }

  const idsOf = (json: Answer) => json.data.map((p) => p.id).sort();

  it("keeps payments created in [created_gte, created_lt)", async () => {
    const second = created[1]!;
    const third = created[2]!;
    const response = await call(`/v1/payments?created_gte=${second.at}&created_lt=${third.at + 1}`);
    assert.equal(response.status, 200);
    assert.deepEqual(idsOf(response.json), [second.id, third.id].sort());
    const before = await call(`/v1/payments?created_lt=${second.at}`);
    assert.deepEqual(idsOf(before.json), [created[0]!.id]);
  });

  it("combines the window with the method filter and with paging", async () => {
    const response = await call(`/v1/payments?method=qr&created_gte=${created[1]!.at}`);
    assert.deepEqual(idsOf(response.json), [created[2]!.id]);
    const first = await call(`/v1/payments?limit=1&created_gte=${created[1]!.at}`);
    assert.equal(first.json.has_more, true);
    const next = await call(
      `/v1/payments?limit=2&created_gte=${created[1]!.at}&starting_after=${first.json.data[0]!.id}`,
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
    const response = await call("/v1/payments?created_lt=1e3");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json.data, []);
  });

  it("refuses an empty or malformed window with parameter_invalid", async () => {
    const at = created[1]!.at;
    for (const query of [
      `created_gte=${at}&created_lt=${at}`,
      `created_gte=${at + 10}&created_lt=${at}`,
      "created_gte=-1",
      "created_gte=1.5",
      "created_gte=yesterday",
      "created_lt=9999999999999999999999",
    ]) {
      const response = await call(`/v1/payments?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json.error.code, "parameter_invalid", query);
    }
  });
});
