import assert from "node:assert/strict";

/**
 * The example shop (examples/shop) driven over HTTP the way a browser and a cashier use it: forms posted, redirects
 * read instead of followed, and the order JSON the order page polls.
 */
export interface ShopOrder {
  id: string;
  status: string;
  product: string;
  amount: string;
  currency: string;
  method: string;
  payment: string | null;
  failure_code: string | null;
  paid_at: number | null;
  refunds: { id: string; status: string; failure_code: string | null }[];
  events: { id: string; type: string }[];
}

export interface ShopPayout {
  id: string;
  amount: string;
  currency: string;
  status: string;
  failureCode: string | null;
  events: { id: string; type: string }[];
}

export class ShopClient {
  constructor(readonly url: string) {}

  /** Posts a form; answers the status, the redirect target (if any) and the body. */
  async submit(path: string, fields: Record<string, string>) {
    const response = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
    return { status: response.status, location: response.headers.get("location"), body: await response.text() };
  }

  /** "Pay with a QR code" / "Pay on the coffer checkout page" on the product page. */
  async buy(product: string, method: "qr" | "checkout") {
    const answer = await this.submit("/orders", { product, method });
    assert.equal(answer.status, 303, answer.body);
    const newest = /href="\/orders\/(ord_\w+)"/.exec(await this.page("/admin"))?.[1];
    assert.ok(newest, "the shop made an order");
    return { order: await this.order(newest), location: answer.location ?? "" };
  }

  /** The till: the cashier types the customer's payment code. */
  async charge(product: string, paymentCode: string): Promise<ShopOrder> {
    const answer = await this.submit("/pos", { product, payment_code: paymentCode });
    assert.equal(answer.status, 303, answer.body);
    const id = /^\/orders\/(ord_\w+)$/.exec(answer.location ?? "")?.[1];
    assert.ok(id, `the till sends the cashier to the order, not to ${answer.location}`);
    return this.order(id);
  }

  async order(id: string): Promise<ShopOrder> {
    const response = await fetch(`${this.url}/orders/${id}.json`);
    assert.equal(response.status, 200);
    return (await response.json()) as ShopOrder;
  }

  /** Every order, newest first, read from the admin page's links. */
  async orders(): Promise<ShopOrder[]> {
    const admin = await this.page("/admin");
    const ids = [...admin.matchAll(/href="\/orders\/(ord_\w+)"/g)].map((m) => m[1]!);
    return Promise.all(ids.map((id) => this.order(id)));
  }

  async page(path: string): Promise<string> {
    const response = await fetch(`${this.url}${path}`);
    assert.equal(response.status, 200, path);
    return response.text();
  }

  /** The refund button of an order on the admin page. */
  async refund(orderId: string) {
    return this.submit(`/admin/orders/${orderId}/refund`, {});
  }

  /** "Pay out the available balance" on the admin page, with the idempotency key the page rendered. */
  async payOut() {
    const admin = await this.page("/admin");
    const key = /name="idempotency_key" value="([^"]+)"/.exec(admin)?.[1];
    assert.ok(key, "the admin page renders a payout idempotency key");
    return this.submit("/admin/payouts", { idempotency_key: key });
  }

  async payouts(): Promise<ShopPayout[]> {
    return (await fetch(`${this.url}/admin/payouts.json`)).json() as Promise<ShopPayout[]>;
  }
}

/** The event types of an order or payout, sorted: webhooks arrive in any order, so they are compared as a set. */
export function eventTypeSet(received: { events: { type: string }[] }): string[] {
  return [...new Set(received.events.map((e) => e.type))].sort();
}
