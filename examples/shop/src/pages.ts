import type { Balance } from "@coffer/sdk";
import { formatMoney, type Product } from "./catalog.js";
import { type Html, html, trusted } from "./html.js";
import type { Order, PayoutRecord } from "./orders.js";

/** The shop's pages, rendered on the server. Customer pages first, then the staff pages (POS and admin). */

const style = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
  header a { color: #555; }
  .product, .panel { border: 1px solid #ddd; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  .price { font-weight: 600; }
  form.inline { display: inline; }
  button { font: inherit; padding: .35rem .8rem; cursor: pointer; }
  .status { font-weight: 600; }
  .error { color: #a40000; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
  .qr svg { width: 240px; height: 240px; }
`;

function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · Tea House</title>
  <style>${trusted(style)}</style>
</head>
<body>
  <header><strong>Tea House</strong> <a href="/">Shop</a> <a href="/pos">Till (POS)</a> <a href="/admin">Admin</a></header>
  ${body}
</body>
</html>
`.text;
}

export function productsPage(products: readonly Product[]): string {
  return page(
    "Shop",
    html`<h1>Tea</h1>
      <p>Test mode: nothing you pay here costs real money.</p>
      ${products.map(
        (product) => html`<div class="product">
          <h2>${product.name}</h2>
          <p>${product.description}</p>
          <p class="price">${formatMoney(product.price, product.currency)}</p>
          <form class="inline" method="post" action="/orders">
            <input type="hidden" name="product" value="${product.id}">
            <button name="method" value="qr">Pay with a QR code</button>
            <button name="method" value="checkout">Pay on the coffer checkout page</button>
          </form>
        </div>`,
      )}`,
  );
}

const statusText: Record<Order["status"], string> = {
  awaiting_payment: "Waiting for your payment",
  processing: "Waiting for you to confirm the payment in your wallet",
  paid: "Paid — thank you!",
  failed: "The payment failed",
  canceled: "The payment was canceled",
  expired: "The payment expired",
  refunded: "Refunded",
};

export function orderPage(order: Order): string {
  const open = order.status === "awaiting_payment" || order.status === "processing";
  return page(
    `Order ${order.id}`,
    html`<h1>Order ${order.id}</h1>
      <p>${order.product.name} — <span class="price">${formatMoney(order.product.price, order.product.currency)}</span></p>
      <p>Status: <span class="status" id="status" data-status="${order.status}">${statusText[order.status]}</span>
        ${order.failureCode ? html`<span class="error">(${order.failureCode})</span>` : ""}</p>
      ${
        open && order.qrSvg
          ? html`<div class="qr"><p>Scan with your coffer wallet:</p>${trusted(order.qrSvg)}</div>`
          : ""
      }
      ${open ? pollScript(order) : ""}`,
  );
}

/** Asks the shop (not coffer) every two seconds whether the order changed, and reloads when it did. */
function pollScript(order: Order): Html {
  return html`<script>
    setInterval(async () => {
      const response = await fetch("/orders/${trusted(encodeURIComponent(order.id))}.json");
      if (response.ok && (await response.json()).status !== document.getElementById("status").dataset.status) {
        location.reload();
      }
    }, 2000);
  </script>`;
}

export function posPage(products: readonly Product[], problem?: string): string {
  return page(
    "Till",
    html`<h1>Till</h1>
      <p>Scan (or type) the payment code the customer's wallet shows.</p>
      ${problem ? html`<p class="error">${problem}</p>` : ""}
      <form class="panel" method="post" action="/pos">
        <p><label>Item
          <select name="product">
            ${products.map((p) => html`<option value="${p.id}">${p.name} — ${formatMoney(p.price, p.currency)}</option>`)}
          </select></label></p>
        <p><label>Payment code <input name="payment_code" inputmode="numeric" autocomplete="off" required></label></p>
        <button>Charge</button>
      </form>`,
  );
}

export function adminPage(view: {
  orders: Order[];
  payouts: PayoutRecord[];
  balance: Balance;
  /** A fresh Idempotency-Key for the payout form: submitting it twice makes one payout. */
  payoutKey: string;
}): string {
  const usd = view.balance.currencies.find((c) => c.currency === "USD");
  return page(
    "Admin",
    html`<h1>Admin</h1>
      <div class="panel">
        <h2>Balance</h2>
        <p>Available ${formatMoney(usd?.available ?? "0", "USD")} · in transit ${formatMoney(usd?.in_transit ?? "0", "USD")}</p>
        <form method="post" action="/admin/payouts">
          <input type="hidden" name="idempotency_key" value="${view.payoutKey}">
          <button ${usd && usd.available !== "0" ? "" : "disabled"}>Pay out the available balance</button>
        </form>
        ${
          view.payouts.length > 0
            ? html`<table><tr><th>Payout</th><th>Amount</th><th>Status</th></tr>
              ${view.payouts.map(
                (p) => html`<tr><td>${p.id}</td><td>${formatMoney(p.amount, p.currency)}</td>
                  <td>${p.status} ${p.failureCode ? html`<span class="error">(${p.failureCode})</span>` : ""}</td></tr>`,
              )}</table>`
            : ""
        }
      </div>
      <h2>Orders</h2>
      <table>
        <tr><th>Order</th><th>Item</th><th>Paid with</th><th>Status</th><th></th></tr>
        ${view.orders.map(
          (order) => html`<tr>
            <td><a href="/orders/${order.id}">${order.id}</a></td>
            <td>${order.product.name}</td>
            <td>${order.method}</td>
            <td>${order.status} ${order.failureCode ? html`<span class="error">(${order.failureCode})</span>` : ""}
              ${order.refunds.map((r) => html`<br>refund ${r.status} ${r.failureCode ? `(${r.failureCode})` : ""}`)}</td>
            <td>${
              order.status === "paid"
                ? html`<form method="post" action="/admin/orders/${order.id}/refund"><button>Refund</button></form>`
                : ""
            }</td>
          </tr>`,
        )}
      </table>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p class="error">${message}</p><p><a href="/">Back to the shop</a></p>`);
}
