import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { merchantApi, openApiDocument } from "../scripts/gen-sdk.js";
import { httpMethods } from "../sdk/codegen/openapi.js";
import { sdkOperations } from "../sdk/codegen/operations.js";
import { apiTags } from "../src/http/openapi-tags.js";

/** What third-party tools need from the API document (Redocly and Spectral lint it in `npm run lint`). */
describe("API document for third-party tools", () => {
  it("every operation has a unique operationId, and the merchant API's are the SDK's method names", async () => {
    const document = await openApiDocument();
    const ids = new Set<string>();
    for (const item of Object.values(document.paths)) {
      for (const method of httpMethods) {
        const id = item[method]?.operationId;
        if (!item[method]) continue;
        assert.ok(id, "an operation without operationId");
        assert.ok(!ids.has(id), `operationId ${id} twice`);
        ids.add(id);
      }
    }
    for (const operation of sdkOperations(document, merchantApi)) {
      const documented = document.paths[operation.path]?.[operation.httpMethod]?.operationId;
      assert.equal(documented, `${operation.resource}.${operation.method}`);
    }
  });

  it("every operation states its security, and every scheme it names is declared", async () => {
    const document = (await openApiDocument()) as unknown as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        assert.ok(Array.isArray(operation.security), `${method} ${path} says nothing of its security`);
        for (const requirement of operation.security) {
          for (const scheme of Object.keys(requirement)) assert.ok(document.components.securitySchemes[scheme]);
        }
      }
    }
    // Spot checks that the guard, not a default, decided: a merchant route, a wallet route, a public one.
    assert.deepEqual(document.paths["/v1/payments"]?.post?.security, [
      { secretKey: [] },
      { consoleSession: [], csrfToken: [] },
    ]);
    assert.deepEqual(document.paths["/v1/wallet/balances"]?.get?.security, [{ walletToken: [] }]);
    assert.deepEqual(document.paths["/v1/console/login"]?.post?.security, []);
  });

  it("every tag an operation carries is declared with a description", async () => {
    const document = (await openApiDocument()) as unknown as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      tags: { name: string; description: string }[];
    };
    const declared = new Map(document.tags.map((t) => [t.name, t.description]));
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const tag of operation.tags ?? []) {
          assert.ok(apiTags[tag], `${method} ${path}: tag ${tag} needs a description in src/http/openapi-tags.ts`);
          assert.equal(declared.get(tag), apiTags[tag]);
        }
      }
    }
  });
});
