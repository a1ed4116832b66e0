import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { feedbackToken } from "../feedback/token.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { storeErrors } from "../stores/errors.js";
import { tillTokenOf } from "../stores/model.js";
import { tillByToken } from "../stores/store.js";
import { walletError } from "../wallets/errors.js";
import type { StepUpProof } from "../wallets/stepup/service.js";
import type { WalletUser } from "../wallets/users/model.js";
import { type Charger, isPayable, notPayableError } from "./charge.js";
import type { PaymentCreation } from "./create.js";
import type { PaymentContext } from "./deps.js";
import { paymentError } from "./errors.js";
import { type Payment, type PaymentRow, paymentFromRow, type WalletPaymentJson, walletPaymentJson } from "./model.js";
import { markOpened } from "./opened.js";
import { qrTokenOf } from "./qr.js";
import type { PaymentStatus } from "./state-machine.js";
import { getPayment, getPaymentForPayer, merchantName, recordPaymentEvent } from "./store.js";
import { changePaymentStatus } from "./transitions.js";

/**
 * The payer's side, for the wallet app and the checkout page: find a payment by its QR payload, see it, confirm it
 * (with step-up above the wallet's threshold), or decline it.
 *
 * Who may see a payment: its payer (payment_code payments name theirs from the start; others once paid), and any
 * wallet user of the same mode while a qr or checkout payment is still open, as anyone may scan a QR code on a
 * counter. Everyone else gets 404, as for an id that does not exist.
 */
export type PayerActions = ReturnType<typeof createPayerActions>;

const notFound = () => new ApiError("resource_not_found", "No such payment.", "id");

