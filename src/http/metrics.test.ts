import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";

describe("GET /metrics", () => {
  let db: TestDatabase;
  let app: App;
  let other: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({
      pool: db.pool,
      routes: async (routes) => {
        routes.get("/test/items/:id", async (request) => ({ id: (request.params as { id: string }).id }));
      },
    });
    // A second app in the same process must not clash with the first one's metrics.
    other = await createTestApp({ pool: db.pool });
  });
  after(async () => {
    await app.close();
    await other.close();
    await db.drop();
  });

  it("counts requests by method, route pattern and status", async () => {
    await app.inject({ url: "/test/items/1" });
    await app.inject({ url: "/test/items/2" });
    await app.inject({ url: "/random/scanner/path" });
    await app.inject({ url: "/healthz" });
    const response = await app.inject({ url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain/);
    const text = response.body;
    assert.match(text, /coffer_http_requests_total\{method="GET",route="\/test\/items\/:id",status_code="200"\} 2/);
    assert.match(text, /coffer_http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/);
    assert.doesNotMatch(text, /scanner/);
    assert.match(text, /coffer_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"/);
  });

  it("reports the database pool and the process", async () => {
    await db.pool.query("SELECT 1");
    const text = (await app.inject({ url: "/metrics" })).body;
    for (const state of ["total", "idle", "waiting"]) {
      assert.match(text, new RegExp(`coffer_db_pool_clients\\{state="${state}"\\} \\d+`));
    }
    assert.match(text, /process_cpu_seconds_total/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
  });

  it("keeps each app's counts to itself", async () => {
    const text = (await other.inject({ url: "/metrics" })).body;
    assert.doesNotMatch(text, /\/test\/items/);
  });
});
