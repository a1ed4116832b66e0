import { type Operation, type OperationContext, stringField } from "./http-client.js";
import {
  type BenchSetup,
  currency,
  type Payer,
  refundablePaymentMinor,
  secretHeaders,
  walletHeaders,
} from "./http-setup.js";

/**
 * The workloads of `npm run bench -- http`. Each is an operation a caller repeats in a closed loop; an operation is
 * one or two dependent requests. Caller n acts as test payer n, so no two callers share a payer (no contention that
 * a real crowd of payers would not have), except in code-hot, where every payment comes from one scripted payer.
 */

export const workloadNames = ["healthz", "pay2", "code", "code-hot", "refund", "read", "list", "webhooks"] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** A payment's amount in pay2, code and the webhooks load: 1.00 USD. */
export const paymentMinor = 100n;
/**
 * code-hot's amount: 0.01 USD. The scripted success payer behind 880000000000000001 is funded once by coffer with
 * 100,000 minor units (sandboxTestPayerBalanceDefault; the API cannot add to it) and has tier 1's daily limit of
 * 250,000: at 1.00 USD it would be empty after 1,000 payments. At 0.01 USD the fee rounds to 0, so these payments
 * move one ledger transfer instead of two (payment and fee).
 */
export const hotPaymentMinor = 1n;
export const hotPaymentCode = "880000000000000001";
/** A partial refund: 1.00 USD of a refundablePaymentMinor payment. */
export const refundMinor = 100n;
/** A caller with no refundable payment left waits this long before it reports so again. */
const refundsUsedUpPauseMs = 100;
export const listLimit = 10;

export interface WorkloadSpec {
  name: WorkloadName;
  description: string;
  /** Requests one operation sends when it succeeds. */
  requestsPerOp: number;
  /** A fresh operation for a run with this many callers. */
  operation(callers: number): Operation;
}

function succeeded(body: string | undefined): true | string {
  // The first "status" of a payment is its own (nested objects come after it).
  const status = body === undefined ? undefined : stringField(body, "status");
  return status === "succeeded" ? true : `payment ${status ?? "without status"}`;
}

/**
 * POST /v1/payments (qr) with the secret key, then the payer confirms it: one payment, two requests. onPaid hears
 * of each payment the confirm answered as succeeded, the moment it was answered.
 */
export function payTwoStep(
  setup: BenchSetup,
  payerOf: (caller: number) => Payer,
  onPaid?: (paymentId: string) => void,
): Operation {
  return async (context: OperationContext) => {
    const created = await context.send("create", {
      method: "POST",
      path: "/v1/payments",
      headers: secretHeaders(setup.merchant, true),
      json: { amount: String(paymentMinor), currency, method: "qr" },
      read: true,
    });
    const id = created && stringField(created.body, "id");
    if (!id) return null;
    const confirmed = await context.send("confirm", {
      method: "POST",
      path: `/v1/wallet/payments/${id}/confirm`,
      headers: walletHeaders(payerOf(context.caller), true),
      json: {},
      read: true,
    });
    if (!confirmed) return null;
    const outcome = succeeded(confirmed.body);
    if (outcome === true) onPaid?.(id);
    return outcome;
  };
}

/** The payer's wallet shows a fresh one-time code; the merchant charges it. */
function payByCode(setup: BenchSetup): Operation {
  return async (context) => {
    const payer = setup.payers[context.caller]!;
    const shown = await context.send("code", {
      method: "GET",
      path: "/v1/wallet/payment_code",
      headers: walletHeaders(payer, false),
      read: true,
    });
    const code = shown && stringField(shown.body, "code");
    if (!code) return null;
    const charged = await context.send("charge", {
      method: "POST",
      path: "/v1/payments",
      headers: secretHeaders(setup.merchant, true),
      json: { amount: String(paymentMinor), currency, method: "payment_code", payment_code: code },
      read: true,
    });
    return charged ? succeeded(charged.body) : null;
  };
}

function payHot(setup: BenchSetup): Operation {
  return async (context) => {
    const charged = await context.send("charge", {
      method: "POST",
      path: "/v1/payments",
      headers: secretHeaders(setup.merchant, true),
      json: { amount: String(hotPaymentMinor), currency, method: "payment_code", payment_code: hotPaymentCode },
      read: true,
    });
    return charged ? succeeded(charged.body) : null;
  };
}

