import { type CallerKind, callerKinds, type FuzzWorld } from "./fuzz-callers.js";
import { type OpenApiDocument, type Operation, propertiesOf, resolve, sampleOf } from "./fuzz-openapi.js";
import type { Random } from "./fuzz-random.js";

/**
 * Builds one malformed request for an operation: a request close to valid with one thing broken — a path id, a
 * query value, a body field, the body itself, its content type, or a header — sent as some kind of caller. About
 * one request in twenty is left valid, so the deeper paths (real ids, state checks) are walked too.
 */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  caller: CallerKind;
  /** What was broken, for failure reports. */
  mutation: string;
}

const hugeString = "x".repeat(100_000);
const amountForms: unknown[] = [
  -1,
  0,
  1.5,
  1e3,
  "-1",
  "0",
  "1.5",
  "1e3",
  "9999999999999999999999999999999999999999",
  "340282366920938463463374607431768211456",
  "9".repeat(39),
  "01",
  " 1",
  "1 ",
  "+1",
  "0x10",
  "١٢٣",
  "",
  2 ** 53,
];
const oddText: string[] = [
  "a\u0000b",
  "\u0000",
  "\ud800",
  "tea\udc00",
  "\udbff\udbff",
  "\u202eevil\u202c",
  "\u200f\u200e",
  "😀",
  "🍵".repeat(300),
  "e\u0301",
  "\ufeff",
  "\u0007\u001b[31m",
  "' OR '1'='1",
  "../../etc/passwd",
  "%00",
  "<script>alert(1)</script>",
  "{{7*7}}",
  "null",
  "NaN",
  " ",
  "",
];
const wrongTypes: unknown[] = [null, true, false, 0, -1, 1.5, 1e300, [], [1, "a"], {}, { a: 1 }, "str", 2 ** 53 + 2];
// Many items or keys in one field (more than PostgreSQL's 65,535 parameters of one statement), and deep nesting.
const manyItems = Array.from({ length: 70_000 }, () => "a");
const manyKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, "v"]));
let nested: unknown = "deep";
for (let i = 0; i < 2_000; i++) nested = { a: nested };
const bodyValues: unknown[] = [
  ...wrongTypes,
  ...amountForms,
  ...oddText,
  hugeString,
  "x".repeat(10_001),
  manyItems,
  manyKeys,
  nested,
];

const pathPayloads = [
  "%00",
  "pay_%00",
  "evt_abc%00",
  "..%2f..%2fv1%2fbalance",
  "..",
  "%2e%2e",
  "a".repeat(5_000),
  "x".repeat(65),
  "pay_00000000000000000000000",
  "evt_abc",
  "re_abc",
  "we_abc",
  "mer_abc",
  "wal_abc",
  "key_abc",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%E2%80%AE",
  "%FF",
  "%",
  "%zz",
  "'%20OR%201%3D1--",
  "0",
  "-1",
  "null",
  "%20",
  "a%2Fb",
  "%0d%0aSet-Cookie:%20x=1",
];
const queryPayloads = [
  "%00",
  "a%00",
  "abc",
  "-1",
  "0",
  "1.5",
  "1e400",
  "-1e400",
  "99999999999999999999999",
  "9999999999999",
  "253402300800",
  "",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%E2%80%AE",
  "x".repeat(5_000),
  "true",
  "null",
  "[]",
  "%25",
  "%",
  "%zz",
  "pay_abc",
];
const contentTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/json; charset=iso-8859-1",
  "application/json; charset=",
  "application/xml",
  "application/json-patch+json",
  "application/jsonx",
  "APPLICATION/JSON",
  "application/json;;",
  "application/json; charset=utf-8; boundary=x",
  "*/*",
];

