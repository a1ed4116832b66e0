import type { FastifyInstance, FastifyRequest } from "fastify";
import { idempotencyKeyLengthMax, idempotencyStoredBodyBytesMax } from "../limits.js";
import { ApiError } from "./errors.js";
import {
  type IdempotencyClaim,
  type IdempotencyStore,
  isValidIdempotencyKey,
  requestFingerprint,
} from "./idempotency-store.js";

/**
 * `Idempotency-Key` for POST routes. A route opts in with `config: { idempotent: true }`; a request without the
 * header runs normally. With it:
 *   - the first request claims the key and runs; its response (2xx, 3xx and 4xx) is stored for 24 h;
 *   - the same request again gets the stored status and body back, with `Idempotent-Replayed: true`;
 *   - the same key while the first is still running: 409 idempotency_key_in_use;
 *   - the same key with another request: 409 idempotency_key_reused;
 *   - a 5xx releases the key, so the client can retry with it.
 *
 * Keys belong to a scope, the caller. Authentication sets `request.idempotencyScope` (merchant and mode, wallet
 * user, …) in an onRequest or preValidation hook; anonymous callers share the "public" scope. The claim runs in
 * preHandler, after validation: a request refused by its schema never uses up a key.
 */
export const idempotencyKeyHeader = "Idempotency-Key";
export const idempotentReplayedHeader = "Idempotent-Replayed";
export const publicIdempotencyScope = "public";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Honour the Idempotency-Key header on this route. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling, for idempotency keys; set by authentication. Null means anonymous ("public"). */
    idempotencyScope: string | null;
  }
}

interface HeldKey {
  claim: IdempotencyClaim;
  lease: string;
}

export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest("idempotencyScope", null);
  const held = new WeakMap<FastifyRequest, HeldKey>();

  app.addHook("preHandler", async (request, reply) => {
    if (request.routeOptions.config.idempotent !== true) return;
    const key = request.headers["idempotency-key"];
    if (key === undefined) return;
    if (typeof key !== "string" || !isValidIdempotencyKey(key)) {
      throw new ApiError(
        "idempotency_key_invalid",
        `${idempotencyKeyHeader} must be 1 to ${idempotencyKeyLengthMax} printable ASCII characters.`,
      );
    }
    const claim: IdempotencyClaim = {
      scope: request.idempotencyScope ?? publicIdempotencyScope,
      key,
      fingerprint: requestFingerprint({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        params: request.params,
        query: request.query,
        body: request.body,
      }),
    };
    const result = await store.claim(claim);
    switch (result.outcome) {
      case "reused":
        throw new ApiError("idempotency_key_reused");
      case "in_use":
        throw new ApiError("idempotency_key_in_use");
      case "replay":
        return reply
          .code(result.response.statusCode)
          .type(result.response.contentType)
          .header(idempotentReplayedHeader, "true")
          .send(result.response.body);
      case "claimed":
        held.set(request, { claim, lease: result.lease });
        return;
    }
  });

  // The response is stored before it is sent: a client that sees it and retries must find it stored.
  app.addHook("onSend", async (request, reply, payload) => {
    const key = held.get(request);
    if (!key) return payload;
    held.delete(request);
    try {
      const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : null;
      if (reply.statusCode >= 500) {
        await store.release(key.claim, key.lease);
      } else if (body === null || Buffer.byteLength(body) > idempotencyStoredBodyBytesMax) {
        // An idempotent route answers one JSON object; a stream or a huge body here is a bug in the route.
        request.log.error(
          { route: request.routeOptions.url, bytesMax: idempotencyStoredBodyBytesMax },
          "idempotent response cannot be stored; key released",
        );
        await store.release(key.claim, key.lease);
      } else {
        const contentType = String(reply.getHeader("content-type") ?? "application/json; charset=utf-8");
        await store.complete(key.claim, key.lease, { statusCode: reply.statusCode, contentType, body });
      }
    } catch (error) {
      // The answer still goes out; the key stays in progress until it is stale and a retry may take it over.
      request.log.error({ err: error }, "idempotency key could not be finished");
    }
    return payload;
  });

  // A request that ends without a response passing onSend (client gone, reply hijacked) must not hold its key.
  app.addHook("onResponse", async (request) => {
    const key = held.get(request);
    if (!key) return;
    held.delete(request);
    await store.release(key.claim, key.lease).catch((error: unknown) => {
      request.log.error({ err: error }, "idempotency key could not be released");
    });
  });
}
