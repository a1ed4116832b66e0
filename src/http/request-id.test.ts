import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { capturingLogger } from "../../test/helpers/log-capture.js";
import type { App } from "../app.js";
import { generateRequestId } from "./request-id.js";

describe("Request-Id", () => {
  let db: TestDatabase;
  let app: App;
  const log = capturingLogger();
  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    app = await createTestApp({
      pool: db.pool,
      logger: log.logger,
      routes: async (routes) => {
        routes.get("/test/echo", async (request) => {
          request.log.info("inside the handler");
          return { id: request.id };
        });
      },
    });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("generates unique req_ ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, generateRequestId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^req_[0-9a-f]{24}$/);
  });

  it("is on every response: success, error, unknown route", async () => {
    for (const url of ["/test/echo", "/healthz", "/nowhere", "/test/echo?x=1"]) {
      const response = await app.inject({ url });
      assert.match(String(response.headers["request-id"]), /^req_[0-9a-f]{24}$/, url);
    }
    const echo = await app.inject({ url: "/test/echo" });
    assert.equal(echo.json().id, echo.headers["request-id"]);
  });

  it("is never taken from the client, but a sane incoming one is logged as upstream_request_id", async () => {
    const response = await app.inject({ url: "/test/echo", headers: { "request-id": "lb-7f3a9" } });
    const ours = String(response.headers["request-id"]);
    assert.notEqual(ours, "lb-7f3a9");
    const lines = log.lines().map((line) => JSON.parse(line));
    const inside = lines.find((l) => l.msg === "inside the handler" && l.request_id === ours);
    assert.ok(inside, "handler log lines carry the request id");
    assert.equal(inside.upstream_request_id, "lb-7f3a9");

    const insane = await app.inject({ url: "/test/echo", headers: { "x-request-id": "bad id\twith<tags>" } });
    const logged = log.lines().map((line) => JSON.parse(line));
    const entry = logged.find((l) => l.request_id === insane.headers["request-id"] && l.msg === "inside the handler");
    assert.equal(entry.upstream_request_id, undefined);
  });
});
