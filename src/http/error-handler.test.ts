import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { capturingLogger } from "../../test/helpers/log-capture.js";
import type { App } from "../app.js";
import { httpBodyBytesMax } from "../limits.js";
import { amountSchema } from "./amount.js";
import { ApiError, errorCatalog } from "./errors.js";

/** Routes for this test only: enough surface to send bad input to. */
const testRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    "/test/orders",
    {
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 20 }),
            amount: amountSchema(),
            shipping: Type.Optional(
              Type.Object(
                { city: Type.String(), lines: Type.Array(Type.String({ maxLength: 5 })) },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ received: request.body }),
  );
  app.get(
    "/test/search",
    { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 5 }) }) } },
    async (request) => ({ query: request.query }),
  );
  app.get("/test/crash", async () => {
    throw new Error("connection to 10.0.0.7 refused: password=hunter2");
  });
  app.get("/test/refuse", async () => {
    throw new ApiError("resource_not_found", "No such order: ord_123.", "id");
  });
};

function assertErrorShape(body: unknown, code: string, requestId: unknown): void {
  const error = (body as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(body as object), ["error"]);
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "request_id", "type"]);
  assert.equal(error.code, code);
  assert.equal(error.type, errorCatalog[code as keyof typeof errorCatalog].type);
  assert.equal(typeof error.message, "string");
  assert.equal(error.request_id, requestId);
  assert.doesNotMatch(JSON.stringify(body), /at .*\.(ts|js):\d+|stack/i);
}

describe("error handling", () => {
  let db: TestDatabase;
  let app: App;
  const log = capturingLogger();

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool, routes: testRoutes, logger: log.logger });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  const post = (payload: string, contentType = "application/json") =>
    app.inject({ method: "POST", url: "/test/orders", headers: { "content-type": contentType }, payload });

  it("answers invalid JSON with invalid_json", async () => {
    const response = await post('{"name": "a", ');
    assert.equal(response.statusCode, 400);
    assertErrorShape(response.json(), "invalid_json", response.headers["request-id"]);
  });

  it("refuses prototype poisoning as invalid JSON", async () => {
    const response = await post('{"name": "a", "amount": "1", "__proto__": {"admin": true}}');
    assert.equal(response.statusCode, 400);
    assertErrorShape(response.json(), "invalid_json", response.headers["request-id"]);
  });

  it("answers a body that is not JSON with unsupported_media_type", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const response = await post("name=a&amount=1", contentType);
      assert.equal(response.statusCode, 415, contentType);
      assertErrorShape(response.json(), "unsupported_media_type", response.headers["request-id"]);
    }
  });

  it("answers a 2 MB body with body_too_large", async () => {
    const payload = JSON.stringify({ name: "a", amount: "1", pad: "x".repeat(2 * 1024 * 1024) });
    assert.ok(payload.length > httpBodyBytesMax);
    const response = await post(payload);
    assert.equal(response.statusCode, 413);
    assertErrorShape(response.json(), "body_too_large", response.headers["request-id"]);
  });

  it("answers an unknown route with route_not_found", async () => {
    const response = await app.inject({ method: "GET", url: "/v1/nothing-here?x=1" });
    assert.equal(response.statusCode, 404);
    assertErrorShape(response.json(), "route_not_found", response.headers["request-id"]);
    assert.match(response.json().error.message, /GET \/v1\/nothing-here/);
  });

  it("answers a malformed URL with request_malformed", async () => {
    const response = await app.inject({ method: "GET", url: "/test/search/%E0%A4%A" });
    assert.equal(response.statusCode, 400);
    assertErrorShape(response.json(), "request_malformed", response.headers["request-id"]);
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const response = await app.inject({ method: "DELETE", url: "/test/orders" });
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, "POST");
    assertErrorShape(response.json(), "method_not_allowed", response.headers["request-id"]);
  });

  it("names the field of a schema violation in param", async () => {
    const cases: { body: unknown; code: string; param: string | null }[] = [
      { body: { amount: "1" }, code: "parameter_missing", param: "name" },
      { body: { name: "", amount: "1" }, code: "parameter_invalid", param: "name" },
      { body: { name: 7, amount: "1" }, code: "parameter_invalid", param: "name" },
      { body: { name: "a", amount: "1", color: "red" }, code: "parameter_unknown", param: "color" },
      { body: { name: "a", amount: "1", shipping: { lines: [] } }, code: "parameter_missing", param: "shipping.city" },
      {
        body: { name: "a", amount: "1", shipping: { city: "B", lines: ["ok", "too long"] } },
        code: "parameter_invalid",
        param: "shipping.lines[1]",
      },
      { body: { name: "a", amount: "19.99" }, code: "amount_invalid", param: "amount" },
      { body: { name: "a", amount: -5 }, code: "amount_invalid", param: "amount" },
      { body: { name: "a", amount: "1e3" }, code: "amount_invalid", param: "amount" },
      { body: ["not", "an", "object"], code: "parameter_invalid", param: null },
    ];
    for (const c of cases) {
      const response = await post(JSON.stringify(c.body));
      assert.equal(response.statusCode, 400, JSON.stringify(c.body));
      assertErrorShape(response.json(), c.code, response.headers["request-id"]);
      assert.equal(response.json().error.param, c.param, JSON.stringify(c.body));
    }
  });

  it("keeps JSON types in bodies (no coercion) but coerces querystrings", async () => {
    const typed = await post(JSON.stringify({ name: 12, amount: "1" }));
    assert.equal(typed.statusCode, 400);
    const ok = await app.inject({ method: "GET", url: "/test/search?limit=3" });
    assert.deepEqual(ok.json(), { query: { limit: 3 } });
    const bad = await app.inject({ method: "GET", url: "/test/search?limit=9" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.param, "limit");
  });

  it("accepts a valid request", async () => {
    const response = await post(JSON.stringify({ name: "a", amount: "1999" }));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { received: { name: "a", amount: "1999" } });
  });

  it("passes an ApiError through with its code, message and param", async () => {
    const response = await app.inject({ method: "GET", url: "/test/refuse" });
    assert.equal(response.statusCode, 404);
    assertErrorShape(response.json(), "resource_not_found", response.headers["request-id"]);
    assert.equal(response.json().error.param, "id");
    assert.equal(response.json().error.message, "No such order: ord_123.");
  });

  it("hides internals of a 5xx and logs them with the request id", async () => {
    const response = await app.inject({ method: "GET", url: "/test/crash" });
    assert.equal(response.statusCode, 500);
    assertErrorShape(response.json(), "internal_error", response.headers["request-id"]);
    assert.doesNotMatch(response.body, /10\.0\.0\.7|hunter2|refused/);
    const logged = log
      .lines()
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === "request failed" && entry.request_id === response.headers["request-id"]);
    assert.ok(logged, "the failure is logged with the request id");
    assert.match(logged.err.message, /10\.0\.0\.7/);
  });

  it("answers bytes that are not HTTP in the same shape", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk;
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    const requestId = /Request-Id: (req_\w+)/.exec(raw)?.[1];
    assert.ok(requestId);
    assertErrorShape(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)), "request_malformed", requestId);
  });
});
