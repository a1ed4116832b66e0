import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { merchantApi, openApiDocument } from "../../scripts/gen-sdk.js";
import { type OperationShape, sdkName, singular } from "../../sdk/codegen/naming.js";
import type { Operation } from "../../sdk/codegen/openapi.js";
import { isDownload } from "../../sdk/codegen/operations.js";
import { operations } from "../../sdk/src/generated.js";

const name = (method: OperationShape["method"], path: string, more: Partial<OperationShape> = {}) => {
  const { resource, method: m } = sdkName({ method, path, returnsList: false, getOnSamePath: "none", ...more });
  return `${resource}.${m}`;
};

describe("SDK operation names", () => {
  it("follow the documented scheme for the routes to come", () => {
    assert.equal(name("get", "/payments", { returnsList: true, getOnSamePath: "list" }), "payments.list");
    assert.equal(name("post", "/payments", { getOnSamePath: "list" }), "payments.create");
    assert.equal(name("get", "/payments/{id}", { getOnSamePath: "object" }), "payments.retrieve");
    assert.equal(name("post", "/payments/{id}", { getOnSamePath: "object" }), "payments.update");
    assert.equal(name("delete", "/payments/{id}"), "payments.delete");
    assert.equal(name("post", "/payments/{id}/capture"), "payments.capture");
    assert.equal(name("post", "/payments/{id}/cancel"), "payments.cancel");
    assert.equal(name("get", "/payments/{id}/refunds", { returnsList: true }), "payments.listRefunds");
    assert.equal(name("post", "/payments/{id}/refunds", { getOnSamePath: "list" }), "payments.createRefund");
    assert.equal(name("get", "/payments/{id}/refunds/{refund}"), "payments.retrieveRefund");
    assert.equal(name("post", "/payments/{id}/refunds/{refund}/cancel"), "payments.cancelRefund");
    assert.equal(name("get", "/account", { getOnSamePath: "object" }), "account.retrieve");
    assert.equal(name("post", "/account", { getOnSamePath: "object" }), "account.update");
    assert.equal(name("get", "/balance"), "balance.retrieve");
    assert.equal(name("get", "/balance/transactions", { returnsList: true }), "balance.listTransactions");
    assert.equal(name("get", "/payouts/{id}", { getOnSamePath: "object" }), "payouts.retrieve");
    assert.equal(name("post", "/test_helpers/payments/{id}/succeed"), "testHelpers.succeedPayment");
    assert.equal(name("post", "/refunds/{id}/x", { operationId: "approve" }), "refunds.approve");
    assert.equal(name("post", "/refunds/{id}/x", { operationId: "payments.refundAgain" }), "payments.refundAgain");
    assert.throws(() => name("post", "/refunds", { operationId: "Bad Name" }), /camelCase/);
  });

  it("singularizes resource nouns", () => {
    assert.deepEqual(["deliveries", "refunds", "addresses", "boxes", "status", "payments"].map(singular), [
      "delivery",
      "refund",
      "address",
      "box",
      "status",
      "payment",
    ]);
  });

  it("cover every merchant API operation in the document and nothing for console, operators or wallet users", async () => {
    const document = await openApiDocument();
    // File downloads (a till's poster) are fetched by URL, not through a JSON method.
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => !isDownload(operation as Operation))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const generated = new Set(operations.map((op) => `${op.httpMethod} ${op.path}`));
    for (const operation of documented) {
      const path = operation.split(" ")[1] ?? "";
      const merchantApiPath =
        path.startsWith(`${merchantApi.prefix}/`) &&
        !merchantApi.excluded.some((p) => path.startsWith(`${p}/`) || path === p);
      assert.equal(generated.has(operation), merchantApiPath, operation);
    }
  });
});
