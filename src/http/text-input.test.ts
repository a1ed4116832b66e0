import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";
import { findUnsafeText } from "./text-input.js";

/**
 * Text coffer cannot store faithfully — U+0000 (PostgreSQL refuses it in text) and lone UTF-16 surrogates (not
 * Unicode, so not UTF-8) — is refused by one rule for every route, wherever it comes: a JSON string or key, a path
 * parameter, a querystring value or a header. The answer is 400 parameter_invalid naming the parameter, and
 * nothing is written.
 */
describe("text input rule", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let key: string;

  before(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    services = createTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services });
    key = await issueTestApiKey(services, await insertTestMerchant(db.pool, "Careful Shop"));
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  const send = (method: "GET" | "POST", url: string, body?: string, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: body }),
    });

  async function assertRefused(response: Awaited<ReturnType<typeof send>>, param: string | null) {
    assert.equal(response.statusCode, 400, response.body);
    const { error } = response.json();
    assert.equal(error.code, "parameter_invalid", response.body);
    assert.equal(error.type, "invalid_request_error");
    assert.equal(error.param, param, response.body);
    assert.doesNotMatch(response.body, /22021|invalid byte sequence/);
    // The answer itself quotes no unsafe text back: a key is named with escapes.
    for (const value of Object.values(error)) assert.equal(findUnsafeText(value), undefined, response.body);
  }

  const payments = async () => (await db.pool.query("SELECT count(*)::int AS n FROM payments")).rows[0].n as number;

  it("refuses NUL and lone surrogates in JSON strings, nested values and keys", async () => {
    const cases: [string, string | null][] = [
      ['{"amount":"100","currency":"USD","method":"qr","description":"tea\\u0000"}', "description"],
      ['{"amount":"100","currency":"USD","method":"qr","description":"tea\\ud800"}', "description"],
      ['{"amount":"100","currency":"USD","method":"qr","description":"\\udfff tea"}', "description"],
      ['{"amount":"100","currency":"USD","method":"qr","metadata":{"order":"a\\u0000b"}}', "metadata.order"],
      ['{"amount":"100","currency":"USD","method":"qr","metadata":{"or\\u0000der":"ab"}}', "metadata.or\\u0000der"],
      ['{"amount":"100\\u0000","currency":"USD","method":"qr"}', "amount"],
      ['{"amount":"100","currency":"USD","method":"qr","extra\\ud800":1}', "extra\\ud800"],
    ];
    for (const [body, param] of cases) await assertRefused(await send("POST", "/v1/payments", body), param);
    assert.equal(await payments(), 0);
  });

  it("accepts well-formed odd text: emoji (surrogate pairs), right-to-left marks, other control characters", async () => {
    const body = JSON.stringify({
      amount: "100",
      currency: "USD",
      method: "qr",
      description: "🍵 \u200fشاي\u200f \u0001",
    });
    const response = await send("POST", "/v1/payments", body);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().description, "🍵 \u200fشاي\u200f \u0001");
  });

  it("refuses NUL in path ids and query cursors, encoded or not", async () => {
    await assertRefused(await send("GET", "/v1/payments/pay_%00"), "id");
    await assertRefused(await send("GET", "/v1/events/evt_%00abc"), "id");
    await assertRefused(await send("POST", "/v1/payments/pay_%00/cancel", "{}"), "id");
    await assertRefused(await send("GET", "/v1/events?starting_after=evt_%00"), "starting_after");
    await assertRefused(await send("GET", "/v1/payments?ending_before=%00"), "ending_before");
    await assertRefused(await send("GET", "/v1/events?related_object=pay_%00"), "related_object");
    await assertRefused(await send("GET", "/v1/events?type=payment.%00"), "type");
    await assertRefused(await send("GET", "/v1/events?ty%00pe=payment"), "ty\\u0000pe");
  });

  it("refuses NUL in header values", async () => {
    await assertRefused(await send("GET", "/v1/payments", undefined, { "user-agent": "probe\u0000" }), "user-agent");
  });

  it("finds the first unsafe string at any depth without recursion", () => {
    let deep: unknown = "fine";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.equal(findUnsafeText(deep), undefined);
    let bad: unknown = "x\u0000";
    for (let i = 0; i < 3; i++) bad = { inner: [bad] };
    assert.deepEqual(findUnsafeText(bad), {
      param: "inner[0].inner[0].inner[0]",
      problem: "nul",
      inKey: false,
    });
    assert.equal(findUnsafeText("🍵")?.problem, undefined);
    assert.equal(findUnsafeText("\ud83c")?.problem, "lone_surrogate");
  });
});
