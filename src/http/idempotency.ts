import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Queryable } from "../db/pool.js";
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
 * A route that changes state stores its answer in the same database transaction as the change (answerWithEffect):
 * after a crash a retry finds either the stored answer or nothing done, never the change without its answer. Other
 * answers (refusals, reads) are stored after the handler, which is safe because they changed nothing.
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
    /** The key this request claimed, if it sent one on an idempotent route. */
    idempotencyHold: HeldKey | null;
  }
}

interface HeldKey {
  store: IdempotencyStore;
  claim: IdempotencyClaim;
  lease: string;
  /** The answer was stored in the effect's transaction and is what is being sent: nothing is left to store. */
  answeredWithEffect: boolean;
}

const jsonContentType = "application/json; charset=utf-8";

/** Stores a route's answer in the transaction of the effect it answers for; services call it there. */
export type AnswerRecorder<T> = (tx: Queryable, value: T) => Promise<void>;

export interface EffectAnswer<T> {
  record: AnswerRecorder<T>;
  /** What the route returns: the exact bytes stored with the effect, or value rendered now if none was stored. */
  send(value: T): string;
  /**
   * Sends send(value) and returns the reply, for routes whose type provider types their return value as the
   * schema's object: a string body skips the serializer, which that typing does not know.
   */
  respond(value: T): FastifyReply;
}

/**
 * The answer of a state-changing route, rendered by the route's own response schema for statusCode. The service
 * calls record(tx, value) in the transaction that makes the change (it may run more than once if the transaction
 * is retried; the committed run is the one that counts), and the route returns send(value).
 */
export function answerWithEffect<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  toJson: (value: T) => unknown,
): EffectAnswer<T> {
  let recorded: string | undefined;
  const render = (value: T): string => {
    reply.code(statusCode);
    return reply.serialize(toJson(value)) as string;
  };
  const answer: EffectAnswer<T> = {
    async record(tx, value) {
      const body = render(value);
      const hold = request.idempotencyHold;
      if (hold) {
        await hold.store.completeIn(tx, hold.claim, hold.lease, { statusCode, contentType: jsonContentType, body });
      }
      recorded = body;
    },
    send(value) {
      reply.code(statusCode).type(jsonContentType);
      const hold = request.idempotencyHold;
      if (recorded !== undefined && hold) hold.answeredWithEffect = true;
      return recorded ?? render(value);
    },
    respond(value) {
      return reply.send(answer.send(value));
    },
  };
  return answer;
}

export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest("idempotencyScope", null);
  app.decorateRequest("idempotencyHold", null);

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
        request.idempotencyHold = { store, claim, lease: result.lease, answeredWithEffect: false };
        return;
    }
  });

  // The response is stored before it is sent: a client that sees it and retries must find it stored.
  app.addHook("onSend", async (request, reply, payload) => {
    const key = request.idempotencyHold;
    if (!key) return payload;
    request.idempotencyHold = null;
    if (key.answeredWithEffect) return payload;
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
        const contentType = String(reply.getHeader("content-type") ?? jsonContentType);
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
    const key = request.idempotencyHold;
    if (!key) return;
    request.idempotencyHold = null;
    if (key.answeredWithEffect) return;
    await store.release(key.claim, key.lease).catch((error: unknown) => {
      request.log.error({ err: error }, "idempotency key could not be released");
    });
  });
}
