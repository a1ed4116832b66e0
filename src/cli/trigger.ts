import type { CofferEvent } from "../events/outbox.js";
import { listLimitMax } from "../limits.js";
import {
  type Api,
  ApiFailure,
  type ApiObject,
  apiClient,
  apiTargetOptions,
  apiTargetUsage,
  resolveApiTarget,
} from "./api-target.js";
import type { CliContext, Command } from "./command.js";

/**
 * `coffer trigger <event-type>`: fires one event in test mode for webhook handler development. It makes the objects
 * the event needs through the public API and the sandbox's test helpers (a magic payment code, a payer's approve or
 * decline, an expiry, the test clock), exactly as a script of the merchant's could, then prints the events those
 * objects fired. Nothing here reaches into coffer's database: it works against any running coffer.
 */
const triggerCurrency = "USD";
const triggerAmount = "1000"; // 10.00 USD: inside the sandbox payers' balances and password-free limits
const payoutAmount = "100";
/** Test clock steps (seconds) tried until a payout settles; the sandbox bank's settle time is configurable. */
const payoutSettleStepsS = [60, 600, 3_600, 86_400] as const;
const sandboxCodes = {
  success: "880000000000000001",
  payerNeverAnswers: "880000000000000005",
  refundFails: "880000000000000009",
} as const;

/** What a recipe made: the objects whose events are reported. */
type Recipe = (api: Api) => Promise<string[]>;

const qrPayment = (api: Api, extra: Record<string, unknown> = {}) =>
  api.post("/v1/payments", { amount: triggerAmount, currency: triggerCurrency, method: "qr", ...extra });

const codePayment = (api: Api, code: string) =>
  api.post("/v1/payments", {
    amount: triggerAmount,
    currency: triggerCurrency,
    method: "payment_code",
    payment_code: code,
  });

async function succeededPayment(api: Api, code: string = sandboxCodes.success): Promise<ApiObject> {
  const payment = await codePayment(api, code);
  if (payment.status !== "succeeded") throw new ApiFailure(`the test payment ${payment.id} is ${payment.status}`);
  return payment;
}

async function refundOf(api: Api, code: string): Promise<string[]> {
  const payment = await succeededPayment(api, code);
  const refund = await api.post("/v1/refunds", { payment: payment.id });
  return [payment.id, refund.id];
}

/** A dispute of a succeeded test payment, opened by the sandbox as its payer; closed lost by magic evidence. */
async function disputeOf(api: Api, close: boolean): Promise<string[]> {
  const payment = await succeededPayment(api);
  const dispute = await api.post(`/v1/test_helpers/payments/${payment.id}/dispute`, { reason: "product_not_received" });
  if (close) await api.post(`/v1/disputes/${dispute.id}/evidence`, { explanation: "losing_evidence", submit: true });
  return [payment.id, dispute.id];
}

async function payout(api: Api): Promise<{ paymentId: string; payout: ApiObject }> {
  const payment = await succeededPayment(api);
  try {
    return {
      paymentId: payment.id,
      payout: await api.post("/v1/payouts", { amount: payoutAmount, currency: triggerCurrency }),
    };
  } catch (error) {
    if (/payout_account_missing/.test((error as Error).message)) {
      throw new ApiFailure(
        `${(error as Error).message}\nPayouts go to the settlement bank account of your business verification: set one in the console first.`,
      );
    }
    throw error;
  }
}

/** Moves the test clock until the payout leaves pending (advance_time settles payouts that became due). */
async function settledPayout(api: Api, expected: "paid" | "failed"): Promise<string[]> {
  const made = await payout(api);
  let current = made.payout;
  for (const step of payoutSettleStepsS) {
    if (current.status !== "pending") break;
    await api.post("/v1/test_helpers/advance_time", { seconds: step });
    current = await api.get(`/v1/payouts/${current.id}`);
  }
  if (current.status !== expected) {
    const hint =
      expected === "failed"
        ? " The sandbox bank fails payouts to a settlement account number ending in 0006; set one in the console's business verification."
        : "";
    throw new ApiFailure(`payout ${current.id} ended ${current.status}, not ${expected}.${hint}`);
  }
  return [made.paymentId, current.id];
}

