import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { SchemaCompilation } from "./schema-compilers.js";

/**
 * `coffer start` compiles every route's validators and serializers before it answers; test apps compile each on its
 * first use. Both must answer alike, and every schema of the real app must compile (lazily, a broken schema would
 * surface only when its route is called).
 */
describe("schema compilation, eager and lazy", () => {
  let db: TestDatabase;
  const apps: Partial<Record<SchemaCompilation, App>> = {};

  before(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    const services = createTestServices({ pool: db.pool });
    for (const compilation of ["eager", "lazy"] as const) {
      apps[compilation] = await createTestApp({ pool: db.pool, services, schemaCompilation: compilation });
    }
  });
  after(async () => {
    for (const app of Object.values(apps)) await app?.close();
    await db.drop();
  });

  it("compiles every route of the real app before it answers", async () => {
    const app = apps.eager;
    assert.ok(app);
    // ready() ran every compile; a route count shows the whole app was there to compile.
    assert.ok(app.printRoutes({ commonPrefix: false }).split("\n").length > 200, "the app has its routes");
  });

  it("answers bad input and good output alike either way", async () => {
    const probes = [
      // a body's type is exact (no coercion) and unknown properties are refused
      { method: "POST", url: "/v1/console/signup", payload: { email: 5 } },
      { method: "POST", url: "/v1/console/signup", payload: { email: "a@example.com", extra: true } },
      // a query's numbers are coerced from text, and must be finite
      { method: "GET", url: "/v1/versions?limit=1e400" },
      // a serialized answer
      { method: "GET", url: "/v1/versions" },
      { method: "GET", url: "/healthz" },
    ] as const;
    for (const probe of probes) {
      const answers = [];
      for (const compilation of ["eager", "lazy"] as const) {
        const response = await apps[compilation]!.inject(probe);
        const body = response.json();
        delete body.error?.request_id;
        answers.push({ status: response.statusCode, body });
      }
      assert.deepEqual(answers[1], answers[0], `${probe.method} ${probe.url}`);
    }
  });

  it("a lazily compiled validator reports each failing call's own error, not the first one's", async () => {
    const payloads = [{ email: 5 }, { email: "a@example.com" }, { email: "a@example.com", password: 7 }, {}];
    for (const payload of payloads) {
      const params = [];
      for (const compilation of ["eager", "lazy"] as const) {
        const response = await apps[compilation]!.inject({ method: "POST", url: "/v1/console/signup", payload });
        assert.equal(response.statusCode, 400, response.body);
        params.push(response.json().error.param);
      }
      assert.equal(params[1], params[0], JSON.stringify(payload));
    }
  });
});
