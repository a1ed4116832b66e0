import { useEffect, useRef, useState } from "react";
import { ApiRequestError, createApiClient } from "../shared/api";

/** GET /v1/checkout/{id}: the public summary the page shows (no credentials). */
export interface CheckoutSummary {
  id: string;
  object: "checkout";
  livemode: boolean;
  status: "requires_payment" | "processing" | "requires_capture" | "succeeded" | "failed" | "canceled" | "expired";
  merchant: { name: string };
  amount: string;
  currency: string;
  amount_display: string;
  /** Before a discount (equal to amount without one). */
  amount_subtotal: string;
  /** The discount taken off (docs/coupons.md): by the shop at creation, or the payer's promotion code. */
  discount: {
    name: string;
    code: string | null;
    amount: string;
    amount_display: string;
    subtotal_display: string;
    applied_by: "merchant" | "payer";
  } | null;
  description: string | null;
  failure_code: string | null;
  expires_at: number;
  redirect_url: string | null;
  cancel_url: string | null;
  /** Null for a payment code's payment (its page is there only to pay it again). */
  qr: { payload: string; svg: string } | null;
  /** Unix seconds: until then the payer may pay this failed or expired payment again (docs/adr/0028). */
  retryable_until: number | null;
  /** How the last attempt to pay ended, once the payment ended unpaid or was paid again. */
  last_attempt: {
    number: number;
    status: "succeeded" | "requires_capture" | "failed" | "canceled" | "expired";
    failure_code: string | null;
    cancellation_reason: string | null;
  } | null;
}

/** How often an open checkout asks for its status, so a payment made from a phone shows here at once. */
export const checkoutPollMs = 3_000;

const publicApi = createApiClient();

export function isOpen(summary: CheckoutSummary): boolean {
  return summary.status === "requires_payment" || summary.status === "processing";
}

/** A failed or expired payment its payer may still pay (a new attempt of the same payment). */
export function isRetryable(summary: CheckoutSummary, nowSeconds: number): boolean {
  return (
    !isOpen(summary) && !isPaid(summary) && summary.retryable_until !== null && nowSeconds < summary.retryable_until
  );
}

/** What a form's confirmation answers that the page keeps: the payer's feedback link once paid. */
export interface PaidAnswer {
  feedback_token?: string | null;
}

export function isPaid(summary: CheckoutSummary): boolean {
  return summary.status === "succeeded" || summary.status === "requires_capture";
}

export interface CheckoutState {
  summary: CheckoutSummary | null;
  /** The last load's error (kept beside an older summary while polling). */
  error: ApiRequestError | null;
  refresh(): Promise<void>;
}

/** The checkout's summary, polled while the payment is open; stops once it has ended. */
export function useCheckout(id: string): CheckoutState {
  const [summary, setSummary] = useState<CheckoutSummary | null>(null);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const latest = useRef<CheckoutSummary | null>(null);

  const load = async (checkoutId: string): Promise<ApiRequestError | null> => {
    try {
      const next = await publicApi.get<CheckoutSummary>(`/v1/checkout/${encodeURIComponent(checkoutId)}`);
      latest.current = next;
      setSummary(next);
      setError(null);
      return null;
    } catch (caught) {
      const failure =
        caught instanceof ApiRequestError
          ? caught
          : new ApiRequestError(0, { type: "api_error", code: "unexpected", message: String(caught) });
      setError(failure);
      return failure;
    }
  };
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const failure = await loader.current(id);
      if (stopped) return;
      const current = latest.current;
      // A checkout that does not exist will not appear; one that ended will not change.
      if (failure?.status === 404 && !current) return;
      if (!current || isOpen(current)) timer = setTimeout(tick, checkoutPollMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [id]);

  return {
    summary,
    error,
    refresh: async () => {
      await loader.current(id);
    },
  };
}
