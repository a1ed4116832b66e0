import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { apiVersion } from "../../sdk/src/generated.js";
import {
  ApiError,
  Coffer,
  type CofferOptions,
  ConnectionError,
  IdempotencyError,
  InvalidRequestError,
  RateLimitError,
} from "../../sdk/src/index.js";
import { Transport } from "../../sdk/src/transport.js";

/**
 * Retries, timeouts and error typing against a tiny local HTTP server that answers what each test scripts: the
 * failures a real coffer rarely produces on demand (503, 429, stalls, a proxy's HTML page).
 */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | "stall";

const errorBody = (type: string, code: string, param: string | null = null) => ({
  error: { type, code, message: `${code} happened`, param, request_id: "req_from_body" },
});
const endpoint = { id: "we_1", object: "webhook_endpoint" };

describe("SDK retries and errors against a scripted server", () => {
  let server: http.Server;
  let baseUrl: string;
  let script: Answer[];
  let seen: Seen[];
  const stalled: http.ServerResponse[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        seen.push({
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body,
          at: Date.now(),
        });
        const answer = script.shift() ?? { status: 200, body: endpoint };
        if (answer === "stall") return void stalled.push(response);
        const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
        response.writeHead(answer.status, {
          "content-type": "application/json",
          "request-id": "req_from_header",
          ...answer.headers,
        });
        response.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    script = [];
    seen = [];
  });
  after(async () => {
    for (const response of stalled) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const coffer = (options: CofferOptions = {}) => new Coffer("sk_test_scripted", { baseUrl, ...options });
  const create = (client = coffer()) =>
    client.webhookEndpoints.create({ url: "https://shop.example/hooks", enabled_events: ["*"] });

  it("sends the key, the pinned version and one Idempotency-Key that every retry of a POST reuses", async () => {
    script = [{ status: 503, body: errorBody("api_error", "service_unavailable"), headers: { "retry-after": "0" } }];
    script.push({ status: 500, body: errorBody("api_error", "internal_error"), headers: { "retry-after": "0" } });
    assert.deepEqual(await create(), endpoint);
    assert.equal(seen.length, 3);
    const keys = new Set(seen.map((s) => s.headers["idempotency-key"]));
    assert.equal(keys.size, 1);
    assert.match(String([...keys][0]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const s of seen) {
      assert.equal(s.headers.authorization, "Bearer sk_test_scripted");
      // The SDK pins the version it was generated for: the latest when it was built.
      assert.equal(s.headers["coffer-version"], apiVersion);
      assert.equal(s.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(s.body), { url: "https://shop.example/hooks", enabled_events: ["*"] });
    }
    await create();
    assert.notEqual(seen[3]?.headers["idempotency-key"], seen[0]?.headers["idempotency-key"], "a new call, a new key");
  });

  it("uses the caller's Idempotency-Key, and sends none on GET", async () => {
    await coffer().webhookEndpoints.update("we_1", { disabled: true }, { idempotencyKey: "order-42-disable" });
    await coffer().webhookEndpoints.retrieve("we_1");
    assert.equal(seen[0]?.headers["idempotency-key"], "order-42-disable");
    assert.equal(seen[1]?.headers["idempotency-key"], undefined);
    assert.equal(seen[1]?.url, "/v1/webhook_endpoints/we_1");
  });

  it("backs off exponentially with jitter when no Retry-After comes", async () => {
    script = [{ status: 503, body: errorBody("api_error", "service_unavailable") }];
    script.push({ status: 502, body: "<html>bad gateway</html>" });
    await coffer().events.retrieve("evt_1");
    const [first, second, third] = seen.map((s) => s.at);
    const waits = [second! - first!, third! - second!];
    assert.ok(waits[0]! >= 240 && waits[0]! < 900, `first wait about 250–500 ms, was ${waits[0]}`);
    assert.ok(waits[1]! >= 490 && waits[1]! < 1400, `second wait about 500–1000 ms, was ${waits[1]}`);
  });

  it("honours Retry-After on 429, and gives up at once when it asks for more than a minute", async () => {
    script = [{ status: 429, body: errorBody("rate_limit_error", "rate_limited"), headers: { "retry-after": "1" } }];
    await coffer().events.retrieve("evt_1");
    assert.equal(seen.length, 2);
    assert.ok(seen[1]!.at - seen[0]!.at >= 950, "waited the second Retry-After asked for");

    seen = [];
    script = [{ status: 429, body: errorBody("rate_limit_error", "rate_limited"), headers: { "retry-after": "120" } }];
    const started = Date.now();
    await assert.rejects(coffer().events.retrieve("evt_1"), RateLimitError);
    assert.equal(seen.length, 1);
    assert.ok(Date.now() - started < 500);
  });

  it("stops after maxRetries and throws the last error, typed", async () => {
    const unavailable: Answer = {
      status: 503,
      body: errorBody("api_error", "service_unavailable"),
      headers: { "retry-after": "0" },
    };
    script = [unavailable, unavailable, unavailable, unavailable];
    await assert.rejects(coffer().events.retrieve("evt_1"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.statusCode, 503);
      assert.equal(error.code, "service_unavailable");
      assert.equal(error.type, "api_error");
      assert.equal(error.requestId, "req_from_body");
      return true;
    });
    assert.equal(seen.length, 3, "the request and two retries");

    seen = [];
    script = [unavailable];
    await assert.rejects(coffer({ maxRetries: 0 }).events.retrieve("evt_1"), ApiError);
    assert.equal(seen.length, 1);
    seen = [];
    script = [unavailable, unavailable];
    await coffer().events.retrieve("evt_1", { maxRetries: 5 });
    assert.equal(seen.length, 3);
  });

  it("never retries a 4xx other than 429 and 409 idempotency_key_in_use", async () => {
    const cases: [Answer, new (...args: never[]) => Error][] = [
      [{ status: 400, body: errorBody("invalid_request_error", "parameter_invalid", "url") }, InvalidRequestError],
      [{ status: 404, body: errorBody("invalid_request_error", "resource_not_found", "id") }, InvalidRequestError],
      [{ status: 409, body: errorBody("idempotency_error", "idempotency_key_reused") }, IdempotencyError],
      [{ status: 403, body: errorBody("invalid_request_error", "permission_denied") }, InvalidRequestError],
    ];
    for (const [answer, type] of cases) {
      seen = [];
      script = [answer];
      await assert.rejects(create(), type);
      assert.equal(seen.length, 1, JSON.stringify(answer));
    }
    seen = [];
    script = [
      { status: 409, body: errorBody("idempotency_error", "idempotency_key_in_use"), headers: { "retry-after": "0" } },
    ];
    assert.deepEqual(await create(), endpoint);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.headers["idempotency-key"], seen[1]?.headers["idempotency-key"]);
  });

  it("types the error from coffer's body: code, param, request id", async () => {
    script = [{ status: 400, body: errorBody("invalid_request_error", "webhook_url_invalid", "url") }];
    await assert.rejects(create(), (error: unknown) => {
      assert.ok(error instanceof InvalidRequestError);
      assert.equal(error.name, "InvalidRequestError");
      assert.equal(error.code, "webhook_url_invalid");
      assert.equal(error.param, "url");
      assert.equal(error.message, "webhook_url_invalid happened");
      assert.equal(error.requestId, "req_from_body");
      assert.equal(error.statusCode, 400);
      return true;
    });
  });

  it("judges a body that is not coffer's (a proxy's page) by its status", async () => {
    const page: Answer = { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } };
    script = [page, page, page];
    await assert.rejects(coffer().events.retrieve("evt_1"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, null);
      assert.equal(error.statusCode, 502);
      assert.equal(error.requestId, "req_from_header");
      assert.match(error.message, /HTTP 502/);
      return true;
    });
  });

  it("refuses a 2xx that is not JSON (baseUrl pointing at something else) instead of returning garbage", async () => {
    script = [{ status: 200, body: "<html>welcome</html>", headers: { "content-type": "text/html" } }];
    await assert.rejects(coffer().events.retrieve("evt_1"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.match(error.message, /not JSON; is baseUrl a coffer\?/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it("does not repeat a POST without idempotency after a 5xx or a network error, but does after a 429", async () => {
    const transport = new Transport({
      apiKey: "sk_test_scripted",
      baseUrl,
      apiVersion: "2026-11-01",
      maxRetries: 2,
      timeoutMs: 5_000,
      fetch: (input, init) => fetch(input, init),
    });
    const spec = { method: "POST" as const, path: "/v1/not_idempotent", body: {} };
    script = [{ status: 500, body: errorBody("api_error", "internal_error"), headers: { "retry-after": "0" } }];
    await assert.rejects(transport.request(spec), ApiError);
    assert.equal(seen.length, 1, "it may have run; running it again could do it twice");
    seen = [];
    script = [{ status: 429, body: errorBody("rate_limit_error", "rate_limited"), headers: { "retry-after": "0" } }];
    await transport.request(spec);
    assert.equal(seen.length, 2, "a 429 was not run, so it is safe to send again");
  });

  it("times out an attempt that stalls, retries it, then throws ConnectionError with timedOut", async () => {
    script = ["stall", "stall"];
    const started = Date.now();
    await assert.rejects(coffer({ timeoutMs: 150, maxRetries: 1 }).events.retrieve("evt_1"), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.timedOut, true);
      assert.equal(error.statusCode, null);
      assert.equal(error.type, "connection_error");
      assert.match(error.message, /timed out after 150 ms/);
      return true;
    });
    assert.equal(seen.length, 2);
    assert.ok(Date.now() - started >= 300);
    script = ["stall"];
    seen = [];
    await assert.rejects(coffer().events.retrieve("evt_1", { timeoutMs: 100, maxRetries: 0 }), ConnectionError);
    assert.equal(seen.length, 1);
  });

  it("retries a refused connection, then throws ConnectionError", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    let attempts = 0;
    const counting: CofferOptions["fetch"] = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const client = new Coffer("sk_test_scripted", {
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: counting,
      maxRetries: 1,
    });
    await assert.rejects(
      client.webhookEndpoints.create({ url: "https://x.example", enabled_events: ["*"] }),
      (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.equal(error.timedOut, false);
        assert.match(error.message, /POST http:\/\/127\.0\.0\.1:\d+\/v1\/webhook_endpoints failed/);
        return true;
      },
    );
    assert.equal(attempts, 2);
  });

  it("stops at once when the caller aborts, even while waiting to retry", async () => {
    script = [{ status: 503, body: errorBody("api_error", "service_unavailable"), headers: { "retry-after": "30" } }];
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("user went away")), 100);
    await assert.rejects(coffer().events.retrieve("evt_1", { signal: controller.signal }), /user went away/);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(seen.length, 1);
  });

  it("encodes path parameters and query strings, and leaves out undefined filters", async () => {
    script = [{ status: 200, body: { object: "list", data: [], has_more: false } }];
    await coffer().events.list({ type: "payment.*", "created[gte]": 10, limit: undefined });
    await coffer().events.retrieve("evt/../x?y");
    assert.equal(seen[0]?.url, "/v1/events?type=payment.*&created%5Bgte%5D=10");
    assert.equal(seen[1]?.url, "/v1/events/evt%2F..%2Fx%3Fy");
  });
});
