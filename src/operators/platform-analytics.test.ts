import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { newOperator, type SessionClient } from "../../test/helpers/merchant-console.js";
import { insertTestMerchant } from "../../test/helpers/merchant-rows.js";
import { foldInbox } from "../analytics/fold.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { newId } from "../ids.js";
import { analyticsRangeMaxMs } from "../limits.js";
import { createLogger } from "../logging.js";
import { createServices, type Services } from "../runtime/services.js";

/**
 * Platform analytics for operators: every figure of GET /v1/ops/analytics/summary equals a recomputation from the
 * raw payments, refunds and KYB state changes, for a history written as rows (every status, method, two
 * currencies, both modes, refunds that succeeded and failed, payments that changed state after they were made)
 * and folded by the analytics worker; range edges inside UTC days; who may read it.
 */

const hourMs = 3_600_000;
const day0 = Date.parse("2026-06-01T00:00:00Z");
/** A range whose first and last UTC days are partial: whole days and edge hours both count. */
const rangeFrom = day0 + 10 * hourMs;
const rangeTo = day0 + 2 * 24 * hourMs + 7 * hourMs;

type Status = "requires_payment" | "succeeded" | "failed" | "canceled" | "expired";
const statuses: Status[] = ["succeeded", "succeeded", "succeeded", "failed", "canceled", "expired", "requires_payment"];
const methods = ["qr", "payment_code", "checkout"] as const;

interface PaymentRow {
  id: string;
  merchant_id: string;
  livemode: boolean;
  status: Status;
  currency: string;
  amount_captured: string;
  fee_amount: string;
  created_at: Date;
  updated_at: Date;
  paid_at: Date | null;
}

interface RefundRow {
  livemode: boolean;
  status: string;
  amount: string;
  currency: string;
  fee_returned: string;
  created_at: Date;
}

