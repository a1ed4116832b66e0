import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors.js";

/**
 * While the app closes, requests that arrive on still-open keep-alive connections get 503 service_unavailable in
 * our error shape (Fastify's return503OnClosing would answer in its own shape, so it is off) and
 * `Connection: close`, so the client reconnects to another instance. Requests already in flight finish normally.
 */
export function registerDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!draining) return;
    reply.header("Connection", "close");
    throw new ApiError("service_unavailable", "This coffer process is shutting down; retry the request.");
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (draining) reply.header("Connection", "close");
    return payload;
  });
}
