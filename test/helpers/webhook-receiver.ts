import http from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server that receives webhooks; its answer is programmable, every request is kept. */
export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** What to answer: a status code, or a function deciding per request. */
  respond: (request: ReceivedWebhook) => {
    status: number;
    headers?: Record<string, string>;
    body?: string;
    delayMs?: number;
  };
  /** The most requests that were in flight at once for one webhook-id. */
  maxConcurrentPerId(): number;
  stop(): Promise<void>;
  /** Listens again on the same port (a receiver that was down comes back). */
  start(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const inFlight = new Map<string, number>();
  let maxConcurrent = 0;
  let server: http.Server | undefined;
  const receiver: WebhookReceiver = {
    url: "",
    port,
    received: [],
    respond: () => ({ status: 200 }),
    maxConcurrentPerId: () => maxConcurrent,
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (c: Buffer) => chunks.push(c));
        request.on("end", () => {
          const webhook: ReceivedWebhook = {
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            receivedAt: Date.now(),
          };
          receiver.received.push(webhook);
          const id = String(request.headers["webhook-id"] ?? "");
          const now = (inFlight.get(id) ?? 0) + 1;
          inFlight.set(id, now);
          maxConcurrent = Math.max(maxConcurrent, now);
          const answer = receiver.respond(webhook);
          setTimeout(() => {
            inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
            response.writeHead(answer.status, answer.headers ?? {});
            response.end(answer.body ?? "");
          }, answer.delayMs ?? 0);
        });
      });
      await new Promise<void>((resolve) => server!.listen(receiver.port, "127.0.0.1", resolve));
      receiver.port = (server.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${receiver.port}`;
    },
  };
  await receiver.start();
  return receiver;
}