/**
 * The refundable payments and how many refunds each still allows. A refund counts as made when it is sent, answered
 * or not, so no payment is ever asked to refund more than it has left.
 */
export class RefundBudget {
  private readonly refundsPerPayment = Number(refundablePaymentMinor / refundMinor);
  private next = 0;

  constructor(private readonly payments: string[]) {}

  /** A payment for one caller to refund `refundsPerPayment` times; undefined when all are taken. */
  take(): { id: string; left: number } | undefined {
    const id = this.payments[this.next];
    if (id === undefined) return undefined;
    this.next++;
    return { id, left: this.refundsPerPayment };
  }

  get capacity(): number {
    return this.payments.length * this.refundsPerPayment;
  }
}

function refundPartially(setup: BenchSetup, budget: RefundBudget): (callers: number) => Operation {
  return (callers) => {
    const held: ({ id: string; left: number } | undefined)[] = new Array(callers);
    return async (context) => {
      let payment = held[context.caller];
      if (!payment || payment.left === 0) {
        payment = budget.take();
        held[context.caller] = payment;
      }
      if (!payment) {
        await new Promise((resolve) => setTimeout(resolve, refundsUsedUpPauseMs));
        return "refundable payments used up";
      }
      payment.left--;
      const refunded = await context.send("refund", {
        method: "POST",
        path: "/v1/refunds",
        headers: secretHeaders(setup.merchant, true),
        json: { payment: payment.id, amount: String(refundMinor) },
        read: true,
      });
      if (!refunded) return null;
      return stringField(refunded.body, "status") === "succeeded"
        ? true
        : `refund ${stringField(refunded.body, "status")}`;
    };
  };
}

function getRequest(step: string, path: (context: OperationContext) => string, headers: Record<string, string>) {
  return (): Operation => async (context) =>
    (await context.send(step, { method: "GET", path: path(context), headers })) ? true : null;
}

export type LoadWorkloadName = Exclude<WorkloadName, "webhooks">;

export function workloadSpecs(setup: BenchSetup): Record<LoadWorkloadName, WorkloadSpec> {
  const budget = new RefundBudget(setup.refundable);
  const readHeaders = secretHeaders(setup.merchant, false);
  const pick = () => setup.refundable[Math.floor(Math.random() * setup.refundable.length)]!;
  return {
    healthz: {
      name: "healthz",
      description: "GET /healthz: the framework's floor",
      requestsPerOp: 1,
      operation: getRequest("healthz", () => "/healthz", {}),
    },
    pay2: {
      name: "pay2",
      description: `POST /v1/payments (qr, ${paymentMinor}) + POST /v1/wallet/payments/{id}/confirm`,
      requestsPerOp: 2,
      operation: () => payTwoStep(setup, (caller) => setup.payers[caller]!),
    },
    code: {
      name: "code",
      description: `GET /v1/wallet/payment_code + POST /v1/payments (payment_code, ${paymentMinor})`,
      requestsPerOp: 2,
      operation: () => payByCode(setup),
    },
    "code-hot": {
      name: "code-hot",
      description: `POST /v1/payments (payment_code ${hotPaymentCode}, ${hotPaymentMinor}): one hot scripted payer`,
      requestsPerOp: 1,
      operation: () => payHot(setup),
    },
    refund: {
      name: "refund",
      description: `POST /v1/refunds (${refundMinor} of a paid ${refundablePaymentMinor})`,
      requestsPerOp: 1,
      operation: refundPartially(setup, budget),
    },
    read: {
      name: "read",
      description: "GET /v1/payments/{id} (a paid qr payment, with its QR SVG)",
      requestsPerOp: 1,
      operation: getRequest("read", () => `/v1/payments/${pick()}`, readHeaders),
    },
    list: {
      name: "list",
      description: `GET /v1/payments?limit=${listLimit}`,
      requestsPerOp: 1,
      operation: getRequest("list", () => `/v1/payments?limit=${listLimit}`, readHeaders),
    },
  };
}
