import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validate } from "@readme/openapi-parser";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createWalletTestServices } from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

describe("wallet routes in the OpenAPI document", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    services = createWalletTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  it("documents every wallet route validly, with idempotency keys on money routes", async () => {
    const document = (await app.inject({ url: "/openapi.json" })).json();
    const result = await validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result));
    const paths = Object.keys(document.paths);
    for (const path of [
      "/v1/wallet/signup",
      "/v1/wallet/verify",
      "/v1/wallet/login",
      "/v1/wallet/me",
      "/v1/wallet/kyc",
      "/v1/wallet/balances",
      "/v1/wallet/funding_sources",
      "/v1/wallet/top_ups",
      "/v1/wallet/withdrawals",
      "/v1/wallet/transfers",
      "/v1/wallet/transactions",
      "/v1/wallet/statements/{month}.csv",
      "/v1/ops/wallet_users/{id}/freeze",
    ]) {
      assert.ok(
        paths.includes(path),
        `${path} is documented (have: ${paths.filter((p) => p.includes("wallet")).join(", ")})`,
      );
    }
    for (const path of ["/v1/wallet/top_ups", "/v1/wallet/withdrawals", "/v1/wallet/transfers"]) {
      const parameters = document.paths[path].post.parameters as { in: string; name: string }[];
      assert.ok(
        parameters.some((p) => p.in === "header" && p.name === "Idempotency-Key"),
        path,
      );
    }
    const statement = document.paths["/v1/wallet/statements/{month}.csv"].get;
    assert.ok(statement.responses["200"].content["text/csv"]);
  });
});