function deepArray(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const rawBodies: (string | Buffer)[] = [
  "amount=1&currency=USD",
  "{",
  '{"amount": }',
  "null",
  "[]",
  '"text"',
  "0",
  "true",
  "\ufeff{}",
  deepArray(50_000),
  deepObject(20_000),
  `{"a":"${"x".repeat(1_100_000)}"}`,
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `{"amount":1${"0".repeat(400)}}`,
  '{"amount":-0}',
  '{"amount":1e-400}',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x00, 0x22, 0x7d]),
  Buffer.from(JSON.stringify({ a: "b" }), "utf16le"),
];

function headerPayloads(world: FuzzWorld, random: Random): [string, string][] {
  return [
    ["idempotency-key", ""],
    ["idempotency-key", " "],
    ["idempotency-key", "k".repeat(300)],
    ["idempotency-key", "ключ"],
    ["idempotency-key", "a\u0000b"],
    ["coffer-version", "1999-01-01"],
    ["coffer-version", "latest"],
    ["coffer-version", "2026-13-45"],
    ["coffer-version", "x".repeat(500)],
    ["authorization", "Bearer"],
    ["authorization", "Bearer "],
    ["authorization", "Bearer sk_test_"],
    ["authorization", `Bearer sk_test_${"A".repeat(44)}`],
    ["authorization", "Bearer sk_live_x"],
    ["authorization", "Bearer pk_test_x"],
    ["authorization", "Bearer rk_test_x"],
    ["authorization", "Bearer wst_x"],
    ["authorization", `Basic ${Buffer.from("sk_test_x:").toString("base64")}`],
    ["authorization", "Basic !!!"],
    ["authorization", `Bearer ${"a".repeat(10_000)}`],
    ["authorization", "Bearer sk_test_\u0000"],
    ["authorization", "Token abc"],
    ["authorization", `Bearer ${random.pick(world.tokens)}`],
    ["cookie", "coffer_console="],
    ["cookie", "coffer_console=%00"],
    ["cookie", `coffer_console=${"a".repeat(5_000)}`],
    ["cookie", "coffer_ops=garbage; coffer_console=garbage"],
    ["x-csrf-token", "wrong"],
    ["x-csrf-token", ""],
    ["request-id", "r".repeat(1_000)],
    ["request-id", "req\u0000"],
    ["user-agent", "ua\u0000"],
    ["user-agent", "u".repeat(10_000)],
    ["user-agent", "😀"],
    ["x-forwarded-for", "not an address, 300.1.1.1"],
    ["accept", "application/xml"],
  ];
}

/** The caller a path is meant for; most requests use it so they get past authentication to the inputs. */
function naturalCaller(path: string): CallerKind {
  if (path.startsWith("/v1/wallet")) return "wallet";
  if (path.startsWith("/v1/ops")) return "operator";
  if (path.startsWith("/v1/console")) return "console";
  if (path.startsWith("/v1/checkout") || path === "/healthz" || path === "/readyz") return "none";
  return "secret_test";
}

function pathIdFor(world: FuzzWorld, random: Random, operation: Operation, param: string): string {
  if (param === "month") return "2026-04";
  const collection = operation.path.slice(0, operation.path.indexOf(`/{${param}}`));
  const known = world.idsByCollection.get(collection) ?? [];
  if (known.length > 0 && random.chance(0.8)) return encodeURIComponent(random.pick(known));
  return `${collection.split("/").pop()?.slice(0, 3) ?? "obj"}_fuzz${random.int(1_000_000)}`;
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
}

/** A body close to valid: the required fields, and now and then the optional ones too. */
function baselineBody(document: OpenApiDocument, operation: Operation, random: Random): Record<string, unknown> {
  const body = (sampleOf(document, operation.body) ?? {}) as Record<string, unknown>;
  if (typeof body !== "object" || body === null) return {};
  for (const [name, schema] of Object.entries(propertiesOf(document, operation.body))) {
    if (!(name in body) && random.chance(0.3)) body[name] = sampleOf(document, schema, name);
  }
  return body;
}

