import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capturingLogger } from "../test/helpers/log-capture.js";
import { redactedCensor, redactUrl } from "./logging.js";

describe("logging", () => {
  it("writes one JSON object per line with an ISO time and a level name", () => {
    const log = capturingLogger();
    log.logger.info({ answer: 42 }, "hello");
    const [line] = log.lines();
    const entry = JSON.parse(line ?? "");
    assert.equal(entry.level, "info");
    assert.equal(entry.msg, "hello");
    assert.equal(entry.answer, 42);
    assert.ok(!Number.isNaN(Date.parse(entry.time)));
  });

  it("censors secrets by field name, nested too", () => {
    const log = capturingLogger();
    log.logger.info(
      {
        password: "hunter2",
        upstream: { headers: { authorization: "Bearer sk_live_abc", cookie: "session=s3cr3t", accept: "*/*" } },
        body: { card: { number: "4242424242424242", cvc: "123" }, api_key: "sk_test_x", token: "tok_1" },
        bank: { account_number: "000123456789", iban: "DE89370400440532013000" },
        webhook: { secret: "whsec_abc" },
        safe: "visible",
      },
      "with secrets",
    );
    const [line] = log.lines();
    for (const secret of [
      "hunter2",
      "sk_live_abc",
      "s3cr3t",
      "4242424242424242",
      '123"',
      "sk_test_x",
      "tok_1",
      "000123456789",
      "DE8937",
      "whsec_abc",
    ]) {
      assert.ok(!line?.includes(secret), `${secret} leaked: ${line}`);
    }
    const entry = JSON.parse(line ?? "");
    assert.equal(entry.safe, "visible");
    assert.equal(entry.upstream.headers.accept, "*/*");
    assert.equal(entry.body.card.number, redactedCensor);
  });

  it("logs a request as method, URL, route and address: never its headers", () => {
    const log = capturingLogger();
    const req = {
      method: "POST",
      url: "/v1/x?token=abc",
      ip: "127.0.0.1",
      routeOptions: { url: "/v1/x" },
      headers: { authorization: "Bearer sk_live_abc" },
    };
    log.logger.info({ req }, "incoming request");
    const entry = JSON.parse(log.lines()[0] ?? "");
    assert.deepEqual(entry.req, {
      method: "POST",
      url: `/v1/x?token=${encodeURIComponent(redactedCensor)}`,
      route: "/v1/x",
      remote_address: "127.0.0.1",
    });
  });

  it("censors secret query parameters in logged URLs", () => {
    assert.equal(redactUrl("/v1/x?token=abc&limit=3"), `/v1/x?token=${encodeURIComponent(redactedCensor)}&limit=3`);
    assert.equal(redactUrl("/v1/x?limit=3"), "/v1/x?limit=3");
    assert.equal(redactUrl("/v1/x"), "/v1/x");
  });
});
