import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validate } from "@readme/openapi-parser";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

/** The merchant platform's routes are in the OpenAPI document, with schemas, and the document stays valid. */
describe("merchant platform in the OpenAPI document", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    services = createTestServices({ pool: db.pool });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  it("documents every console, ops and account route with a response schema, in a valid document", async () => {
    const document = (await app.inject({ url: "/openapi.json" })).json();
    const result = await validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result));
    const paths = Object.keys(document.paths).filter((p) => /^\/v1\/(console|ops|account)/.test(p));
    for (const required of [
      "/v1/console/signup",
      "/v1/console/verify_email",
      "/v1/console/login",
      "/v1/console/logout",
      "/v1/console/password_reset",
      "/v1/console/password_reset/confirm",
      "/v1/console/2fa/totp",
      "/v1/console/2fa/totp/confirm",
      "/v1/console/kyb",
      "/v1/console/kyb/documents",
      "/v1/console/kyb/submit",
      "/v1/console/api_keys",
      "/v1/console/api_keys/{id}/roll",
      "/v1/console/api_keys/{id}",
      "/v1/console/go_live",
      "/v1/console/team/invites",
      "/v1/console/dev/mailbox",
      "/v1/console/me",
      "/v1/console/audit_log",
      "/v1/ops/login",
      "/v1/ops/kyb_applications",
      "/v1/ops/kyb_applications/{id}/approve",
      "/v1/ops/kyb_applications/{id}/reject",
      "/v1/ops/kyb_applications/{id}/request_info",
      "/v1/ops/audit_log",
      "/v1/account",
    ]) {
      assert.ok(paths.includes(required), `${required} is documented`);
    }
    for (const path of paths) {
      for (const [method, operation] of Object.entries(document.paths[path] as Record<string, { responses: object }>)) {
        const statuses = Object.keys(operation.responses).filter((s) => s !== "default");
        assert.ok(statuses.length > 0, `${method.toUpperCase()} ${path} has a success response schema`);
      }
    }
  });
});
