import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";

/**
 * Querystring and path numbers are coerced from text, and a digit string beyond a double becomes Infinity, which
 * Ajv's minimum and maximum do not look at. Every coerced number must be finite, whatever the route's schema says.
 */
const testRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    "/test/items/:page",
    {
      schema: {
        params: Type.Object({ page: Type.Integer({ minimum: 1, maximum: 9 }) }),
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })), ratio: Type.Optional(Type.Number()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ params: request.params, query: request.query }),
  );
};

describe("coerced numbers are finite", () => {
  let db: TestDatabase;
  let app: App;

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool, routes: testRoutes });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("refuses a number that coerces to Infinity, naming it, however the schema bounds it", async () => {
    for (const [url, param] of [
      ["/test/items/1?limit=1e400", "limit"],
      ["/test/items/1?limit=-1e400", "limit"],
      [`/test/items/1?limit=${"9".repeat(400)}`, "limit"],
      ["/test/items/1?ratio=1e999", "ratio"],
      ["/test/items/1e400", "page"],
    ] as const) {
      const response = await app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json().error.code, "parameter_invalid");
      assert.equal(response.json().error.param, param, url);
    }
  });

  it("still coerces finite numbers", async () => {
    const response = await app.inject({ method: "GET", url: "/test/items/2?limit=1e0&ratio=0.5" });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { params: { page: 2 }, query: { limit: 1, ratio: 0.5 } });
  });
});
