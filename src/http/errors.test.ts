import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, defineErrors, errorBody, errorCatalog, errorCodes, errorTypes } from "./errors.js";

describe("error catalog", () => {
  it("maps every code to an error status, a known type and a message", () => {
    assert.deepEqual(Object.keys(errorCatalog).sort(), [...errorCodes].sort());
    for (const code of errorCodes) {
      const definition = errorCatalog[code];
      assert.ok(definition.status >= 400 && definition.status <= 599, code);
      assert.ok(errorTypes.includes(definition.type), code);
      assert.ok(definition.message.length > 10, code);
      assert.match(code, /^[a-z]+(_[a-z]+)*$/, code);
    }
  });

  it("puts idempotency conflicts under idempotency_error with 409", () => {
    assert.deepEqual(
      [errorCatalog.idempotency_key_reused, errorCatalog.idempotency_key_in_use].map((d) => [d.status, d.type]),
      [
        [409, "idempotency_error"],
        [409, "idempotency_error"],
      ],
    );
  });

  it("builds ApiError from the catalog, with the message and param given", () => {
    const plain = new ApiError("route_not_found");
    assert.equal(plain.status, 404);
    assert.equal(plain.message, errorCatalog.route_not_found.message);
    assert.equal(plain.param, null);
    const specific = new ApiError("parameter_invalid", "currency must be 3 letters", "currency");
    assert.deepEqual(errorBody(specific, "req_1"), {
      error: {
        type: "invalid_request_error",
        code: "parameter_invalid",
        message: "currency must be 3 letters",
        param: "currency",
        request_id: "req_1",
      },
    });
  });

  it("lets a domain map its own failure codes exhaustively", () => {
    type TransferFailure = "insufficient_funds" | "account_frozen";
    const transferErrors = defineErrors<TransferFailure>({
      insufficient_funds: { status: 402, type: "invalid_request_error", message: "The balance is too low." },
      account_frozen: { status: 403, type: "invalid_request_error", message: "The account is frozen." },
    });
    const error = transferErrors.toApiError("insufficient_funds", undefined, "amount");
    assert.equal(error.code, "insufficient_funds");
    assert.equal(error.status, 402);
    assert.equal(error.message, "The balance is too low.");
    assert.equal(error.param, "amount");
    // @ts-expect-error an unmapped failure code does not compile
    defineErrors<TransferFailure>({ insufficient_funds: transferErrors.definitions.insufficient_funds });
  });
});
