import type { App } from "../../src/app.js";

/**
 * Requests to the sandbox's endpoints as a given key or wallet session: `send(bearer, method, url, body?)`. A POST
 * without a body sends `{}`; a GET sends none. `app` is read per request, so tests can start coffer in `before`.
 */
export function bearerSender(app: () => App) {
  return (bearer: string, method: "GET" | "POST", url: string, body: unknown = method === "POST" ? {} : undefined) =>
    app().inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
}