/** Every event type coffer trigger can fire, and how. */
export const triggerRecipes: Readonly<Record<string, Recipe>> = {
  "payment.created": async (api) => [(await qrPayment(api)).id],
  "payment.processing": async (api) => [(await codePayment(api, sandboxCodes.payerNeverAnswers)).id],
  "payment.requires_capture": async (api) => {
    const payment = await qrPayment(api, { capture_method: "manual" });
    await api.post(`/v1/test_helpers/payments/${payment.id}/approve`);
    return [payment.id];
  },
  "payment.succeeded": async (api) => [(await succeededPayment(api)).id],
  "payment.failed": async (api) => {
    const payment = await qrPayment(api);
    await api.post(`/v1/test_helpers/payments/${payment.id}/decline`);
    return [payment.id];
  },
  "payment.canceled": async (api) => {
    const payment = await qrPayment(api);
    await api.post(`/v1/payments/${payment.id}/cancel`);
    return [payment.id];
  },
  "payment.expired": async (api) => {
    const payment = await qrPayment(api);
    await api.post(`/v1/test_helpers/payments/${payment.id}/expire`);
    return [payment.id];
  },
  "refund.created": (api) => refundOf(api, sandboxCodes.success),
  "refund.succeeded": (api) => refundOf(api, sandboxCodes.success),
  "refund.failed": (api) => refundOf(api, sandboxCodes.refundFails),
  "dispute.created": (api) => disputeOf(api, false),
  "dispute.closed": (api) => disputeOf(api, true),
  "payout.created": async (api) => {
    const made = await payout(api);
    return [made.paymentId, made.payout.id];
  },
  "payout.paid": (api) => settledPayout(api, "paid"),
  "payout.failed": (api) => settledPayout(api, "failed"),
};

/** The events of these objects newer than `after` (an event id, or none), oldest first. */
async function eventsOf(api: Api, objectIds: readonly string[], after: string | undefined): Promise<CofferEvent[]> {
  const wanted = new Set(objectIds);
  const found: CofferEvent[] = [];
  let cursor = after;
  for (;;) {
    const query = cursor ? `&ending_before=${encodeURIComponent(cursor)}` : "";
    const page = await api.get<{ data: CofferEvent[]; has_more: boolean }>(`/v1/events?limit=${listLimitMax}${query}`);
    // Each page is newest first; pages after a cursor come oldest page first.
    found.push(...[...page.data].reverse().filter((e) => wanted.has(String(e.data.object.id))));
    // Without a cursor the first page is the newest: enough for what was just made.
    if (!cursor || !page.has_more || page.data.length === 0) break;
    cursor = page.data[0]!.id;
  }
  return found;
}

function supportedList(): string {
  return Object.keys(triggerRecipes)
    .map((type) => `  ${type}`)
    .join("\n");
}

export const triggerCommand: Command = {
  summary: "Fire a test-mode event (payment.succeeded, refund.failed, …) for webhook handler development",
  usage: [
    "coffer trigger <event-type> [--api-key sk_test_…] [--api-url URL]",
    "",
    ...apiTargetUsage,
    "  --url U          the older spelling of --api-url: still accepted in this version, gone in the next",
    "",
    "Makes the objects the event needs in test mode (payments with the sandbox's magic codes, refunds, payouts, the",
    "test helpers for the payer's side and the test clock) and prints the events they fired, oldest first. Your",
    "webhook endpoints get them as usual; so does `coffer listen`. Supported event types:",
    supportedList(),
  ].join("\n"),
  options: { ...apiTargetOptions, url: { type: "string" } },
  allowPositionals: true,
  async run(args, context: CliContext) {
    const type = args.positionals[0];
    if (type === undefined || args.positionals.length > 1) {
      context.err(`coffer trigger: give one event type\n\nUsage: ${triggerCommand.usage}`);
      return 2;
    }
    const recipe = Object.hasOwn(triggerRecipes, type) ? triggerRecipes[type] : undefined;
    if (!recipe) {
      context.err(`coffer trigger: cannot trigger "${type}". Supported event types:\n${supportedList()}`);
      return 2;
    }
    if (typeof args.values.url === "string") {
      context.err("coffer trigger: --url is now --api-url; --url is accepted in this version only");
    }
    const target = resolveApiTarget(
      typeof args.values.url === "string" && typeof args.values["api-url"] !== "string"
        ? { ...args.values, "api-url": args.values.url }
        : args.values,
    );
    const apiKey = target.apiKey;
    if (!apiKey) {
      context.err("coffer trigger: give a test-mode secret key with --api-key or COFFER_API_KEY");
      return 2;
    }
    if (!apiKey.startsWith("sk_test_")) {
      context.err(
        "coffer trigger: the key must be a test-mode secret key (sk_test_…); trigger never acts in live mode",
      );
      return 2;
    }
    const api = apiClient(target.apiUrl, apiKey);
    try {
      const latest = await api.get<{ data: CofferEvent[] }>("/v1/events?limit=1");
      const objectIds = await recipe(api);
      const events = await eventsOf(api, objectIds, latest.data[0]?.id);
      for (const event of events) {
        context.out(`${event.id}  ${event.type.padEnd(24)}  ${String(event.data.object.id)}`);
      }
      if (!events.some((e) => e.type === type)) {
        context.err(`coffer trigger: ${type} did not fire (objects: ${objectIds.join(", ")})`);
        return 1;
      }
      return 0;
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      context.err(`coffer trigger ${type}: ${error.message}`);
      return 1;
    }
  },
};
