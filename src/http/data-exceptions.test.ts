import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { capturingLogger } from "../../test/helpers/log-capture.js";
import type { App } from "../app.js";
import type { Pool } from "../db/pool.js";

/**
 * The last line of defence: input that got past validation and made PostgreSQL raise a data exception (class 22:
 * a value it cannot read, store or compare) is the client's bad input, answered 400 parameter_invalid with nothing
 * written, and logged as the bug it is (the input rule or the route's schema should have refused it).
 */
function routes(pool: Pool): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { n?: string; at?: string } }>("/test/cast", async (request) => {
      const { n, at } = request.query;
      await pool.query("SELECT $1::int AS n, $2::timestamptz AS at", [n ?? "1", at ?? "2026-01-01T00:00:00Z"]);
      return { ok: true };
    });
  };
}

describe("data exceptions from PostgreSQL", () => {
  let db: TestDatabase;
  let app: App;
  const log = capturingLogger();

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool, routes: routes(db.pool), logger: log.logger });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("answers 400 parameter_invalid, hides the database's words, and logs the bug", async () => {
    for (const query of ["n=seven", "n=99999999999", "at=not-a-time", "at=0NaN-NaN-NaN"]) {
      const response = await app.inject({ method: "GET", url: `/test/cast?${query}` });
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
      const { error } = response.json();
      assert.equal(error.code, "parameter_invalid");
      assert.equal(error.type, "invalid_request_error");
      assert.doesNotMatch(error.message, /syntax|integer|timestamp|22P02|22003|22007/i);
      const logged = log
        .lines()
        .map((line) => JSON.parse(line))
        .find((entry) => entry.request_id === response.headers["request-id"] && entry.level === "error");
      assert.ok(logged, `${query}: logged as an error with the request id`);
      assert.match(logged.msg, /bug/);
      assert.match(logged.err.code, /^22/);
    }
  });
});
