import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/**
 * One rule for all text a request brings, on every route: no string in its path parameters, querystring, headers
 * or JSON body (values and keys) may contain U+0000 or a lone UTF-16 surrogate. PostgreSQL cannot store NUL in
 * text (it fails with 22021), and a lone surrogate is not Unicode: encoded to UTF-8 it would silently become
 * U+FFFD. Either is refused with 400 parameter_invalid naming the parameter, before schema validation, before the
 * route's guards and before any database work. Other control characters, emoji and right-to-left marks are text.
 */

export type UnsafeTextProblem = "nul" | "lone_surrogate";

export interface UnsafeText {
  /** Where it is, as error params are written ("metadata.order", "items[0]"); a key is named escaped ("a\\u0000b"). */
  param: string | null;
  problem: UnsafeTextProblem;
  /** The unsafe string is a key of the object at `param`, not a value. */
  inKey: boolean;
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const unsafeText = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(text: string): UnsafeTextProblem | undefined {
  const match = unsafeText.exec(text);
  if (!match) return undefined;
  return match[0] === "\0" ? "nul" : "lone_surrogate";
}

interface Node {
  value: object;
  parent: Node | undefined;
  key: string | number | undefined;
}

function paramOf(node: Node | undefined, key?: string | number): string | null {
  const segments: (string | number)[] = key === undefined ? [] : [key];
  for (let at = node; at?.key !== undefined; at = at.parent) segments.push(at.key);
  let param = "";
  for (const segment of segments.reverse()) {
    param = typeof segment === "number" ? `${param}[${segment}]` : param ? `${param}.${segment}` : segment;
  }
  return param || null;
}

/**
 * The first unsafe string in a value parsed from a request, or undefined. Iterative, so a deeply nested body
 * (which JSON.parse accepts) cannot overflow the stack; paths are built only for what is found.
 */
export function findUnsafeText(value: unknown): UnsafeText | undefined {
  if (typeof value === "string") {
    const problem = problemOf(value);
    return problem ? { param: null, problem, inKey: false } : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const stack: Node[] = [{ value, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (Array.isArray(node.value)) {
      const items = node.value as unknown[];
      for (let index = 0; index < items.length; index++) {
        const found = inspect(items[index], node, index, stack);
        if (found) return found;
      }
      continue;
    }
    for (const [key, item] of Object.entries(node.value)) {
      const keyProblem = problemOf(key);
      if (keyProblem) return { param: paramOf(node, escaped(key)), problem: keyProblem, inKey: true };
      const found = inspect(item, node, key, stack);
      if (found) return found;
    }
  }
  return undefined;
}

/** A key as it can be quoted back: NUL and lone surrogates written as \uXXXX escapes. */
function escaped(key: string): string {
  return key.replace(
    /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function inspect(item: unknown, parent: Node, key: string | number, stack: Node[]): UnsafeText | undefined {
  if (typeof item === "string") {
    const problem = problemOf(item);
    return problem ? { param: paramOf(parent, key), problem, inKey: false } : undefined;
  }
  if (typeof item === "object" && item !== null) stack.push({ value: item, parent, key });
  return undefined;
}

const problemText: Record<UnsafeTextProblem, string> = {
  nul: "a NUL character (U+0000), which coffer does not accept in text",
  lone_surrogate: "a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), which is not valid Unicode",
};

function refusal(where: string, found: UnsafeText): ApiError {
  const subject = `The ${where}${found.inKey ? " name" : ""} ${found.param ?? ""}`.trimEnd();
  return new ApiError("parameter_invalid", `${subject} contains ${problemText[found.problem]}.`, found.param);
}

/** Checks one request: path parameters, querystring, headers, then the body. Throws the refusal. */
export function refuseUnsafeText(request: FastifyRequest): void {
  const parts: [where: string, value: unknown][] = [
    ["path parameter", request.params],
    ["parameter", request.query],
    ["header", request.headers],
    ["parameter", request.body],
  ];
  for (const [where, value] of parts) {
    const found = findUnsafeText(value);
    if (found) throw refusal(where, found);
  }
}

export function registerTextInputRule(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => refuseUnsafeText(request));
}
