import { Type } from "@sinclair/typebox";
import { amountDigitsMax, amountMax } from "../limits.js";
import { ApiError, schemaErrorCodeKeyword } from "./errors.js";

/**
 * Money amounts in the API are whole numbers of the currency's minor unit (cents for USD: 19.99 USD is 1999).
 * On the wire an amount is a string of decimal digits ("1999"); a JSON integer up to 2^53−1 is accepted on input
 * too. Everything else is refused with amount_invalid: signs, fractions, exponents, spaces, leading zeros, empty,
 * NaN, and anything above amountMax. Note that JSON itself reads 1e3 and 1.0 as the integers 1000 and 1: sent as
 * JSON numbers they cannot be told apart from 1000 and 1, so send strings.
 */

export interface AmountOptions {
  /** Zero is refused unless the field allows it (a balance query may, a payment never does). */
  allowZero?: boolean;
  /** The field name reported in the error's `param`. */
  param?: string;
  /** A tighter upper bound than amountMax, e.g. a wallet cap. */
  max?: bigint;
}

export function parseAmount(input: unknown, options: AmountOptions = {}): bigint {
  const param = options.param ?? "amount";
  const max = options.max ?? amountMax;
  const fail = (reason: string): never => {
    throw new ApiError("amount_invalid", `${param} ${reason}`, param);
  };

  let value: bigint;
  if (typeof input === "string") value = parseDigits(input, fail);
  else if (typeof input === "number") value = parseJsonInteger(input, fail);
  else if (typeof input === "bigint") value = input;
  else return fail(`must be a string of digits, like "1999", or an integer; got ${describe(input)}.`);

  if (value < 0n) return fail("must not be negative.");
  if (value === 0n && !options.allowZero) return fail("must be greater than zero.");
  if (value > max) return fail(`must be at most ${max}.`);
  return value;
}

function parseDigits(text: string, fail: (reason: string) => never): bigint {
  if (text === "") return fail('must not be empty; send a string of digits, like "1999".');
  if (/\s/.test(text)) return fail("must not contain spaces.");
  if (/^[+-]/.test(text))
    return text.startsWith("-") ? fail("must not be negative.") : fail('must not have a "+" sign.');
  if (/^\d*\.\d*$/.test(text))
    return fail('must be a whole number of minor units: send "1999" for 19.99, not "19.99".');
  if (/^\d*\.?\d*[eE]/.test(text)) return fail('must be written out in digits, not with an exponent like "1e3".');
  if (!/^\d+$/.test(text)) return fail('must be a string of decimal digits, like "1999".');
  if (text.length > 1 && text.startsWith("0")) return fail("must not have leading zeros.");
  if (text.length > amountDigitsMax) return fail(`must have at most ${amountDigitsMax} digits.`);
  return BigInt(text);
}

function parseJsonInteger(value: number, fail: (reason: string) => never): bigint {
  if (Number.isNaN(value) || !Number.isFinite(value)) return fail("must be a finite number.");
  if (!Number.isInteger(value)) return fail("must be a whole number of minor units: send 1999 for 19.99, not 19.99.");
  if (!Number.isSafeInteger(value)) return fail(`above ${Number.MAX_SAFE_INTEGER} must be sent as a string of digits.`);
  return BigInt(value);
}

function describe(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  return typeof input === "object" ? "an object" : typeof input;
}

/** The wire format of an amount, for responses: always a string of digits. */
export function formatAmount(value: bigint): string {
  return value.toString();
}

/**
 * The schema of an amount field in a request body. It refuses what parseAmount refuses except the upper bound of
 * a string amount (a regex cannot compare 39-digit numbers), so the handler still calls parseAmount. A failure
 * answers amount_invalid, not parameter_invalid, through the x-error-code annotation.
 */
export function amountSchema(options: { allowZero?: boolean; description?: string } = {}) {
  const first = options.allowZero ? "0|[1-9]" : "[1-9]";
  return Type.Union(
    [
      Type.String({ pattern: `^(${first}[0-9]{0,${amountDigitsMax - 1}})$`, examples: ["1999"] }),
      Type.Integer({ minimum: options.allowZero ? 0 : 1, maximum: Number.MAX_SAFE_INTEGER }),
    ],
    {
      description:
        options.description ??
        'An amount in the currency\'s minor unit, as a string of digits ("1999" is 19.99 USD). A JSON integer up to 2^53−1 is accepted too.',
      [schemaErrorCodeKeyword]: "amount_invalid",
    },
  );
}

/** The schema of an amount in a response: always a string. */
export const AmountString = Type.String({
  pattern: `^(0|[1-9][0-9]{0,${amountDigitsMax - 1}})$`,
  description: 'An amount in the currency\'s minor unit, as a string of digits ("1999" is 19.99 USD).',
  examples: ["1999"],
});
