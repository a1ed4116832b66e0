import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type Authenticator, authOf, requireAuth } from "./auth.js";
import { ApiError } from "./errors.js";

/** A test authenticator: "Bearer good_<merchant>" is a test-mode secret key, "Bearer bad" is refused. */
const tokens: Authenticator = {
  name: "test-tokens",
  async authenticate(request) {
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) return null;
    const token = header.slice(7);
    if (token === "wallet") return { kind: "wallet", walletUserId: "wal_1", sessionId: "ws_1" };
    if (!token.startsWith("good_")) throw new ApiError("authentication_required", "That key is not valid.");
    return {
      kind: "secret_key",
      merchantId: token.slice(5),
      livemode: false,
      keyId: "key_1",
      scopes: null,
      accountApiVersion: "2026-12-07",
    };
  },
};

describe("authentication and authorization", () => {
  let db: TestDatabase;
  let app: FastifyInstance;

  before(async () => {
    db = await createTestDatabase();
    const services = createTestServices({ pool: db.pool });
    services.authenticators.push(tokens);
    app = await createTestApp({
      pool: db.pool,
      services,
      routes: async (r) => {
        r.get("/whoami", { preHandler: requireAuth("secret_key") }, async (request) => {
          const auth = authOf(request, "secret_key");
          return { merchant: auth.merchantId, scope: request.idempotencyScope };
        });
      },
    });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("lets the right kind of caller in and sets its idempotency scope", async () => {
    const response = await app.inject({ url: "/whoami", headers: { authorization: "Bearer good_mer_a" } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { merchant: "mer_a", scope: "merchant:mer_a:test" });
  });

  it("answers 401 without credentials and with bad ones, 403 for another kind of caller", async () => {
    const none = await app.inject({ url: "/whoami" });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, "authentication_required");
    const bad = await app.inject({ url: "/whoami", headers: { authorization: "Bearer bad" } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().error.message, "That key is not valid.");
    const wallet = await app.inject({ url: "/whoami", headers: { authorization: "Bearer wallet" } });
    assert.equal(wallet.statusCode, 403);
    assert.equal(wallet.json().error.code, "permission_denied");
  });
});
