import { cryptoPaymentJson } from "../../crypto/payments/model.js";
import { ApiError } from "../../http/errors.js";
import { formatMinorUnits } from "../../ledger/currencies.js";
import type { PaymentContext } from "../deps.js";
import { type Payment, type PaymentRow, paymentFromRow, retryableUntil, returnUrlWith, unixSeconds } from "../model.js";
import { markOpened } from "../opened.js";
import { qrPayload, qrSvg } from "../qr.js";
import { getPayment, merchantName } from "../store.js";

/**
 * The hosted checkout's data: the public summary of a qr or checkout payment, found by its id (22 random
 * characters: unguessable, and only the merchant and the payer are told it) or by its QR token. It shows what the
 * payer needs to decide and nothing about anyone else. The web app's checkout page reads it from
 * GET /v1/checkout/{id} (and polls it while open); paying goes through the wallet API (log in, then confirm).
 */
export type Checkout = ReturnType<typeof createCheckout>;

export function createCheckout(ctx: PaymentContext) {
  const { pool, links } = ctx;

  async function payment(id: string): Promise<Payment> {
    const found = await getPayment(pool, id);
    // A payment code's payment has a checkout page only to be paid again (docs/adr/0028): its reminder links there.
    if (!found || (found.method === "payment_code" && !found.allowRetries)) {
      throw new ApiError("resource_not_found", "No such checkout.", "id");
    }
    return found;
  }

  async function summary(id: string) {
    const p = await payment(id);
    await markOpened(pool, ctx.testClocks, p);
    const currency = ctx.currencies.get(p.currency);
    const payload = p.qrToken ? qrPayload(links.base, p.qrToken) : null;
    const paid = p.status === "succeeded" || p.status === "requires_capture";
    const retryUntil = retryableUntil(p);
    return {
      id: p.id,
      object: "checkout" as const,
      livemode: p.livemode,
      status: p.status,
      merchant: { name: await merchantName(pool, p.merchantId) },
      amount: String(p.amount),
      currency: p.currency,
      amount_display: currency ? formatMinorUnits(p.amount, currency) : String(p.amount),
      // A discount (src/coupons): what was asked for, and what was taken off and why.
      amount_subtotal: String(p.amount + (p.discount?.amount ?? 0n)),
      discount: p.discount
        ? {
            name: p.discount.name,
            code: p.discount.code,
            amount: String(p.discount.amount),
            amount_display: currency ? formatMinorUnits(p.discount.amount, currency) : String(p.discount.amount),
            subtotal_display: currency
              ? formatMinorUnits(p.amount + p.discount.amount, currency)
              : String(p.amount + p.discount.amount),
            applied_by: p.discount.appliedBy,
          }
        : null,
      description: p.description,
      failure_code: p.failureCode,
      expires_at: unixSeconds(p.expiresAt),
      redirect_url: paid && p.returnUrl ? returnUrlWith(p.returnUrl, p.id) : null,
      cancel_url: p.returnUrl,
      qr: payload ? { payload, svg: qrSvg(payload, "Pay with the coffer wallet app") } : null,
      // Method crypto: the address, amount and EIP-681 QR code to pay with any wallet (src/crypto/payments).
      crypto: p.crypto ? cryptoPaymentJson(p.crypto, p) : null,
      retryable_until: retryUntil ? unixSeconds(retryUntil) : null,
      last_attempt: (await ctx.retries?.lastAttempt(p)) ?? null,
    };
  }

  /** The payment behind a QR token, for /q/{token} in a phone's browser. */
  async function paymentIdOfToken(token: string): Promise<string | undefined> {
    if (!/^[0-9A-Za-z]{22}$/.test(token)) return undefined;
    const found = await pool.query<PaymentRow>("SELECT * FROM payments WHERE qr_token = $1", [token]);
    return found.rows[0] ? paymentFromRow(found.rows[0]).id : undefined;
  }

  return { summary, paymentIdOfToken };
}

export type CheckoutSummary = Awaited<ReturnType<Checkout["summary"]>>;
