import { randomUUID } from "node:crypto";
import type { CommandArgs } from "./command.js";

/**
 * Where a client command (`listen`, `trigger`) finds coffer and which key it uses. Both read the same flags and
 * environment so a developer sets them once: --api-url or COFFER_API_URL, else this machine on PORT (the port
 * `coffer start` listens on, 4000 by default); --api-key or COFFER_API_KEY.
 */
export const apiTargetOptions = {
  "api-key": { type: "string" },
  "api-url": { type: "string" },
} as const;

export const apiTargetUsage = [
  "  --api-key K      a test-mode secret key (default: $COFFER_API_KEY)",
  "  --api-url U      the coffer API (default: $COFFER_API_URL, else http://127.0.0.1:$PORT, port 4000)",
];

export interface ApiTarget {
  apiUrl: string;
  apiKey: string | undefined;
}

export function resolveApiTarget(values: CommandArgs["values"], env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const flagUrl = values["api-url"];
  const envUrl = env.COFFER_API_URL?.trim();
  const apiUrl = typeof flagUrl === "string" ? flagUrl : envUrl || `http://127.0.0.1:${env.PORT?.trim() || "4000"}`;
  const flagKey = values["api-key"];
  return {
    apiUrl: apiUrl.replace(/\/+$/, ""),
    apiKey: typeof flagKey === "string" ? flagKey : env.COFFER_API_KEY?.trim() || undefined,
  };
}

/** A message for a fetch that never reached coffer, saying what to check instead of printing a stack. */
export function unreachableMessage(apiUrl: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  return `cannot reach coffer at ${apiUrl} (${cause}). Is it running? Start it with \`npm start\`, or point to it with --api-url or COFFER_API_URL.`;
}

/** What coffer's API answers: an object with an id and whatever else its type has. */
export interface ApiObject {
  id: string;
  status?: string;
  destination?: { last4: string };
  [key: string]: unknown;
}

/** A failed call, already worded for the terminal. */
export class ApiFailure extends Error {}

export interface Api {
  get<T = ApiObject>(path: string): Promise<T>;
  post<T = ApiObject>(path: string, body?: Record<string, unknown>): Promise<T>;
}

export function apiClient(baseUrl: string, apiKey: string): Api {
  async function call<T>(method: "GET" | "POST", path: string, body?: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(method === "POST" ? { "content-type": "application/json", "idempotency-key": randomUUID() } : {}),
        },
        body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
        redirect: "error",
      });
    } catch (error) {
      throw new ApiFailure(unreachableMessage(baseUrl, error));
    }
    const json = (await response.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
    if (!response.ok) {
      throw new ApiFailure(
        `${method} ${path} answered ${response.status} ${json.error?.code ?? ""}: ${json.error?.message ?? "request failed"}`,
      );
    }
    return json;
  }
  return { get: (path) => call("GET", path), post: (path, body) => call("POST", path, body) };
}
