import { randomUUID } from "node:crypto";
import http from "node:http";
import { Coffer, CofferError, InvalidRequestError, verifyWebhook, WebhookVerificationError } from "@coffer/sdk";
import { findProduct, products } from "./catalog.js";
import type { ShopConfig } from "./config.js";
import { handleEvent } from "./events.js";
import { type Order, type PaymentMethod, ShopStore } from "./orders.js";
import { adminPage, errorPage, orderPage, posPage, productsPage } from "./pages.js";

/** Forms are a few fields; a webhook is one event. Anything bigger is refused before it is read whole. */
const formBodyMaxBytes = 16 * 1024;
const webhookBodyMaxBytes = 1024 * 1024;

type Request = http.IncomingMessage;
type Response = http.ServerResponse;

class BodyTooLargeError extends Error {}

/**
 * The shop: an HTTP server with the product page, checkout (QR and coffer's hosted page), a till for payment
 * codes, an admin page with refunds and payouts, and the webhook handler. `createShop(config).listen(3000)`.
 */
export function createShop(config: ShopConfig): http.Server {
  const coffer = new Coffer(config.secretKey, { baseUrl: config.cofferUrl });
  const store = new ShopStore();

  /** Creates the coffer payment of a new order. The order id is both the idempotency key and the metadata. */
  async function payForOrder(order: Order, extra: { return_url?: string; payment_code?: string }) {
    const payment = await coffer.payments.create(
      {
        amount: order.product.price,
        currency: order.product.currency,
        method: order.method,
        description: order.product.name,
        metadata: { order_id: order.id },
        ...extra,
      },
      // The same key on a retry (ours or the SDK's) gets the same payment back instead of a second one.
      { idempotencyKey: `order-${order.id}` },
    );
    store.attachPayment(order, payment);
    return payment;
  }

  /** Customer checkout from the product page: method qr shows the QR code here, checkout goes to coffer's page. */
  async function startCheckout(request: Request, response: Response) {
    const form = await readForm(request);
    const product = findProduct(form.get("product"));
    const method = form.get("method");
    if (!product || (method !== "qr" && method !== "checkout")) {
      return sendHtml(response, 400, errorPage("Unknown item", "Pick an item and a way to pay on the shop page."));
    }
    const order = store.createOrder(product, method);
    try {
      const payment = await payForOrder(
        order,
        method === "checkout" ? { return_url: `${shopUrl(config, request)}/orders/${order.id}` } : {},
      );
      redirect(response, method === "checkout" && payment.checkout_url ? payment.checkout_url : `/orders/${order.id}`);
    } catch (error) {
      if (!(error instanceof CofferError)) throw error;
      if (error instanceof InvalidRequestError) store.discard(order.id);
      sendHtml(response, 502, errorPage("Payment not started", describe(error)));
    }
  }

  /** The till: the cashier types the payment code the customer's wallet shows. */
  async function chargePaymentCode(request: Request, response: Response) {
    const form = await readForm(request);
    const product = findProduct(form.get("product"));
    const code = (form.get("payment_code") ?? "").replace(/\s+/g, "");
    if (!product) return sendHtml(response, 400, posPage(products, "Pick an item."));
    const order = store.createOrder(product, "payment_code" satisfies PaymentMethod);
    try {
      await payForOrder(order, { payment_code: code });
      redirect(response, `/orders/${order.id}`);
    } catch (error) {
      if (!(error instanceof CofferError)) throw error;
      // Refused (an unknown or used code…): no payment exists, so the order goes and the cashier tries again.
      if (error instanceof InvalidRequestError) store.discard(order.id);
      sendHtml(response, 422, posPage(products, describe(error)));
    }
  }

  async function refundOrder(response: Response, orderId: string) {
    const order = store.order(orderId);
    if (!order?.paymentId) return sendHtml(response, 404, errorPage("No such order", orderId));
    if (order.status !== "paid") {
      return sendHtml(response, 409, errorPage("Not refundable", `Order ${order.id} is ${order.status}.`));
    }
    // One key per attempt: a double click refunds once; after a refund failed, the next click is a new attempt.
    const attempt = order.refunds.filter((r) => r.status === "failed").length;
    try {
      const refund = await coffer.refunds.create(
        { payment: order.paymentId, reason: "requested_by_customer" },
        { idempotencyKey: `refund-${order.id}-${attempt}` },
      );
      // The outcome (succeeded or failed) is left to the refund's webhooks, like the payment's.
      if (!order.refunds.some((r) => r.id === refund.id)) {
        order.refunds.push({ id: refund.id, status: "pending", failureCode: null });
      }
      redirect(response, "/admin");
    } catch (error) {
      if (!(error instanceof CofferError)) throw error;
      sendHtml(response, 502, errorPage("Refund not made", describe(error)));
    }
  }

  async function payOut(request: Request, response: Response) {
    const form = await readForm(request);
    const key = form.get("idempotency_key") ?? "";
    const balance = await coffer.balance.retrieve();
    const usd = balance.currencies.find((c) => c.currency === "USD");
    if (!usd || usd.available === "0") return sendHtml(response, 409, errorPage("Nothing to pay out", "Balance 0."));
    try {
      const payout = await coffer.payouts.create(
        { amount: usd.available, currency: "USD", description: "Tea House payout" },
        { idempotencyKey: `payout-${key}` },
      );
      store.rememberPayout(payout);
      redirect(response, "/admin");
    } catch (error) {
      if (!(error instanceof CofferError)) throw error;
      sendHtml(response, 502, errorPage("Payout not made", describe(error)));
    }
  }

  /**
   * POST /webhooks/coffer. The signature is checked against the raw bytes as they arrived (parsing and
   * re-serializing the JSON would change them); a bad one gets 400 and changes nothing. A good one gets 200 once
   * it is handled, also when it is a duplicate: coffer stops retrying only on a 2xx.
   */
  async function receiveWebhook(request: Request, response: Response) {
    const body = await readBody(request, webhookBodyMaxBytes);
    let event: Awaited<ReturnType<typeof verifyWebhook>>;
    try {
      event = await verifyWebhook(body, request.headers, config.webhookSecret);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return sendJson(response, 400, { error: error.message });
    }
    sendJson(response, 200, { received: event.id, outcome: handleEvent(store, event) });
  }

  async function route(request: Request, response: Response) {
    const url = new URL(request.url ?? "/", "http://shop.invalid");
    const path = url.pathname;
    const method = request.method ?? "GET";
    if (method === "GET" && path === "/") return sendHtml(response, 200, productsPage(products));
    if (method === "POST" && path === "/orders") return startCheckout(request, response);
    if (method === "GET" && path === "/pos") return sendHtml(response, 200, posPage(products));
    if (method === "POST" && path === "/pos") return chargePaymentCode(request, response);
    if (method === "POST" && path === "/webhooks/coffer") return receiveWebhook(request, response);
    if (method === "GET" && path === "/admin") {
      const view = { orders: store.orders(), payouts: store.payouts(), payoutKey: randomUUID() };
      return sendHtml(response, 200, adminPage({ ...view, balance: await coffer.balance.retrieve() }));
    }
    if (method === "GET" && path === "/admin/payouts.json") return sendJson(response, 200, store.payouts());
    if (method === "POST" && path === "/admin/payouts") return payOut(request, response);
    const refund = /^\/admin\/orders\/([\w-]+)\/refund$/.exec(path);
    if (method === "POST" && refund) return refundOrder(response, refund[1]!);
    const orderJson = /^\/orders\/([\w-]+)\.json$/.exec(path);
    if (method === "GET" && orderJson) {
      const order = store.order(orderJson[1]!);
      return order ? sendJson(response, 200, orderView(order)) : sendJson(response, 404, { error: "no such order" });
    }
    const orderHtml = /^\/orders\/([\w-]+)$/.exec(path);
    if (method === "GET" && orderHtml) {
      const order = store.order(orderHtml[1]!);
      return order
        ? sendHtml(response, 200, orderPage(order))
        : sendHtml(response, 404, errorPage("No such order", orderHtml[1]!));
    }
    sendHtml(response, 404, errorPage("Not found", path));
  }

  return http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) return sendJson(response, 413, { error: "body too large" });
      console.error(error);
      if (!response.headersSent) sendHtml(response, 500, errorPage("Something went wrong", "Please try again."));
      else response.end();
    });
  });
}

/** What GET /orders/{id}.json answers: the order as the shop knows it (the order page polls it). */
function orderView(order: Order) {
  return {
    id: order.id,
    status: order.status,
    product: order.product.id,
    amount: order.product.price,
    currency: order.product.currency,
    method: order.method,
    payment: order.paymentId,
    failure_code: order.failureCode,
    paid_at: order.paidAt,
    refunds: order.refunds.map((r) => ({ id: r.id, status: r.status, failure_code: r.failureCode })),
    events: order.events,
  };
}

function describe(error: CofferError): string {
  return error.code ? `${error.message} (${error.code})` : error.message;
}

function shopUrl(config: ShopConfig, request: Request): string {
  return (config.publicUrl ?? `http://${request.headers.host ?? "127.0.0.1"}`).replace(/\/+$/, "");
}

async function readBody(request: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readForm(request: Request): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(request, formBodyMaxBytes)).toString("utf8"));
}

function sendHtml(response: Response, status: number, body: string): void {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(body);
}

function sendJson(response: Response, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** 303: the browser follows with a GET, so reloading the next page does not submit the form again. */
function redirect(response: Response, location: string): void {
  response.writeHead(303, { location }).end();
}
