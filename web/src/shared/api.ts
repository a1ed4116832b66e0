/**
 * The web app talks to coffer only through its public HTTP API. One small client per audience: the console and the
 * operator console use HttpOnly cookies plus a CSRF header on writes; the wallet app a bearer token. Errors come back
 * as ApiRequestError carrying coffer's error object, so pages can show the code's message and mark the right field.
 */
export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string | null;
  request_id?: string;
}

export class ApiRequestError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = "ApiRequestError";
    this.status = status;
    this.body = body;
  }
  get code(): string {
    return this.body.code;
  }
  get param(): string | null {
    return this.body.param ?? null;
  }
}

export interface ApiClientOptions {
  /** Headers added to every request, read at call time (CSRF token, bearer token, mode). */
  headers?: () => Record<string, string | undefined>;
  /** Called on a 401 so the app can go back to its login page. */
  onUnauthorized?: () => void;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, options?: { idempotencyKey?: string }): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
  /** For multipart uploads and other bodies that are not JSON. */
  send<T>(method: string, path: string, body: BodyInit): Promise<T>;
  /** For downloads (CSV statements, documents). */
  raw(path: string): Promise<Response>;
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const request = async <T>(method: string, path: string, body?: BodyInit, extra?: Record<string, string>) => {
    const headers = new Headers({ accept: "application/json" });
    for (const [name, value] of Object.entries({ ...options.headers?.(), ...extra })) {
      if (value !== undefined) headers.set(name, value);
    }
    if (typeof body === "string") headers.set("content-type", "application/json");
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body, credentials: "same-origin" });
    } catch {
      throw new ApiRequestError(0, {
        type: "api_connection_error",
        code: "network_error",
        message: "coffer could not be reached. Check your connection and try again.",
      });
    }
    if (response.status === 401) options.onUnauthorized?.();
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: ApiErrorBody } | undefined)?.error;
      throw new ApiRequestError(
        response.status,
        error ?? { type: "api_error", code: `http_${response.status}`, message: response.statusText },
      );
    }
    return parsed as T;
  };
  return {
    get: (path, query) => request("GET", withQuery(path, query)),
    post: (path, body, opts) =>
      request("POST", path, JSON.stringify(body ?? {}), {
        "idempotency-key": opts?.idempotencyKey ?? newIdempotencyKey(),
      }),
    put: (path, body) => request("PUT", path, JSON.stringify(body ?? {})),
    del: (path) => request("DELETE", path),
    send: (method, path, body) =>
      request(method, path, body, method === "POST" ? { "idempotency-key": newIdempotencyKey() } : {}),
    async raw(path) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(options.headers?.() ?? {})) {
        if (value !== undefined) headers.set(name, value);
      }
      return fetch(path, { headers, credentials: "same-origin" });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** coffer's list shape. */
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}
