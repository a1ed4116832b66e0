import { type JsonSchema, refName } from "./openapi.js";

/**
 * JSON Schema (as @fastify/swagger writes it from TypeBox) → a TypeScript type expression. Money stays a string:
 * an amount field (amountSchema on input, AmountString on output) becomes `Amount`, an alias of string.
 */
export interface TypeNames {
  /** The TypeScript name of a component schema. */
  component(name: string): string;
}

const amountErrorCode = "amount_invalid";
// AmountString's pattern: digits without leading zeros, e.g. ^(0|[1-9][0-9]{0,38})$.
const amountPattern = /^\^\((0\|)?\[1-9\]\[0-9\]\{0,\d+\}\)\$$/;
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function propertyKey(name: string): string {
  return identifier.test(name) ? name : JSON.stringify(name);
}

export function docComment(text: string | undefined): string {
  if (!text?.trim()) return "";
  const lines = text.trim().replaceAll("*/", "*\\/").split("\n");
  return lines.length === 1
    ? `/** ${lines[0]} */\n`
    : `/**\n${lines.map((l) => ` * ${l}`.trimEnd()).join("\n")}\n */\n`;
}

export function isAmount(schema: JsonSchema): boolean {
  return (
    schema["x-error-code"] === amountErrorCode || (schema.type === "string" && amountPattern.test(schema.pattern ?? ""))
  );
}

export function tsType(schema: JsonSchema | boolean | undefined, names: TypeNames): string {
  return render(schema, names).text;
}

/** A rendered type; `compound` (a union or intersection) needs parentheses before `[]` or inside `&`. */
interface Rendered {
  text: string;
  compound: boolean;
}

const atom = (text: string): Rendered => ({ text, compound: false });

function render(schema: JsonSchema | boolean | undefined, names: TypeNames): Rendered {
  if (schema === undefined || schema === true) return atom("unknown");
  if (schema === false) return atom("never");
  if (schema.$ref !== undefined) return atom(names.component(refName(schema.$ref)));
  if (isAmount(schema)) return atom("Amount");
  if ("const" in schema) return atom(JSON.stringify(schema.const));
  if (schema.enum) return union(schema.enum.map((value) => atom(JSON.stringify(value))));
  if (schema.anyOf) return union(schema.anyOf.map((s) => render(s, names)));
  if (schema.oneOf) return union(schema.oneOf.map((s) => render(s, names)));
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => render(s, names));
    if (parts.length === 1 && parts[0]) return parts[0];
    return { text: parts.map(parenthesized).join(" & "), compound: true };
  }
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => render({ ...schema, type }, names)));
  switch (schema.type) {
    case "string":
      return atom("string");
    case "integer":
    case "number":
      return atom("number");
    case "boolean":
      return atom("boolean");
    case "null":
      return atom("null");
    case "array":
      return atom(`${parenthesized(render(schema.items, names))}[]`);
    case "object":
      return atom(objectType(schema, names));
    default:
      return atom(schema.properties ? objectType(schema, names) : "unknown");
  }
}

/** An object type literal, one documented property per line. */
export function objectType(schema: JsonSchema, names: TypeNames): string {
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      `${docComment(property.description)}${propertyKey(name)}${required.has(name) ? "" : "?"}: ${tsType(property, names)};`,
  );
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false && members.length === 0) {
    return `Record<string, ${tsType(extra === true ? undefined : extra, names)}>`;
  }
  return members.length === 0 ? "Record<string, never>" : `{\n${members.join("\n")}\n}`;
}

function union(members: Rendered[]): Rendered {
  const unique = [...new Set(members.map((m) => m.text))];
  if (unique.includes("unknown")) return atom("unknown");
  if (unique.length === 1) return members[0] ?? atom("never");
  return { text: unique.join(" | "), compound: true };
}

function parenthesized(type: Rendered): string {
  return type.compound ? `(${type.text})` : type.text;
}