/** Field paths of a body: its top-level fields, and the fields of nested objects one level down. */
function fieldPaths(document: OpenApiDocument, operation: Operation): string[][] {
  const paths: string[][] = [];
  for (const [name, schema] of Object.entries(propertiesOf(document, operation.body))) {
    paths.push([name]);
    for (const nested of Object.keys(resolve(document, schema).properties ?? {})) paths.push([name, nested]);
  }
  return paths;
}

type Part = "valid" | "path" | "query" | "field" | "missing" | "extra" | "raw" | "content-type" | "header" | "method";

/** One input of one operation set to one bad value, with the rest of the request valid, as its natural caller. */
export type Sweep =
  | { part: "path"; name: string; value: string }
  | { part: "query"; name: string; value: string }
  | { part: "field"; path: string[]; value: unknown };

const sweptPathValues = ["%00", "..%2f..%2fv1%2fbalance", "a".repeat(5_000), "%ED%A0%80", "%"];
const sweptQueryValues = ["%00", "99999999999999999999999", "1e400", "-1", "%ED%A0%80", "x".repeat(5_000)];
const sweptFieldValues: unknown[][] = [["a\u0000b"], ["\ud800"], [null, [], {}, 1e300, hugeString, manyItems]];

/**
 * The systematic part of a run: every path parameter, query parameter and body field of every operation gets each
 * of a few values that broke coffer before (NUL, lone surrogates, numbers beyond a double, huge sizes), so no input
 * is left to chance; the random part then combines everything else.
 */
export function sweepOf(document: OpenApiDocument, operation: Operation): Sweep[] {
  const sweeps: Sweep[] = [];
  for (const name of operation.pathParams) {
    for (const value of sweptPathValues) sweeps.push({ part: "path", name, value });
  }
  for (const { name } of operation.query) {
    for (const value of sweptQueryValues) sweeps.push({ part: "query", name, value });
  }
  for (const path of fieldPaths(document, operation)) {
    sweptFieldValues.forEach((values, index) => {
      sweeps.push({ part: "field", path, value: values[(path.length + index + sweeps.length) % values.length] });
    });
  }
  return sweeps;
}

