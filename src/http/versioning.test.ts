import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";
import { apiVersionLatest, apiVersions } from "./versioning.js";

describe("Coffer-Version", () => {
  let db: TestDatabase;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    app = await createTestApp({
      pool: db.pool,
      routes: async (routes) => {
        routes.get("/test/version", async (request) => ({ version: request.apiVersion }));
      },
    });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("has the latest version last", () => {
    assert.equal(apiVersions.at(-1), apiVersionLatest);
    assert.deepEqual([...apiVersions].sort(), [...apiVersions]);
  });

  it("answers in the latest version when the request names none", async () => {
    const response = await app.inject({ url: "/test/version" });
    assert.equal(response.headers["coffer-version"], apiVersionLatest);
    assert.deepEqual(response.json(), { version: apiVersionLatest });
  });

  it("answers in the version the request names", async () => {
    const response = await app.inject({ url: "/test/version", headers: { "coffer-version": apiVersionLatest } });
    assert.equal(response.headers["coffer-version"], apiVersionLatest);
  });

  it("refuses an unknown version with api_version_invalid, and still says which version answered", async () => {
    for (const version of ["2019-01-01", "latest", "2026-11-1"]) {
      const response = await app.inject({ url: "/test/version", headers: { "coffer-version": version } });
      assert.equal(response.statusCode, 400, version);
      assert.equal(response.json().error.code, "api_version_invalid");
      assert.equal(response.headers["coffer-version"], apiVersionLatest);
    }
  });

  it("carries the version on errors and unknown routes too", async () => {
    const response = await app.inject({ url: "/nowhere" });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers["coffer-version"], apiVersionLatest);
  });
});
