import { analyticsBucketMs, analyticsPlatformBucketMs } from "../limits.js";
import { timeToPayBucket, timeToPayBucketCount } from "./histogram.js";

/**
 * What one signed snapshot of a payments or refunds row adds to the rollups. A row's contribution depends on its
 * snapshot alone (never on what was folded before), so folding is a sum: batches may be folded in any order, by
 * any number of workers, and the rollups equal a recomputation from the rows as they are. The definitions here are
 * the ones docs/analytics.md gives.
 */

/** A row of analytics_inbox as the worker claims it. */
export interface InboxRow {
  source: "payment" | "refund";
  sign: number;
  object_id: string;
  merchant_id: string;
  livemode: boolean;
  currency: string;
  method: string;
  status: string;
  payer_id: string | null;
  amount: string;
  fee: string;
  failure_code: string | null;
  created_at: Date;
  opened_at: Date | null;
  paid_at: Date | null;
  final_at: Date | null;
}

/** The additive figures of a rollup row (analytics_rollups, and the platform's subset). */
export interface Figures {
  created: bigint;
  opened: bigint;
  succeeded: bigint;
  gross_amount: bigint;
  fees_charged: bigint;
  failed: bigint;
  canceled: bigint;
  expired: bigint;
  refunds: bigint;
  refunded_amount: bigint;
  fees_returned: bigint;
  time_to_pay_ms: bigint;
  histogram: bigint[];
  new_payers: bigint;
  returning_payments: bigint;
  identified_payments: bigint;
}

export function emptyFigures(): Figures {
  return {
    created: 0n,
    opened: 0n,
    succeeded: 0n,
    gross_amount: 0n,
    fees_charged: 0n,
    failed: 0n,
    canceled: 0n,
    expired: 0n,
    refunds: 0n,
    refunded_amount: 0n,
    fees_returned: 0n,
    time_to_pay_ms: 0n,
    histogram: Array.from({ length: timeToPayBucketCount }, () => 0n),
    new_payers: 0n,
    returning_payments: 0n,
    identified_payments: 0n,
  };
}

/** A succeeded payment with a payer, signed: the input of the new-versus-returning pass (payers.ts). */
export interface PayerSuccess {
  paymentId: string;
  paidAt: Date;
  merchantId: string;
  livemode: boolean;
  payerId: string;
  currency: string;
  method: string;
  sign: number;
}

/** Deltas gathered from a batch, keyed so each table gets one row per key. */
export class Deltas {
  readonly merchant = new Map<string, { key: MerchantKey; figures: Figures }>();
  readonly platform = new Map<string, { key: PlatformKey; figures: Figures }>();
  readonly failures = new Map<string, { key: FailureKey; count: bigint }>();
  readonly merchantDays = new Map<string, { key: MerchantDayKey; succeeded: bigint }>();
  readonly payerSuccesses: PayerSuccess[] = [];

  merchantFigures(key: MerchantKey): Figures {
    const id = [key.merchantId, key.livemode, key.bucketStart.getTime(), key.currency, key.method].join("\u0000");
    let entry = this.merchant.get(id);
    if (!entry) {
      entry = { key, figures: emptyFigures() };
      this.merchant.set(id, entry);
    }
    return entry.figures;
  }

  platformFigures(key: PlatformKey): Figures {
    const id = [key.bucketStart.getTime(), key.livemode, key.currency, key.method].join("\u0000");
    let entry = this.platform.get(id);
    if (!entry) {
      entry = { key, figures: emptyFigures() };
      this.platform.set(id, entry);
    }
    return entry.figures;
  }

  addFailure(key: FailureKey, sign: number): void {
    const id = [
      key.merchantId,
      key.livemode,
      key.bucketStart.getTime(),
      key.currency,
      key.method,
      key.failureCode,
    ].join("\u0000");
    const entry = this.failures.get(id);
    if (entry) entry.count += BigInt(sign);
    else this.failures.set(id, { key, count: BigInt(sign) });
  }

  addMerchantDay(key: MerchantDayKey, sign: number): void {
    const id = [key.day, key.livemode, key.merchantId].join("\u0000");
    const entry = this.merchantDays.get(id);
    if (entry) entry.succeeded += BigInt(sign);
    else this.merchantDays.set(id, { key, succeeded: BigInt(sign) });
  }
}

export interface MerchantKey {
  merchantId: string;
  livemode: boolean;
  bucketStart: Date;
  currency: string;
  method: string;
}

export interface PlatformKey {
  bucketStart: Date;
  livemode: boolean;
  currency: string;
  method: string;
}

export interface FailureKey extends MerchantKey {
  failureCode: string;
}

export interface MerchantDayKey {
  day: string; // YYYY-MM-DD, UTC
  livemode: boolean;
  merchantId: string;
}

function floorTo(at: Date, stepMs: number): Date {
  return new Date(Math.floor(at.getTime() / stepMs) * stepMs);
}

/** Adds one inbox row's signed contribution to the deltas. */
export function addContribution(deltas: Deltas, row: InboxRow): void {
  const sign = BigInt(row.sign);
  const merchantAt = (at: Date) =>
    deltas.merchantFigures({
      merchantId: row.merchant_id,
      livemode: row.livemode,
      bucketStart: floorTo(at, analyticsBucketMs),
      currency: row.currency,
      method: row.method,
    });
  const platformAt = (at: Date) =>
    deltas.platformFigures({
      bucketStart: floorTo(at, analyticsPlatformBucketMs),
      livemode: row.livemode,
      currency: row.currency,
      method: row.method,
    });
  const both = (at: Date, apply: (f: Figures) => void) => {
    apply(merchantAt(at));
    apply(platformAt(at));
  };

  if (row.source === "refund") {
    if (row.status !== "succeeded") return;
    both(row.created_at, (f) => {
      f.refunds += sign;
      f.refunded_amount += sign * BigInt(row.amount);
      f.fees_returned += sign * BigInt(row.fee);
    });
    return;
  }

  both(row.created_at, (f) => {
    f.created += sign;
  });
  if (row.opened_at) merchantAt(row.opened_at).opened += sign;

  if (row.status === "succeeded" && row.paid_at) {
    const timeToPay = row.paid_at.getTime() - row.created_at.getTime();
    both(row.paid_at, (f) => {
      f.succeeded += sign;
      f.gross_amount += sign * BigInt(row.amount);
      f.fees_charged += sign * BigInt(row.fee);
      f.time_to_pay_ms += sign * BigInt(timeToPay);
      f.histogram[timeToPayBucket(timeToPay)]! += sign;
    });
    deltas.addMerchantDay(
      { day: row.paid_at.toISOString().slice(0, 10), livemode: row.livemode, merchantId: row.merchant_id },
      row.sign,
    );
    if (row.payer_id) {
      deltas.payerSuccesses.push({
        paymentId: row.object_id,
        paidAt: row.paid_at,
        merchantId: row.merchant_id,
        livemode: row.livemode,
        payerId: row.payer_id,
        currency: row.currency,
        method: row.method,
        sign: row.sign,
      });
    }
  }

  if ((row.status === "failed" || row.status === "canceled" || row.status === "expired") && row.final_at) {
    const status = row.status;
    both(row.final_at, (f) => {
      f[status] += sign;
    });
    if (row.failure_code) {
      deltas.addFailure(
        {
          merchantId: row.merchant_id,
          livemode: row.livemode,
          bucketStart: floorTo(row.final_at, analyticsBucketMs),
          currency: row.currency,
          method: row.method,
          failureCode: row.failure_code,
        },
        row.sign,
      );
    }
  }
}
