import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import { createWalletTestServices, signUpWallet, type TestWalletUser } from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import { timestampSecondsMax } from "../limits.js";
import type { Services } from "../runtime/services.js";

/**
 * Every time filter takes Unix seconds through one schema with documented bounds (0 to the last second of 9999).
 * Outside them the answer is 400 parameter_invalid naming the filter, never PostgreSQL's 22007 as a 500.
 */
describe("timestamp filters", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  let key: string;
  let wallet: TestWalletUser;

  before(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    services = createWalletTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services });
    key = await issueTestApiKey(services, await insertTestMerchant(db.pool, "Clock Shop"));
    wallet = await signUpWallet(app, db.pool);
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  const merchantGet = (url: string) => app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });
  const createdFilters = ["created[gte]", "created[gt]", "created[lte]", "created[lt]"];
  const filters: [get: (url: string) => ReturnType<typeof merchantGet>, path: string, params: string[]][] = [
    ...["/v1/events", "/v1/payments", "/v1/refunds", "/v1/payouts", "/v1/payment_links", "/v1/webhook_endpoints"].map(
      (path): [typeof merchantGet, string, string[]] => [merchantGet, path, [...createdFilters]],
    ),
    // The payments list's names before every list took created[…], kept by API version 2026-11-01 (this merchant's).
    [merchantGet, "/v1/payments", ["created_gte", "created_lt"]],
    [(url) => wallet.client.get(url), "/v1/wallet/transactions", ["created_gte", "created_lt"]],
  ];

  it("refuses times out of range with parameter_invalid naming the filter", async () => {
    const values = ["99999999999999999999999", "9999999999999", String(timestampSecondsMax + 1), "-1", "1.5", "1e400"];
    for (const [get, path, params] of filters) {
      for (const param of params) {
        for (const value of values) {
          const response = await get(`${path}?${encodeURIComponent(param)}=${value}`);
          assert.equal(response.statusCode, 400, `${path} ${param}=${value}: ${response.body}`);
          assert.equal(response.json().error.code, "parameter_invalid");
          assert.equal(response.json().error.param, param, `${path} ${param}=${value}`);
        }
      }
    }
  });

  it("accepts the bounds themselves", async () => {
    for (const [get, path, params] of filters) {
      for (const param of params) {
        for (const value of ["0", String(timestampSecondsMax)]) {
          const response = await get(`${path}?${encodeURIComponent(param)}=${value}`);
          assert.equal(response.statusCode, 200, `${path} ${param}=${value}: ${response.body}`);
          assert.equal(response.json().object, "list");
        }
      }
    }
  });

  it("documents the bounds in the OpenAPI document", async () => {
    const document = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    for (const [, path, params] of filters) {
      for (const param of params) {
        const parameter = document.paths[path].get.parameters.find((p: { name: string }) => p.name === param);
        assert.ok(parameter, `${path} documents ${param}`);
        assert.equal(parameter.schema.minimum, 0, `${path} ${param}`);
        assert.equal(parameter.schema.maximum, timestampSecondsMax, `${path} ${param}`);
      }
    }
  });
});