export function fuzzRequest(
  world: FuzzWorld,
  document: OpenApiDocument,
  operation: Operation,
  random: Random,
  sweep?: Sweep,
): FuzzRequest {
  const caller = sweep || random.chance(0.6) ? naturalCaller(operation.path) : random.pick(callerKinds);
  const params = Object.fromEntries(operation.pathParams.map((p) => [p, pathIdFor(world, random, operation, p)]));
  const query: [string, string][] = operation.query
    .filter((q) => q.required)
    .map((q) => [q.name, encodeURIComponent(String(sampleOf(document, q.schema, q.name)))]);
  const hasBody = operation.body !== undefined;
  let body: Record<string, unknown> | undefined = hasBody ? baselineBody(document, operation, random) : undefined;
  let payload: string | Buffer | undefined;
  let contentType: string | undefined = hasBody ? "application/json" : undefined;
  let method: string = operation.method;
  const headers: Record<string, string> = { ...world.headers(caller, method) };
  if (operation.headers.some((h) => h.name.toLowerCase() === "idempotency-key") && random.chance(0.3)) {
    headers["idempotency-key"] = `fuzz-${random.int(1_000_000_000)}`;
  }

  const parts: Part[] = ["valid", "header", "method"];
  if (operation.pathParams.length > 0) parts.push("path", "path", "path");
  parts.push("query", "query");
  if (hasBody) parts.push("field", "field", "field", "field", "missing", "extra", "raw", "raw", "content-type");
  else if (method !== "GET") parts.push("raw", "content-type");
  const part = sweep ? "swept" : random.chance(0.05) ? "valid" : random.pick(parts.filter((p) => p !== "valid"));
  let mutation: string = part;

  switch (part) {
    case "valid":
      break;
    case "swept":
      if (sweep?.part === "path") params[sweep.name] = sweep.value;
      if (sweep?.part === "query") query.push([encodeURIComponent(sweep.name), sweep.value]);
      if (sweep?.part === "field") setAt(body ?? {}, sweep.path, sweep.value);
      mutation = `swept ${sweep?.part} ${sweep?.part === "field" ? sweep.path.join(".") : sweep?.name}=${JSON.stringify(sweep?.value)?.slice(0, 60)}`;
      break;
    case "path": {
      const param = random.pick(operation.pathParams);
      params[param] = random.pick(pathPayloads);
      mutation = `path ${param}=${params[param]?.slice(0, 60)}`;
      break;
    }
    case "query": {
      const target = operation.query.length > 0 && random.chance(0.85) ? random.pick(operation.query).name : "surprise";
      const value = random.pick(queryPayloads);
      const name = encodeURIComponent(target);
      if (random.chance(0.15)) query.push([name, value], [name, value]);
      else query.push([name, value]);
      mutation = `query ${target}=${value.slice(0, 60)}`;
      break;
    }
    case "field": {
      const paths = fieldPaths(document, operation);
      const path = paths.length > 0 ? random.pick(paths) : ["unexpected_field"];
      const value = random.pick(bodyValues);
      setAt(body as Record<string, unknown>, path, value);
      mutation = `field ${path.join(".")}=${JSON.stringify(value)?.slice(0, 60)}`;
      break;
    }
    case "missing": {
      const keys = Object.keys(body ?? {});
      if (keys.length > 0) {
        const key = random.pick(keys);
        delete body?.[key];
        mutation = `missing ${key}`;
      }
      break;
    }
    case "extra": {
      const [key, value] = random.pick<[string, unknown]>([
        ["unexpected_field", 1],
        ["a\u0000b", "x"],
        ["\ud800", "x"],
        ["__proto__", { polluted: true }],
        ["livemode", true],
        ["merchant", "mer_other"],
        ["id", "pay_chosen"],
      ]);
      if (key === "__proto__") {
        // JSON.stringify drops a __proto__ key, so it is written into the text.
        const rest = JSON.stringify(body).slice(1);
        payload = `{"__proto__":{"polluted":true}${rest === "}" ? "" : ","}${rest}`;
      } else {
        (body as Record<string, unknown>)[key] = value;
      }
      mutation = `extra ${JSON.stringify(key)}`;
      break;
    }
    case "raw":
      payload = random.pick(rawBodies);
      contentType = payload.length > 0 ? "application/json" : undefined;
      if (Buffer.isBuffer(payload) && payload[1] === 0) contentType = "application/json; charset=utf-16";
      mutation = `raw ${Buffer.isBuffer(payload) ? `bytes(${payload.length})` : payload.slice(0, 40)}`;
      body = undefined;
      break;
    case "content-type":
      contentType = random.pick([...contentTypes, undefined]);
      payload = contentType?.includes("utf-16")
        ? Buffer.from(JSON.stringify(body ?? {}), "utf16le")
        : JSON.stringify(body ?? {});
      mutation = `content-type ${contentType ?? "(none)"}`;
      break;
    case "header": {
      const [name, value] = random.pick(headerPayloads(world, random));
      headers[name] = value;
      if (name === "cookie") delete headers.authorization;
      mutation = `header ${name}: ${value.slice(0, 60)}`;
      break;
    }
    case "method":
      method = random.pick(["PATCH", "PUT", "DELETE", "POST", "OPTIONS"].filter((m) => m !== operation.method));
      mutation = `method ${method}`;
      break;
  }

  if (payload === undefined && body !== undefined && method !== "GET") payload = JSON.stringify(body);
  if (payload !== undefined && contentType !== undefined) headers["content-type"] = contentType;
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "x");
  const search = query.map(([name, value]) => `${name}=${value}`).join("&");
  return {
    method,
    url: search ? `${path}?${search}` : path,
    headers,
    ...(payload === undefined || method === "GET" ? {} : { payload }),
    caller,
    mutation,
  };
}
