/**
 * Querystrings, path parameters and headers are text that Ajv coerces to the schema's types. A digit string too
 * large for a double ("1e400", 400 nines) coerces to Infinity, and Ajv then skips minimum and maximum, which only
 * look at finite numbers: without this check Infinity would pass every bound and reach the route (and PostgreSQL,
 * as an invalid date). JSON bodies are not coerced, and Ajv refuses a non-finite number there by type.
 */

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

interface Validator {
  (data: unknown, context?: unknown): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}

type AnyFunction = (...args: never[]) => unknown;

/** The name of the first top-level value (or item of a top-level array) that is a non-finite number. */
function nonFiniteName(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  for (const [name, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((item) => typeof item === "number" && !Number.isFinite(item))) return name;
  }
  return undefined;
}

/** Wraps a coercing validator so that a coerced non-finite number fails validation like any out-of-range value. */
export function refusingNonFiniteNumbers<V extends AnyFunction>(validator: V): V {
  const validate = validator as unknown as Validator;
  const checked: Validator = (data, context) => {
    const result = validate(data, context);
    if (result === false) {
      checked.errors = validate.errors;
      return false;
    }
    const name = nonFiniteName(data);
    if (name === undefined) {
      checked.errors = null;
      return result;
    }
    const issue: ValidationIssue = {
      keyword: "type",
      instancePath: `/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`,
      schemaPath: "#/properties",
      params: { type: "number" },
      message: "must be a finite number",
    };
    checked.errors = [issue];
    return false;
  };
  if (validate.schemaEnv !== undefined) checked.schemaEnv = validate.schemaEnv;
  return checked as unknown as V;
}