/** A deterministic sequence, so a failure repeats. */
function sequence(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe("platform analytics for operators", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-06-05T12:00:00Z");
  let operators: Record<"admin" | "reviewer" | "support", SessionClient>;
  const merchants: string[] = [];
  const kybApplications: string[] = [];

  async function insertPayer(livemode: boolean): Promise<string> {
    const id = newId("wal");
    await db.pool.query(
      `INSERT INTO wallet_users (id, livemode, email, password_hash, locale, created_at, updated_at)
       VALUES ($1, $2, $3, 'not used', 'en', now(), now())`,
      [id, livemode, `${id.toLowerCase()}@example.com`],
    );
    return id;
  }

  /** A payment row in its final state, or made waiting and moved to it by an UPDATE (the trigger's other path). */
  async function insertPayment(p: {
    merchantId: string;
    livemode: boolean;
    status: Status;
    method: (typeof methods)[number];
    currency: string;
    amount: bigint;
    createdAt: number;
    finalAt: number;
    payerId: string;
    viaUpdate: boolean;
  }): Promise<string> {
    const id = newId("pay");
    const succeeded = p.status === "succeeded";
    const fee = succeeded ? (p.amount * 290n) / 10_000n + 30n : 0n;
    const failureCode = p.status === "failed" ? "insufficient_funds" : p.status === "expired" ? "expired" : null;
    const final = {
      status: p.status,
      payer: succeeded || p.status === "failed" ? p.payerId : null,
      captured: succeeded ? String(p.amount) : "0",
      fee: String(fee < p.amount ? fee : p.amount),
      failureCode,
      updatedAt: new Date(p.finalAt),
      paidAt: succeeded ? new Date(p.finalAt) : null,
    };
    const first = p.viaUpdate
      ? { ...final, status: "requires_payment", payer: null, captured: "0", fee: "0", failureCode: null, paidAt: null }
      : final;
    await db.pool.query(
      `INSERT INTO payments (id, merchant_id, livemode, status, method, capture_method, amount, currency, qr_token,
                             payer_id, amount_captured, fee_percent_bps, fee_fixed, fee_amount, expires_at,
                             failure_code, failure_message, created_at, updated_at, paid_at)
       VALUES ($1, $2, $3, $4, $5, 'automatic', $6, $7, $8, $9, $10, 290, 30, $11, $12, $13, $14, $15, $16, $17)`,
      [
        id,
        p.merchantId,
        p.livemode,
        first.status,
        p.method,
        String(p.amount),
        p.currency,
        p.method === "payment_code" ? null : newId("pay").slice(4),
        first.payer,
        first.captured,
        first.fee,
        new Date(p.createdAt + hourMs),
        first.failureCode,
        first.failureCode ? "from the test" : null,
        new Date(p.createdAt),
        p.viaUpdate ? new Date(p.createdAt) : final.updatedAt,
        first.paidAt,
      ],
    );
    if (p.viaUpdate) {
      await db.pool.query(
        `UPDATE payments SET status = $2, payer_id = $3, amount_captured = $4, fee_amount = $5, failure_code = $6,
                             failure_message = $7, updated_at = $8, paid_at = $9
          WHERE id = $1`,
        [
          id,
          final.status,
          final.payer,
          final.captured,
          final.fee,
          final.failureCode,
          final.failureCode ? "from the test" : null,
          final.updatedAt,
          final.paidAt,
        ],
      );
    }
    return id;
  }

  async function insertRefund(paymentId: string, status: "succeeded" | "failed", amount: bigint, at: number) {
    await db.pool.query(
      `INSERT INTO refunds (id, payment_id, merchant_id, livemode, amount, currency, fee_returned, status, reason,
                            failure_code, created_at, updated_at)
       SELECT $1, p.id, p.merchant_id, p.livemode, $2, p.currency, $3, $4, 'requested_by_customer', $5, $6, $6
         FROM payments p WHERE p.id = $7`,
      [
        newId("re"),
        String(amount),
        status === "succeeded" ? "10" : "0",
        status,
        status === "failed" ? "refund_declined" : null,
        new Date(at),
        paymentId,
      ],
    );
  }

  /** An application's state changes, as KYB review writes them. */
  async function kybHistory(applicationId: string, steps: [string, number][]) {
    let from = "draft";
    for (const [to, at] of steps) {
      await db.pool.query(
        `INSERT INTO kyb_state_changes (application_id, from_state, to_state, actor_type, actor_id, created_at)
         VALUES ($1, $2, $3, 'operator', 'op_test', $4)`,
        [applicationId, from, to, new Date(at)],
      );
      from = to;
    }
    await db.pool.query("UPDATE kyb_applications SET state = $2 WHERE id = $1", [applicationId, from]);
  }

  before(async () => {
    db = await createTestDatabase({ poolSize: 6 });
    services = createServices({
      config: loadConfig({}),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
    });
    app = await createTestApp({ pool: db.pool, services });
    operators = {
      admin: await newOperator(app, services, "admin"),
      reviewer: await newOperator(app, services, "reviewer"),
      support: await newOperator(app, services, "support"),
    };
    for (let i = 0; i < 6; i++) merchants.push(await insertTestMerchant(db.pool, `Shop ${i}`));
    const applications = await db.pool.query<{ id: string; merchant_id: string }>(
      "SELECT id, merchant_id FROM kyb_applications WHERE merchant_id = ANY($1)",
      [merchants],
    );
    for (const m of merchants) kybApplications.push(applications.rows.find((r) => r.merchant_id === m)!.id);
    const payers = { live: await insertPayer(true), test: await insertPayer(false) };

    // Merchants 0–3 pay all through four days around the range, in both modes and two currencies.
    const random = sequence(17);
    for (let at = day0 - 24 * hourMs; at < day0 + 4 * 24 * hourMs; at += 37 * 60_000) {
      const livemode = random() < 0.7;
      const status = statuses[Math.floor(random() * statuses.length)]!;
      const id = await insertPayment({
        merchantId: merchants[Math.floor(random() * 4)]!,
        livemode,
        status,
        method: methods[Math.floor(random() * methods.length)]!,
        currency: random() < 0.75 ? "USD" : "CNY",
        amount: BigInt(100 + Math.floor(random() * 50_000)),
        createdAt: at,
        finalAt: at + Math.floor(random() * 3 * hourMs),
        payerId: livemode ? payers.live : payers.test,
        viaUpdate: random() < 0.3,
      });
      if (status === "succeeded" && random() < 0.3) {
        await insertRefund(id, random() < 0.8 ? "succeeded" : "failed", 50n, at + Math.floor(random() * 24 * hourMs));
      }
    }
    // Merchant 4 pays only on the range's first UTC day, before the range starts: not active in it.
    const early = day0 + 8 * hourMs;
    await insertPayment({
      merchantId: merchants[4]!,
      livemode: true,
      status: "succeeded",
      method: "qr",
      currency: "USD",
      amount: 1_000n,
      createdAt: early,
      finalAt: early + 60_000,
      payerId: payers.live,
      viaUpdate: false,
    });
    // Merchant 5 pays only in the range's last, partial UTC day, an hour before it ends: active.
    const late = rangeTo - hourMs;
    await insertPayment({
      merchantId: merchants[5]!,
      livemode: true,
      status: "succeeded",
      method: "checkout",
      currency: "USD",
      amount: 2_000n,
      createdAt: late,
      finalAt: late + 60_000,
      payerId: payers.live,
      viaUpdate: true,
    });
    while ((await foldInbox(db.pool, 500)) > 0) {
      // until the inbox is empty
    }

    // KYB: approved, rejected, pending (in review), sent back to the merchant, submitted twice, and a draft.
    const inRange = (h: number) => rangeFrom + h * hourMs;
    await kybHistory(kybApplications[0]!, [
      ["submitted", inRange(1)],
      ["in_review", inRange(2)],
      ["approved", inRange(3)],
    ]);
    await kybHistory(kybApplications[1]!, [
      ["submitted", rangeFrom - hourMs],
      ["in_review", inRange(1)],
      ["rejected", inRange(5)],
    ]);
    await kybHistory(kybApplications[2]!, [
      ["submitted", inRange(4)],
      ["in_review", inRange(6)],
    ]);
    await kybHistory(kybApplications[3]!, [
      ["submitted", inRange(1)],
      ["action_required", inRange(2)],
      ["submitted", inRange(3)],
      ["in_review", inRange(4)],
      ["action_required", inRange(5)],
    ]);
    // Approved after the range: in review when it ended.
    await kybHistory(kybApplications[4]!, [
      ["submitted", inRange(2)],
      ["approved", rangeTo + hourMs],
    ]);
  });

  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  /** The summary recomputed from the raw rows of one mode, by the definitions in docs/platform-analytics.md. */
  async function recompute(livemode: boolean, from: number, to: number, currency?: string) {
    const payments = (
      await db.pool.query<PaymentRow>(
        `SELECT id, merchant_id, livemode, status, currency, amount_captured::text, fee_amount::text, created_at,
                updated_at, paid_at
           FROM payments WHERE livemode = $1`,
        [livemode],
      )
    ).rows.filter((p) => currency === undefined || p.currency === currency);
    const refunds = (
      await db.pool.query<RefundRow>(
        `SELECT livemode, status, amount::text, currency, fee_returned::text, created_at FROM refunds
          WHERE livemode = $1`,
        [livemode],
      )
    ).rows.filter((r) => currency === undefined || r.currency === currency);
    const within = (d: Date | null) => d !== null && d.getTime() >= from && d.getTime() < to;
    const paid = payments.filter((p) => p.status === "succeeded" && within(p.paid_at));
    const refunded = refunds.filter((r) => r.status === "succeeded" && within(r.created_at));
    const finishedAs = (s: Status) => payments.filter((p) => p.status === s && within(p.updated_at)).length;
    const currencies = [...new Set([...paid.map((p) => p.currency), ...refunded.map((r) => r.currency)])];
    const sum = (values: string[]) => values.reduce((a, v) => a + BigInt(v), 0n);
    const volume = currencies.map((c) => {
      const gross = sum(paid.filter((p) => p.currency === c).map((p) => p.amount_captured));
      const fees =
        sum(paid.filter((p) => p.currency === c).map((p) => p.fee_amount)) -
        sum(refunded.filter((r) => r.currency === c).map((r) => r.fee_returned));
      const refundedAmount = sum(refunded.filter((r) => r.currency === c).map((r) => r.amount));
      return {
        currency: c,
        gross_volume: String(gross),
        fees: String(fees),
        refunded_amount: String(refundedAmount),
        net_volume: String(gross - refundedAmount - fees),
        payments_succeeded: paid.filter((p) => p.currency === c).length,
      };
    });
    const counts = {
      created: payments.filter((p) => within(p.created_at)).length,
      succeeded: paid.length,
      failed: finishedAs("failed"),
      canceled: finishedAs("canceled"),
      expired: finishedAs("expired"),
    };
    const finished = counts.succeeded + counts.failed + counts.canceled + counts.expired;
    const activeAll = (
      await db.pool.query<{ merchant_id: string }>(
        `SELECT DISTINCT merchant_id FROM payments
          WHERE livemode = $1 AND status = 'succeeded' AND paid_at >= $2 AND paid_at < $3`,
        [livemode, new Date(from), new Date(to)],
      )
    ).rows.length;
    return {
      volume: volume.sort((a, b) =>
        BigInt(a.gross_volume) === BigInt(b.gross_volume)
          ? a.currency.localeCompare(b.currency)
          : BigInt(b.gross_volume) > BigInt(a.gross_volume)
            ? 1
            : -1,
      ),
      payments: counts,
      success_rate: finished === 0 ? null : counts.succeeded / finished,
      active_merchants: activeAll,
    };
  }

  const query = (params: Record<string, string | number | boolean>) =>
    `/v1/ops/analytics/summary?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

  it("live figures equal a recomputation from the raw rows, with the range's partial first and last UTC days", async () => {
    const response = await operators.admin.get(query({ from: rangeFrom / 1000, to: rangeTo / 1000 }));
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    const expected = await recompute(true, rangeFrom, rangeTo);
    assert.equal(body.object, "ops_analytics_summary");
    assert.equal(body.livemode, true);
    assert.deepEqual([body.from, body.to], [rangeFrom / 1000, rangeTo / 1000]);
    assert.deepEqual(body.volume, expected.volume);
    assert.equal(body.volume.length, 2, "both currencies had volume");
    assert.deepEqual(body.payments, expected.payments);
    assert.equal(body.success_rate, expected.success_rate);
    assert.equal(body.active_merchants, expected.active_merchants);
    // Merchants 0–3 and the one that paid late in the last partial day; not the one that paid early on the first.
    assert.equal(body.active_merchants, 5);
  });

  it("counts the KYB funnel from the state changes in the range, and what waits at its end", async () => {
    const body = (await operators.admin.get(query({ from: rangeFrom / 1000, to: rangeTo / 1000 }))).json();
    // Submitted in the range: 0, 2, 3 (twice, counted once) and 4; 1 was submitted before it.
    assert.deepEqual(body.kyb, { submitted: 4, approved: 1, rejected: 1, pending: 2, action_required: 1 });
    const before = (
      await operators.admin.get(query({ from: (rangeFrom - 24 * hourMs) / 1000, to: rangeFrom / 1000 }))
    ).json();
    assert.deepEqual(before.kyb, { submitted: 1, approved: 0, rejected: 0, pending: 1, action_required: 0 });
  });

  it("keeps test and live apart, and a currency filter keeps to that currency", async () => {
    const test = (
      await operators.admin.get(query({ livemode: false, from: rangeFrom / 1000, to: rangeTo / 1000 }))
    ).json();
    const expected = await recompute(false, rangeFrom, rangeTo);
    assert.equal(test.livemode, false);
    assert.deepEqual(test.volume, expected.volume);
    assert.deepEqual(test.payments, expected.payments);
    assert.equal(test.active_merchants, expected.active_merchants);
    const live = (await operators.admin.get(query({ from: rangeFrom / 1000, to: rangeTo / 1000 }))).json();
    assert.notDeepEqual(test.payments, live.payments);

    const cny = (
      await operators.admin.get(query({ from: rangeFrom / 1000, to: rangeTo / 1000, currency: "CNY" }))
    ).json();
    const expectedCny = await recompute(true, rangeFrom, rangeTo, "CNY");
    assert.equal(cny.currency, "CNY");
    assert.deepEqual(cny.volume, expectedCny.volume);
    assert.deepEqual(cny.payments, expectedCny.payments);
  });

  it("widens a range to whole UTC hours and defaults to the last 30 days", async () => {
    const odd = (
      await operators.admin.get(query({ from: (rangeFrom + 1_234_000) / 1000, to: (rangeTo - 1_000_000) / 1000 }))
    ).json();
    assert.deepEqual([odd.from, odd.to], [rangeFrom / 1000, rangeTo / 1000]);
    const all = (await operators.admin.get("/v1/ops/analytics/summary")).json();
    const now = clock.now().getTime();
    assert.equal(all.to, Math.ceil(now / hourMs) * (hourMs / 1000));
    assert.equal(all.to - all.from, 30 * 24 * 3600);
    const expected = await recompute(true, all.from * 1000, all.to * 1000);
    assert.deepEqual(all.payments, expected.payments);
    assert.equal(all.active_merchants, 6);
  });

  it("refuses a backwards, too long or unknown query with its code and an unknown currency answers nothing", async () => {
    const backwards = await operators.admin.get(query({ from: rangeTo / 1000, to: rangeFrom / 1000 }));
    assert.equal(backwards.statusCode, 400);
    assert.equal(backwards.json().error.code, "analytics_range_invalid");
    const long = await operators.admin.get(
      query({ from: (rangeTo - analyticsRangeMaxMs - hourMs) / 1000, to: rangeTo / 1000 }),
    );
    assert.equal(long.statusCode, 400);
    assert.equal(long.json().error.code, "analytics_range_too_long");
    const unknown = await operators.admin.get(query({ merchant: merchants[0]! }));
    assert.equal(unknown.statusCode, 400);
    const none = (
      await operators.admin.get(query({ from: rangeFrom / 1000, to: rangeTo / 1000, currency: "JPY" }))
    ).json();
    assert.deepEqual(none.volume, []);
    assert.equal(none.success_rate, null);
  });

  it("is for admins and reviewers: support staff are refused, and so is anyone not signed in", async () => {
    assert.equal((await operators.reviewer.get(query({}))).statusCode, 200);
    const support = await operators.support.get(query({}));
    assert.equal(support.statusCode, 403);
    assert.equal(support.json().error.code, "permission_denied");
    const anonymous = await app.inject({ method: "GET", url: query({}) });
    assert.equal(anonymous.statusCode, 401);
  });
});
