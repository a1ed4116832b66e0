import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AjvCompiler } from "@fastify/ajv-compiler";
import fc from "fast-check";
import { amountMax } from "../limits.js";
import { amountSchema, formatAmount, parseAmount } from "./amount.js";
import { ApiError, schemaErrorCodeKeyword } from "./errors.js";

function refusal(input: unknown, options: Parameters<typeof parseAmount>[1] = {}): ApiError {
  try {
    parseAmount(input, options);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error;
  }
  assert.fail(`${JSON.stringify(input)} was accepted`);
}

/** The schema compiled the way app.ts compiles request bodies. */
const validateBodyAmount = AjvCompiler()(
  {},
  { customOptions: { coerceTypes: false, allErrors: false, keywords: [schemaErrorCodeKeyword] } },
)({ schema: amountSchema(), httpPart: "body" });

describe("amounts", () => {
  it("accepts digit strings and safe JSON integers", () => {
    assert.equal(parseAmount("1999"), 1999n);
    assert.equal(parseAmount("1"), 1n);
    assert.equal(parseAmount(1999), 1999n);
    assert.equal(parseAmount(Number.MAX_SAFE_INTEGER), 9007199254740991n);
    assert.equal(parseAmount(amountMax.toString()), amountMax);
    assert.equal(parseAmount("0", { allowZero: true }), 0n);
  });

  it("refuses every malformed form with amount_invalid and a clear message", () => {
    const cases: [unknown, RegExp][] = [
      ["-5", /negative/],
      [-5, /negative/],
      ["0", /greater than zero/],
      [0, /greater than zero/],
      ["19.99", /whole number/],
      [19.99, /whole number/],
      ["1e3", /exponent/],
      ["1E3", /exponent/],
      ["1.5e3", /exponent/],
      [Number.NaN, /finite/],
      [Number.POSITIVE_INFINITY, /finite/],
      ["NaN", /decimal digits/],
      ["+5", /"\+" sign/],
      [" 5", /spaces/],
      ["5 ", /spaces/],
      ["1 000", /spaces/],
      ["", /empty/],
      ["0x1F", /decimal digits/],
      ["١٢", /decimal digits/],
      ["007", /leading zeros/],
      [(amountMax + 1n).toString(), /at most/],
      ["9".repeat(40), /at most 39 digits/],
      [Number.MAX_SAFE_INTEGER + 1, /as a string/],
      [null, /got null/],
      [true, /got boolean/],
      [{}, /got an object/],
      [[1], /got an array/],
    ];
    for (const [input, message] of cases) {
      const error = refusal(input);
      assert.equal(error.code, "amount_invalid", String(input));
      assert.equal(error.status, 400);
      assert.equal(error.param, "amount");
      assert.match(error.message, message, `${JSON.stringify(input)}: ${error.message}`);
    }
  });

  it("names the field and honours a tighter maximum", () => {
    const error = refusal("501", { param: "capture_amount", max: 500n });
    assert.equal(error.param, "capture_amount");
    assert.match(error.message, /^capture_amount must be at most 500/);
  });

  it("round-trips every amount from 1 to amountMax through its wire form", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: amountMax }), (value) => parseAmount(formatAmount(value)) === value),
    );
  });

  it("reads every safe JSON integer as the same bigint", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (value) => parseAmount(value) === BigInt(value),
      ),
    );
  });

  it("agrees with its schema on any string: the schema never lets through what the parser refuses", () => {
    const strings = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[-+ ]?[0-9]{0,42}([.eE][0-9]{0,3})?$/),
      fc.bigInt({ min: -10n, max: amountMax + 10n }).map(String),
    );
    fc.assert(
      fc.property(strings, (text) => {
        let parsed = true;
        try {
          parseAmount(text);
        } catch {
          parsed = false;
        }
        const schemaAccepts = validateBodyAmount(text) === true;
        // The only thing a regex cannot check is the numeric upper bound of a 39-digit string.
        if (parsed) return schemaAccepts;
        return !schemaAccepts || (/^[1-9][0-9]{38}$/.test(text) && BigInt(text) > amountMax);
      }),
      { numRuns: 2_000 },
    );
  });

  it("agrees with its schema on numbers", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 53)), (value) => {
        let parsed = true;
        try {
          parseAmount(value);
        } catch {
          parsed = false;
        }
        return parsed === (validateBodyAmount(value) === true);
      }),
    );
  });
});