export function createPayerActions(ctx: PaymentContext, charger: Charger, creation: PaymentCreation) {
  const { pool, links } = ctx;

  function visibleTo(payment: Payment | undefined, user: WalletUser): Payment {
    if (!payment || payment.livemode !== user.livemode) throw notFound();
    if (payment.payerId === user.id) return payment;
    if (payment.payerId === null && payment.method !== "payment_code" && isPayable(payment.status)) return payment;
    throw notFound();
  }

  function jsonNamed(payment: Payment, merchant: string): WalletPaymentJson {
    return walletPaymentJson(payment, merchant, {
      stepUpRequired: ctx.wallets.stepUp.isRequired(payment.amount, payment.currency),
      links,
      // The payer's feedback link (src/feedback): the checkout page rates the payment with it after paying.
      feedbackToken: payment.payerId ? feedbackToken(ctx.feedbackKey, payment.id, payment.payerId) : null,
    });
  }

  async function json(payment: Payment): Promise<WalletPaymentJson> {
    return jsonNamed(payment, await merchantName(pool, payment.merchantId));
  }

  /**
   * POST /v1/wallet/scan: the payment behind a merchant's QR code. A till's static QR code (/t/<token>) holds no
   * amount: the payer's typed amount makes an ordinary qr payment of the till's merchant, at that till, in the
   * store's currency (the same creation path, events and webhooks as any payment), answered for confirmation.
   */
  async function scan(
    userId: string,
    payload: string,
    amount?: unknown,
    answer?: AnswerRecorder<WalletPaymentJson>,
  ): Promise<WalletPaymentJson> {
    const user = await ctx.wallets.users.get(userId);
    const invalid = () =>
      new ApiError(
        "resource_not_found",
        "This QR code is not a payment of this coffer, or it is no longer open.",
        "payload",
      );
    const tillToken = tillTokenOf(payload);
    if (tillToken) return scanTill(user, tillToken, amount, invalid, answer);
    if (amount !== undefined) {
      throw new ApiError(
        "parameter_invalid",
        "amount goes with a till's QR code only; this one has its own.",
        "amount",
      );
    }
    const token = qrTokenOf(payload);
    if (!token) throw invalid();
    const found = await pool.query<PaymentRow>("SELECT * FROM payments WHERE qr_token = $1", [token]);
    const payment = found.rows[0] && paymentFromRow(found.rows[0]);
    let visible: Payment;
    try {
      visible = visibleTo(payment, user);
    } catch {
      throw invalid();
    }
    await markOpened(pool, ctx.testClocks, visible);
    return json(visible);
  }

  /**
   * What a till's QR code is, before the payer types an amount: whose till, and in which currency the amount is.
   * The same 404 as scan for a code that is not a till of this wallet's mode; a deactivated till says so.
   */
  async function till(userId: string, payload: string) {
    const user = await ctx.wallets.users.get(userId);
    const token = tillTokenOf(payload);
    const found = token ? await tillByToken(pool, token) : undefined;
    if (!found || found.till.livemode !== user.livemode) {
      throw new ApiError("resource_not_found", "This QR code is not a till of this coffer.", "payload");
    }
    if (!found.till.active) throw storeErrors.toApiError("till_inactive", undefined, "payload");
    return {
      object: "wallet_till" as const,
      livemode: found.till.livemode,
      merchant: { name: found.merchantName },
      store: { name: found.storeName },
      name: found.till.name,
      currency: found.currency,
    };
  }

  async function scanTill(
    user: WalletUser,
    token: string,
    amount: unknown,
    invalid: () => ApiError,
    answer?: AnswerRecorder<WalletPaymentJson>,
  ): Promise<WalletPaymentJson> {
    const found = await tillByToken(pool, token);
    // A till of the other mode is as unknown to this wallet as a made-up code.
    if (!found || found.till.livemode !== user.livemode) throw invalid();
    if (!found.till.active) throw storeErrors.toApiError("till_inactive", undefined, "payload");
    if (amount === undefined) {
      throw new ApiError("parameter_missing", "A till's QR code needs the amount you pay, typed in.", "amount");
    }
    const scope = { merchantId: found.till.merchantId, livemode: found.till.livemode };
    const payment = await creation.create(
      scope,
      { amount, currency: found.currency, method: "qr", till: found.till.id },
      answer && ((tx, created) => answer(tx, jsonNamed(created, found.merchantName))),
    );
    await markOpened(pool, ctx.testClocks, payment);
    return jsonNamed(payment, found.merchantName);
  }

  async function get(userId: string, id: string): Promise<WalletPaymentJson> {
    const user = await ctx.wallets.users.get(userId);
    return json(visibleTo(await getPayment(pool, id), user));
  }

  /** The payer's own payments, newest first: what waits for confirmation (status=processing) and what was paid. */
  async function list(
    userId: string,
    filter: { status?: PaymentStatus },
    page: PageRequest,
  ): Promise<ListPage<WalletPaymentJson>> {
    const rows = await keysetPage<PaymentRow>(pool, page, {
      from: "payments",
      scope: "payer_id = $1",
      filter: "$2::text IS NULL OR status = $2",
      params: [userId, filter.status ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const page_ = mapPage(rows, paymentFromRow);
    return { ...page_, data: await Promise.all(page_.data.map(json)) };
  }

  /**
   * Pays a payment from the caller's wallet. Confirming again what this payer paid answers the payment as it is
   * (and the ledger would answer `exists` for a racing duplicate), so a retried or doubled tap charges once.
   */
  async function confirm(
    userId: string,
    id: string,
    options: { stepUp?: StepUpProof; ip?: string | null },
    answer?: AnswerRecorder<WalletPaymentJson>,
  ): Promise<WalletPaymentJson> {
    const user = await ctx.wallets.users.get(userId);
    const found = await getPaymentForPayer(pool, id);
    // Paying again (src/payment-attempts, docs/adr/0028): an ended payment that allows it takes a new attempt, by
    // whoever of its mode holds its link, as an open checkout payment would.
    if (found && found.payment.livemode === user.livemode && ctx.retries?.isRetry(found.payment)) {
      const name = found.merchantName;
      const again = await ctx.retries.payAgain(
        user.id,
        found.payment,
        options,
        answer && ((tx, p) => answer(tx, jsonNamed(p, name))),
      );
      return jsonNamed(again, name);
    }
    const payment = visibleTo(found?.payment, user);
    const merchant = found!.merchantName;
    const paid = payment.status === "succeeded" || payment.status === "requires_capture";
    if (paid && payment.payerId === user.id) return jsonNamed(payment, merchant);
    const now = await ctx.testClocks.now(payment.merchantId, payment.livemode);
    if (!isPayable(payment.status) || payment.expiresAt <= now) throw notPayableError(payment, user.id, now);
    if (payment.method === "payment_code" && payment.status !== "processing") {
      throw paymentError("payment_status_invalid", "This payment is being charged already.", "id");
    }
    // Sandbox hook: a test payer's scenario may have coffer's checks refuse it (limit_exceeded, risk_declined).
    const plan = payment.livemode ? undefined : await ctx.sandbox?.planFor(user.id, payment);
    // The answer is rendered inside the payment's transaction, so the merchant's name was read before it.
    const answerPayment = answer && ((tx: Queryable, p: Payment) => answer(tx, jsonNamed(p, merchant)));
    if (plan?.kind === "refuse") {
      return jsonNamed(await charger.fail(payment, plan.code, plan.message, answerPayment), merchant);
    }
    if (!(await creation.holdsCurrency(user.id, payment.currency))) {
      throw walletError("insufficient_funds", `Your wallet holds no ${payment.currency}.`, "amount");
    }
    const auth = await ctx.wallets.spend.authorize(user.id, {
      amount: payment.amount,
      currency: payment.currency,
      stepUp: options.stepUp,
      ip: options.ip ?? null,
      user,
    });
    const outcome = await charger.charge(payment, auth, { answer: answerPayment });
    if (outcome.kind === "insufficient_funds") throw walletError("insufficient_funds", undefined, "amount");
    return jsonNamed(outcome.payment, merchant);
  }

  /**
   * Says no. A payment waiting for this payer's confirmation (a payment code above the password-free amount) fails
   * with payer_declined. An open qr or checkout payment is left as it is: one scanner saying no must not end a
   * payment that someone else at the counter may still pay; it expires or the merchant cancels it.
   */
  async function decline(userId: string, id: string): Promise<WalletPaymentJson> {
    const user = await ctx.wallets.users.get(userId);
    const payment = visibleTo(await getPayment(pool, id), user);
    if (payment.payerId === null) return json(payment);
    if (payment.status !== "processing") {
      throw paymentError("payment_status_invalid", `This payment is ${payment.status}; it cannot be declined.`, "id");
    }
    const now = await ctx.testClocks.now(payment.merchantId, payment.livemode);
    const changed = await withTransaction(pool, async (tx) => {
      const result = await changePaymentStatus(tx, {
        id: payment.id,
        from: ["processing"],
        to: "failed",
        at: now,
        set: { failure_code: "payer_declined", failure_message: "The payer declined the payment.", due_at: null },
        where: { sql: "p.payer_id = ?", params: [user.id] },
      });
      if (result) await recordPaymentEvent(tx, ctx, result.payment, now, result.previous);
      return result;
    });
    if (!changed) {
      const current = await getPayment(pool, payment.id);
      throw paymentError("payment_status_invalid", `This payment is ${current?.status}; it cannot be declined.`, "id");
    }
    return json(changed.payment);
  }

  return { scan, till, get, list, confirm, decline };
}
