import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import type { TestWalletUser } from "../../test/helpers/wallets.js";
import { analyticsMethodOwnPaymentsMin, returningCustomerWindowMs } from "../limits.js";
import { foldInbox } from "./fold.js";
import { timeToPayBucket, timeToPayBucketCount, timeToPayQuantileMs } from "./histogram.js";
import { analyticsServiceOf } from "./routes.js";

/**
 * Merchant analytics against a generated history made through the real API (so the real code paths write the
 * inbox): payments of every method and final status, partial and full refunds, repeat payers, a second merchant
 * and the other mode, spread over days across a daylight-saving change. After the inbox is folded — in parallel,
 * and with the earliest successes held back and folded last — every figure of every endpoint must equal a
 * recomputation from the payments and refunds rows, written here in SQL of its own.
 */

/** A small seeded generator (mulberry32): the same history on every run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hour = 3_600_000;
const start = new Date("2026-03-05T09:00:00Z"); // New York leaves winter time on 2026-03-08

describe("merchant analytics", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;
  let liveKey: string;
  let settings: Record<"set" | "bad" | "read", LightMyRequestResponse>;
  let payers: TestWalletUser[];
  const random = seeded(17);

  const call = async (key: string, method: "GET" | "POST" | "PATCH", url: string, body?: unknown) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const ok = (response: LightMyRequestResponse, status = 200) => {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const amount = () => String(100 + Math.floor(random() * 20_000));

  async function drain(batch: number) {
    while ((await foldInbox(coffer.db.pool, batch)) > 0) {}
  }

  // The scripted payers behind the magic codes hold 100,000 once: small amounts, so they last the history.
  async function payByCode(
    merchant: TestPaymentsMerchant,
    code: string,
    value = String(50 + Math.floor(random() * 1_500)),
  ) {
    const body = { amount: value, currency: "USD", method: "payment_code", payment_code: code };
    return ok(await call(merchant.secretKey, "POST", "/v1/payments", body), 201);
  }

  async function payByWallet(merchant: TestPaymentsMerchant, method: "qr" | "checkout", payer: TestWalletUser) {
    const created = ok(
      await call(merchant.secretKey, "POST", "/v1/payments", { amount: amount(), currency: "USD", method }),
      201,
    );
    coffer.clock.advance(Math.floor(random() * 8 * 60_000)); // the payer takes a while
    if (method === "qr") ok(await payer.client.post("/v1/wallet/scan", { payload: created.qr.payload }));
    else ok(await coffer.app.inject({ method: "GET", url: `/v1/checkout/${created.id}` }));
    coffer.clock.advance(Math.floor(random() * 90_000));
    ok(await payer.client.post(`/v1/wallet/payments/${created.id}/confirm`, {}));
    return created;
  }

  before(async () => {
    coffer = await startPaymentsCoffer({ start: start.toISOString() });
    shop = await newPaymentsMerchant(coffer, "Tea House");
    other = await newPaymentsMerchant(coffer, "Other Shop");
    liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    // The console's time zone setting, while its session is fresh (the history moves the clock by days).
    settings = {
      set: await other.console.send("PATCH" as "PUT", "/v1/console/merchant", { time_zone: "Asia/Kolkata" }),
      bad: await other.console.send("PATCH" as "PUT", "/v1/console/merchant", { time_zone: "Mars/Olympus" }),
      read: await other.console.get("/v1/console/merchant"),
    };
    payers = [];
    for (const name of ["Ada", "Grace", "Linus"])
      payers.push(await newTestPayer(coffer, { fund: "400000", displayName: name }));

    const paid: string[] = [];
    for (let step = 0; step < 70; step++) {
      coffer.clock.advance(Math.floor(random() * 5 * hour));
      const roll = random();
      if (roll < 0.2) paid.push((await payByCode(shop, "880000000000000001")).id);
      else if (roll < 0.3)
        await payByCode(shop, pick(["880000000000000002", "880000000000000003", "880000000000000007"]));
      else if (roll < 0.5) paid.push((await payByWallet(shop, "qr", pick(payers))).id);
      else if (roll < 0.62) paid.push((await payByWallet(shop, "checkout", pick(payers))).id);
      else if (roll < 0.7) {
        const open = ok(
          await call(shop.secretKey, "POST", "/v1/payments", { amount: amount(), currency: "USD", method: "qr" }),
          201,
        );
        ok(await call(shop.secretKey, "POST", `/v1/payments/${open.id}/cancel`, {}));
      } else if (roll < 0.78) {
        // Left open: it expires when the expiry worker next runs.
        ok(
          await call(shop.secretKey, "POST", "/v1/payments", {
            amount: amount(),
            currency: "USD",
            method: pick(["qr", "checkout"]),
          }),
          201,
        );
      } else if (roll < 0.9 && paid.length > 0) {
        const id = pick(paid);
        const payment = ok(await call(shop.secretKey, "GET", `/v1/payments/${id}`));
        const left = BigInt(payment.amount_received) - BigInt(payment.amount_refunded);
        if (left > 0n) {
          const part = random() < 0.5 ? left : left / 3n + 1n;
          ok(await call(shop.secretKey, "POST", "/v1/refunds", { payment: id, amount: String(part) }), 201);
        }
      } else if (roll < 0.95) {
        await payByWallet(other, "qr", pick(payers));
        await payByCode(other, "880000000000000002");
      } else {
        ok(await call(liveKey, "POST", "/v1/payments", { amount: amount(), currency: "USD", method: "qr" }), 201);
      }
      if (step % 10 === 0) await coffer.services.payments.expireDue();
    }
    // Bucket edges: one payment a second before midnight in Shanghai, one at midnight.
    coffer.clock.set(new Date("2026-03-15T15:59:59Z"));
    assert.equal((await payByCode(shop, "880000000000000001", "100")).status, "succeeded");
    coffer.clock.set(new Date("2026-03-15T16:00:00Z"));
    assert.equal((await payByCode(shop, "880000000000000001", "100")).status, "succeeded");
    coffer.clock.advance(24 * hour);
    await coffer.services.payments.expireDue();

    // Fold out of order: the inbox rows of each payer's first success are held back and folded last, so "new"
    // first lands on a later payment and must move; the rest is folded by two workers at once in small batches.
    const held = await coffer.db.pool.query(
      `DELETE FROM analytics_inbox i
        WHERE i.source = 'payment' AND i.object_id IN (
          SELECT DISTINCT ON (merchant_id, livemode, payer_id) id FROM payments
           WHERE status = 'succeeded' ORDER BY merchant_id, livemode, payer_id, paid_at, id)
       RETURNING source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id, amount, fee,
                 failure_code, created_at, opened_at, paid_at, final_at`,
    );
    assert.ok(held.rows.length > 0);
    await Promise.all([drain(7), drain(11)]);
    for (const r of held.rows) {
      await coffer.db.pool.query(
        `INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                      amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        Object.values(r),
      );
    }
    await drain(5);
  });
  after(() => coffer.close());

  const from = Math.floor(start.getTime() / 1000);
  const to = from + 12 * 86_400;
  const range = `from=${from}&to=${to}&currency=USD`;

  /** The figures of a range recomputed from the payments and refunds rows. */
  async function recompute(merchantId: string, livemode: boolean, f: number, t: number) {
    const q = await coffer.db.pool.query(
      `WITH p AS (SELECT * FROM payments WHERE merchant_id = $1 AND livemode = $2 AND currency = 'USD'),
            r AS (SELECT * FROM refunds WHERE merchant_id = $1 AND livemode = $2 AND currency = 'USD' AND status = 'succeeded'
                    AND created_at >= to_timestamp($3) AND created_at < to_timestamp($4)),
            inr AS (SELECT * FROM p WHERE paid_at >= to_timestamp($3) AND paid_at < to_timestamp($4) AND status = 'succeeded'),
            fin AS (SELECT * FROM p WHERE status IN ('failed', 'canceled', 'expired')
                      AND updated_at >= to_timestamp($3) AND updated_at < to_timestamp($4)),
            ordered AS (SELECT id, paid_at, row_number() OVER w AS n, lag(paid_at) OVER w AS prev
                          FROM p WHERE status = 'succeeded' AND payer_id IS NOT NULL
                        WINDOW w AS (PARTITION BY payer_id ORDER BY paid_at, id))
       SELECT (SELECT count(*) FROM p WHERE created_at >= to_timestamp($3) AND created_at < to_timestamp($4))::int AS created,
              (SELECT count(*) FROM p WHERE opened_at >= to_timestamp($3) AND opened_at < to_timestamp($4))::int AS opened,
              (SELECT count(*) FROM inr)::int AS succeeded,
              (SELECT coalesce(sum(amount_captured), 0) FROM inr)::text AS gross,
              (SELECT coalesce(sum(fee_amount), 0) FROM inr)::bigint - (SELECT coalesce(sum(fee_returned), 0) FROM r)::bigint AS fees,
              (SELECT count(*) FROM fin WHERE status = 'failed')::int AS failed,
              (SELECT count(*) FROM fin WHERE status = 'canceled')::int AS canceled,
              (SELECT count(*) FROM fin WHERE status = 'expired')::int AS expired,
              (SELECT count(*) FROM r)::int AS refunds,
              (SELECT coalesce(sum(amount), 0) FROM r)::text AS refunded,
              (SELECT count(*) FROM ordered o JOIN inr USING (id) WHERE o.n = 1)::int AS new,
              (SELECT count(*) FROM ordered o JOIN inr USING (id)
                WHERE o.prev >= o.paid_at - $5 * interval '1 millisecond')::int AS returning,
              (SELECT count(*) FROM inr WHERE payer_id IS NOT NULL)::int AS identified,
              (SELECT coalesce(array_agg(floor(extract(epoch FROM paid_at) * 1000) - floor(extract(epoch FROM created_at) * 1000)), '{}')
                 FROM inr)::bigint[] AS times`,
      [merchantId, livemode, f, t, returningCustomerWindowMs],
    );
    const row = q.rows[0];
    const histogram = Array.from({ length: timeToPayBucketCount }, () => 0n);
    for (const ms of row.times as string[]) histogram[timeToPayBucket(Number(ms))]! += 1n;
    const rate = (a: number, b: number) => (b > 0 ? a / b : null);
    const gross = BigInt(row.gross);
    const fees = BigInt(row.fees);
    const refunded = BigInt(row.refunded);
    return {
      gross_volume: String(gross),
      net_volume: String(gross - refunded - fees),
      fees: String(fees),
      refunded_amount: String(refunded),
      payments: {
        created: row.created,
        opened: row.opened,
        succeeded: row.succeeded,
        failed: row.failed,
        canceled: row.canceled,
        expired: row.expired,
      },
      success_rate: rate(row.succeeded, row.succeeded + row.failed + row.canceled + row.expired),
      conversion_rate: rate(row.succeeded, row.created),
      time_to_pay: { median_ms: timeToPayQuantileMs(histogram, 0.5), p90_ms: timeToPayQuantileMs(histogram, 0.9) },
      refunds: { count: row.refunds, amount: String(refunded) },
      refund_rate: gross > 0n ? Number(refunded) / Number(gross) : null,
      average_ticket: row.succeeded > 0 ? String(gross / BigInt(row.succeeded)) : null,
      customers: {
        new: row.new,
        returning_payments: row.returning,
        identified_payments: row.identified,
        returning_rate: rate(row.returning, row.identified),
      },
    };
  }

  it("the generated history covers every final status, method, refund kind and repeat payers", async () => {
    const q = await coffer.db.pool.query(
      `SELECT array_agg(DISTINCT status ORDER BY status) AS statuses, array_agg(DISTINCT method ORDER BY method) AS methods,
              (SELECT count(*) FROM refunds WHERE status = 'succeeded')::int AS refunds,
              (SELECT count(*) FROM payments WHERE amount_refunded = amount_captured AND amount_refunded > 0)::int AS full,
              (SELECT count(*) FROM payments WHERE amount_refunded > 0 AND amount_refunded < amount_captured)::int AS part,
              (SELECT count(*) FROM (SELECT payer_id FROM payments WHERE status = 'succeeded' AND merchant_id = $1
                 GROUP BY payer_id HAVING count(*) > 1) x)::int AS repeat,
              (SELECT count(*) FROM analytics_inbox)::int AS inbox
         FROM payments`,
      [shop.merchantId],
    );
    const h = q.rows[0];
    assert.deepEqual(
      h.statuses,
      ["canceled", "expired", "failed", "requires_payment", "succeeded"].filter((s) => h.statuses.includes(s)),
    );
    for (const s of ["canceled", "expired", "failed", "succeeded"]) assert.ok(h.statuses.includes(s), s);
    assert.deepEqual(h.methods, ["checkout", "payment_code", "qr"]);
    assert.ok(h.full > 0 && h.part > 0, `full ${h.full} partial ${h.part}`);
    assert.ok(h.repeat >= 2);
    assert.equal(h.inbox, 0);
  });

  it("summary: every figure equals a recomputation from the rows, and so does the period before", async () => {
    const summary = ok(await call(shop.secretKey, "GET", `/v1/analytics/summary?${range}&time_zone=Asia/Shanghai`));
    assert.equal(summary.object, "analytics_summary");
    assert.equal(summary.livemode, false);
    assert.equal(summary.time_zone, "Asia/Shanghai");
    const { previous, object: _o, livemode: _l, from: f, to: t, time_zone: _z, currency, ...figures } = summary;
    assert.equal(currency, "USD");
    assert.deepEqual(figures, await recompute(shop.merchantId, false, f, t));
    assert.ok(Number(figures.payments.succeeded) > 10);
    assert.ok(figures.customers.returning_payments > 0);
    const { from: pf, to: pt, ...previousFigures } = previous;
    assert.equal(pt, f);
    assert.deepEqual(previousFigures, await recompute(shop.merchantId, false, pf, pt));

    // A window cutting the history in the middle still matches (rollup edges are 15 minutes).
    const mid = from + 4 * 86_400 + 900 * 7;
    const part = ok(await call(shop.secretKey, "GET", `/v1/analytics/summary?from=${mid}&to=${mid + 3 * 86_400}`));
    const {
      previous: _p,
      object: _o2,
      livemode: _l2,
      from: f2,
      to: t2,
      time_zone: _z2,
      currency: _c2,
      ...partFigures
    } = part;
    assert.deepEqual(partFigures, await recompute(shop.merchantId, false, f2, t2));
  });

  it("test and live apart; another merchant never counted", async () => {
    const live = ok(await call(liveKey, "GET", `/v1/analytics/summary?${range}`));
    assert.equal(live.livemode, true);
    const { previous: _p, object: _o, livemode: _l, from: f, to: t, time_zone: _z, currency: _c, ...figures } = live;
    const expected = await recompute(shop.merchantId, true, f, t);
    assert.deepEqual(figures, expected);
    assert.ok(expected.payments.created > 0);
    assert.equal(expected.payments.succeeded, 0);

    const theirs = ok(await call(other.secretKey, "GET", `/v1/analytics/summary?${range}`));
    const {
      previous: _p2,
      object: _o2,
      livemode: _l2,
      from: f2,
      to: t2,
      time_zone: _z2,
      currency: _c2,
      ...otherFigures
    } = theirs;
    assert.deepEqual(otherFigures, await recompute(other.merchantId, false, f2, t2));
    const mine = ok(await call(shop.secretKey, "GET", `/v1/analytics/summary?${range}`));
    assert.notEqual(mine.payments.created, theirs.payments.created);
  });

  for (const timeZone of ["UTC", "Asia/Shanghai", "Asia/Kolkata", "America/New_York"]) {
    it(`timeseries by day in ${timeZone}: local days, zero-filled, each equal to the rows`, async () => {
      for (const metric of ["gross_volume", "payments_created", "success_rate", "new_customers", "refunded_amount"]) {
        const series = ok(
          await call(
            shop.secretKey,
            "GET",
            `/v1/analytics/timeseries?${range}&time_zone=${timeZone}&metric=${metric}&interval=day`,
          ),
        );
        assert.equal(series.data[0].start, from);
        assert.equal(series.data.at(-1).end, to);
        for (let i = 1; i < series.data.length; i++) assert.equal(series.data[i].start, series.data[i - 1].end);
        for (const point of series.data.slice(1, -1)) {
          // Every inner bucket starts at local midnight of the zone.
          const local = await coffer.db.pool.query("SELECT to_char(to_timestamp($1) AT TIME ZONE $2, 'HH24:MI') AS t", [
            point.start,
            timeZone,
          ]);
          assert.equal(local.rows[0].t, "00:00");
          const r = await recompute(shop.merchantId, false, point.start, point.end);
          const expected = {
            gross_volume: r.gross_volume,
            payments_created: r.payments.created,
            success_rate: r.success_rate,
            new_customers: r.customers.new,
            refunded_amount: r.refunded_amount,
          }[metric as "gross_volume"];
          assert.deepEqual(point.value, expected, `${metric} ${timeZone} ${point.start}`);
        }
      }
    });
  }

  it("a daylight-saving day in New York is 23 hours long; Kolkata's hours start at :30 UTC", async () => {
    const ny = ok(
      await call(
        shop.secretKey,
        "GET",
        `/v1/analytics/timeseries?${range}&time_zone=America/New_York&metric=payments_created&interval=day`,
      ),
    );
    const dstDay = ny.data.find((p: { start: number }) => p.start === Date.parse("2026-03-08T05:00:00Z") / 1000);
    assert.equal(dstDay.end - dstDay.start, 23 * 3600);
    const hours = ok(
      await call(
        shop.secretKey,
        "GET",
        `/v1/analytics/timeseries?from=${from}&to=${from + 2 * 86_400}&time_zone=Asia/Kolkata&metric=payments_created&interval=hour`,
      ),
    );
    for (const point of hours.data.slice(1)) assert.equal(point.start % 3600, 1800);
    let total = 0;
    for (const point of hours.data) total += point.value;
    const r = await recompute(shop.merchantId, false, from, from + 2 * 86_400);
    assert.equal(total, r.payments.created);
  });

  it("bucket edges: 23:59:59 and 00:00:00 in Shanghai fall on two days", async () => {
    const series = ok(
      await call(
        shop.secretKey,
        "GET",
        `/v1/analytics/timeseries?from=${Date.parse("2026-03-15T00:00:00Z") / 1000 - 8 * 3600}&to=${Date.parse("2026-03-17T00:00:00Z") / 1000 - 8 * 3600}&currency=USD&time_zone=Asia/Shanghai&metric=payments_succeeded&interval=day`,
      ),
    );
    assert.deepEqual(
      series.data.map((p: { value: number }) => p.value),
      [1, 1],
    );
  });

  it("failures, customers and methods equal the rows", async () => {
    const failures = ok(await call(shop.secretKey, "GET", `/v1/analytics/failures?${range}`));
    const raw = await coffer.db.pool.query(
      `SELECT failure_code, method, count(*)::int AS count FROM payments
        WHERE merchant_id = $1 AND NOT livemode AND status IN ('failed', 'expired') AND currency = 'USD'
          AND updated_at >= to_timestamp($2) AND updated_at < to_timestamp($3)
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      [shop.merchantId, failures.from, failures.to],
    );
    const total = raw.rows.reduce((s, r) => s + r.count, 0);
    assert.equal(failures.total, total);
    assert.deepEqual(
      failures.data,
      raw.rows.map((r) => ({ ...r, share: r.count / total })),
    );

    const customers = ok(await call(shop.secretKey, "GET", `/v1/analytics/customers?${range}`));
    const r = await recompute(shop.merchantId, false, customers.from, customers.to);
    assert.deepEqual(
      {
        new: customers.new,
        returning_payments: customers.returning_payments,
        identified_payments: customers.identified_payments,
        returning_rate: customers.returning_rate,
      },
      r.customers,
    );
    assert.equal(customers.returning_window_days, 90);
    assert.equal(customers.top_payers, undefined);

    const methods = ok(await call(shop.secretKey, "GET", `/v1/analytics/methods?${range}`));
    assert.deepEqual(
      methods.data.map((m: { method: string }) => m.method),
      ["qr", "payment_code", "checkout", "crypto"],
    );
    for (const m of methods.data) {
      const own = await coffer.db.pool.query(
        `SELECT count(*) FILTER (WHERE status = 'succeeded' AND paid_at >= to_timestamp($3) AND paid_at < to_timestamp($4))::int AS ok,
                count(*) FILTER (WHERE status IN ('failed', 'canceled', 'expired')
                                   AND updated_at >= to_timestamp($3) AND updated_at < to_timestamp($4))::int AS bad
           FROM payments WHERE merchant_id = $1 AND NOT livemode AND method = $2 AND currency = 'USD'`,
        [shop.merchantId, m.method, methods.from, methods.to],
      );
      const { ok: good, bad } = own.rows[0];
      assert.equal(m.source, good + bad >= analyticsMethodOwnPaymentsMin ? "merchant" : "platform", m.method);
      if (m.source === "merchant") {
        assert.equal(m.payments, good + bad);
        assert.equal(m.success_rate, good / (good + bad));
      }
      assert.deepEqual(m.fee_schedule, { percent_bps: 60, fixed: "0", currency: "USD" });
      assert.ok(m.currencies.includes("USD"));
      assert.equal(
        m.who_can_pay,
        {
          qr: "wallet_scans_qr",
          payment_code: "wallet_shows_code",
          checkout: "wallet_signs_in_checkout",
          crypto: "anyone_sends_crypto",
        }[m.method as "qr"],
      );
      assert.equal(m.settlement, "balance_now_payout_on_request");
    }
  });

  it("two workers fold a large inbox exactly once", async () => {
    const before = await coffer.db.pool.query("SELECT sum(created)::int AS c FROM analytics_rollups");
    // Re-fold a copy of every payment as a new snapshot pair (−, +): the sums must not move, however split.
    await coffer.db.pool.query(
      `INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                    amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
       SELECT 'payment', s.sign, p.id, p.merchant_id, p.livemode, p.currency, p.method, p.status, p.payer_id,
              p.amount_captured, p.fee_amount, p.failure_code, p.created_at, p.opened_at, p.paid_at,
              CASE WHEN p.status IN ('failed', 'canceled', 'expired') THEN p.updated_at END
         FROM payments p, generate_series(1, 20) g, (VALUES (-1), (1)) s(sign)`,
    );
    await Promise.all([drain(37), drain(41), drain(43)]);
    const afterFold = await coffer.db.pool.query("SELECT sum(created)::int AS c FROM analytics_rollups");
    assert.equal(afterFold.rows[0].c, before.rows[0].c);
    const summary = ok(await call(shop.secretKey, "GET", `/v1/analytics/summary?${range}`));
    const { previous: _p, object: _o, livemode: _l, from: f, to: t, time_zone: _z, currency: _c, ...figures } = summary;
    assert.deepEqual(figures, await recompute(shop.merchantId, false, f, t));
  });

  it("the time zone setting: console PATCH, then the default of every query", async () => {
    assert.equal(settings.set.statusCode, 200, settings.set.body);
    const { now, ...set } = settings.set.json();
    assert.deepEqual(set, { object: "merchant_settings", time_zone: "Asia/Kolkata" });
    // The console session is in test mode: "now" is the merchant's test clock, where its date presets end.
    assert.equal(now, Math.floor(start.getTime() / 1000));
    assert.equal(settings.bad.statusCode, 400);
    assert.equal(settings.bad.json().error.code, "time_zone_invalid");
    assert.equal(settings.read.json().time_zone, "Asia/Kolkata");
    const summary = ok(await call(other.secretKey, "GET", `/v1/analytics/summary?${range}`));
    assert.equal(summary.time_zone, "Asia/Kolkata");
    assert.equal(ok(await call(shop.secretKey, "GET", `/v1/analytics/summary?${range}`)).time_zone, "UTC");
  });

  it("restricted keys need the analytics scope; publishable keys get nothing", async () => {
    const reader = await issueTestApiKey(coffer.services, shop.merchantId, { scopes: { analytics: "read" } });
    const payments = await issueTestApiKey(coffer.services, shop.merchantId, { scopes: { payments: "write" } });
    const publishable = await issueTestApiKey(coffer.services, shop.merchantId, { type: "publishable" });
    const url = `/v1/analytics/summary?${range}`;
    assert.equal((await call(reader, "GET", url)).statusCode, 200);
    assert.equal((await call(payments, "GET", url)).json().error.code, "permission_denied");
    assert.equal((await call(publishable, "GET", url)).statusCode, 403);
  });

  it("bad input answers documented 400s", async () => {
    const cases: [string, string, string][] = [
      [`/v1/analytics/summary?${range}&time_zone=Nowhere/City`, "time_zone_invalid", "time_zone"],
      [`/v1/analytics/summary?from=${to}&to=${from}`, "analytics_range_invalid", "from"],
      [`/v1/analytics/summary?from=${from}&to=${from}`, "analytics_range_invalid", "from"],
      [`/v1/analytics/summary?from=${from - 500 * 86_400}&to=${from}`, "analytics_range_too_long", "from"],
      [`/v1/analytics/timeseries?${range}&metric=volume&interval=day`, "parameter_invalid", "metric"],
      [`/v1/analytics/timeseries?${range}&metric=gross_volume&interval=year`, "parameter_invalid", "interval"],
      [
        `/v1/analytics/timeseries?from=${from - 300 * 86_400}&to=${from}&metric=gross_volume&interval=hour`,
        "analytics_range_too_long",
        "interval",
      ],
      [`/v1/analytics/summary?${range}&colour=red`, "parameter_unknown", "colour"],
    ];
    for (const [url, code, param] of cases) {
      const response = await call(shop.secretKey, "GET", url);
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.json().error.code, code, url);
      assert.equal(response.json().error.param, param, url);
    }
  });
  /** Every daily row equals the sum of the 15-minute rows of its day (merchant rows: in the merchant's zone). */
  async function assertDailyLevels() {
    const q = await coffer.db.pool.query(
      `WITH fine AS (
         SELECT r.merchant_id, r.livemode, (r.bucket_start AT TIME ZONE m.time_zone)::date AS day, r.currency, r.method,
                to_jsonb(r) - '{merchant_id,livemode,bucket_start,currency,method}'::text[] AS figures
           FROM analytics_rollups r JOIN merchants m ON m.id = r.merchant_id
       ), fine_days AS (
         SELECT merchant_id, livemode, day, currency, method, key, sum(value::numeric) AS total
           FROM fine, jsonb_each_text(figures) GROUP BY 1, 2, 3, 4, 5, 6
       ), coarse_days AS (
         SELECT merchant_id, livemode, day, currency, method, key, value::numeric AS total
           FROM analytics_rollups_daily d,
                jsonb_each_text(to_jsonb(d) - '{merchant_id,livemode,day,currency,method}'::text[])
       ), failures AS (
         SELECT f.merchant_id, f.livemode, (f.bucket_start AT TIME ZONE m.time_zone)::date AS day, f.currency, f.method,
                f.failure_code, sum(f.count) AS count
           FROM analytics_failures f JOIN merchants m ON m.id = f.merchant_id GROUP BY 1, 2, 3, 4, 5, 6
       ), platform AS (
         SELECT (h.bucket_start AT TIME ZONE 'UTC')::date AS day, h.livemode, h.currency, h.method, key,
                sum(value::numeric) AS total
           FROM analytics_platform_hourly h,
                jsonb_each_text(to_jsonb(h) - '{bucket_start,livemode,currency,method}'::text[]) GROUP BY 1, 2, 3, 4, 5
       ), platform_days AS (
         SELECT day, livemode, currency, method, key, value::numeric AS total
           FROM analytics_platform_daily d, jsonb_each_text(to_jsonb(d) - '{day,livemode,currency,method}'::text[])
       )
       SELECT (SELECT count(*) FROM (SELECT * FROM fine_days WHERE total <> 0
                 EXCEPT SELECT * FROM coarse_days WHERE total <> 0) x)::int AS missing,
              (SELECT count(*) FROM (SELECT * FROM coarse_days WHERE total <> 0
                 EXCEPT SELECT * FROM fine_days WHERE total <> 0) x)::int AS extra,
              (SELECT count(*) FROM (SELECT * FROM failures WHERE count <> 0
                 EXCEPT SELECT * FROM analytics_failures_daily WHERE count <> 0) x)::int AS failures_missing,
              (SELECT count(*) FROM (SELECT * FROM analytics_failures_daily WHERE count <> 0
                 EXCEPT SELECT * FROM failures WHERE count <> 0) x)::int AS failures_extra,
              (SELECT count(*) FROM (SELECT * FROM platform WHERE total <> 0
                 EXCEPT SELECT * FROM platform_days WHERE total <> 0) x)::int AS platform_missing,
              (SELECT count(*) FROM (SELECT * FROM platform_days WHERE total <> 0
                 EXCEPT SELECT * FROM platform WHERE total <> 0) x)::int AS platform_extra,
              (SELECT count(*) FROM analytics_rollups_daily)::int AS days`,
    );
    const { days, ...differences } = q.rows[0];
    assert.ok(days > 0, "the daily level has rows");
    assert.deepEqual(differences, {
      missing: 0,
      extra: 0,
      failures_missing: 0,
      failures_extra: 0,
      platform_missing: 0,
      platform_extra: 0,
    });
  }

  /** Summary, every timeseries by day/week/month, failures and methods, each against the rows, in one zone. */
  async function assertEveryFigure(key: string, merchantId: string, timeZone: string, f: number, t: number) {
    const zoned = `from=${f}&to=${t}&currency=USD&time_zone=${encodeURIComponent(timeZone)}`;
    const summary = ok(await call(key, "GET", `/v1/analytics/summary?${zoned}`));
    const { previous, object: _o, livemode: _l, from: sf, to: st, time_zone: _z, currency: _c, ...figures } = summary;
    assert.deepEqual(figures, await recompute(merchantId, false, sf, st), `summary ${timeZone} ${f}..${t}`);
    const { from: pf, to: pt, ...previousFigures } = previous;
    assert.deepEqual(previousFigures, await recompute(merchantId, false, pf, pt), `previous ${timeZone}`);
    for (const interval of ["day", "week", "month"]) {
      for (const metric of ["gross_volume", "payments_created", "success_rate", "new_customers", "refunded_amount"]) {
        const series = ok(
          await call(key, "GET", `/v1/analytics/timeseries?${zoned}&metric=${metric}&interval=${interval}`),
        );
        for (const point of series.data) {
          const r = await recompute(merchantId, false, point.start, point.end);
          const expected = {
            gross_volume: r.gross_volume,
            payments_created: r.payments.created,
            success_rate: r.success_rate,
            new_customers: r.customers.new,
            refunded_amount: r.refunded_amount,
          }[metric as "gross_volume"];
          assert.deepEqual(point.value, expected, `${metric} by ${interval} in ${timeZone} at ${point.start}`);
        }
      }
    }
    const failures = ok(await call(key, "GET", `/v1/analytics/failures?${zoned}`));
    const raw = await coffer.db.pool.query(
      `SELECT failure_code, method, count(*)::int AS count FROM payments
        WHERE merchant_id = $1 AND NOT livemode AND status IN ('failed', 'expired') AND currency = 'USD'
          AND updated_at >= to_timestamp($2) AND updated_at < to_timestamp($3)
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      [merchantId, failures.from, failures.to],
    );
    const total = raw.rows.reduce((sum, row) => sum + row.count, 0);
    assert.deepEqual(
      { total: failures.total, data: failures.data },
      { total, data: raw.rows.map((row) => ({ ...row, share: row.count / total })) },
      `failures ${timeZone}`,
    );
    const methods = ok(await call(key, "GET", `/v1/analytics/methods?${zoned}`));
    for (const m of methods.data) {
      if (m.source !== "merchant") continue;
      const own = await coffer.db.pool.query(
        `SELECT count(*) FILTER (WHERE status = 'succeeded' AND paid_at >= to_timestamp($3) AND paid_at < to_timestamp($4))::int AS ok,
                count(*) FILTER (WHERE status IN ('failed', 'canceled', 'expired')
                                   AND updated_at >= to_timestamp($3) AND updated_at < to_timestamp($4))::int AS bad
           FROM payments WHERE merchant_id = $1 AND NOT livemode AND method = $2 AND currency = 'USD'`,
        [merchantId, m.method, methods.from, methods.to],
      );
      assert.equal(m.payments, own.rows[0].ok + own.rows[0].bad, `methods ${m.method} ${timeZone}`);
    }
  }

  it("daily rollups: every day equals the 15-minute rows it sums, in each merchant's zone", async () => {
    await assertDailyLevels();
    // The other merchant's zone (Asia/Kolkata, +05:30) was set before its payments: its days were folded in it.
    const kolkata = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM analytics_rollups_daily WHERE merchant_id = $1",
      [other.merchantId],
    );
    assert.ok(kolkata.rows[0].n > 0);
  });

  it("ranges of whole days and partial edges give the figures of the rows, in the merchant's own zone", async () => {
    const analytics = analyticsServiceOf(coffer.services);
    for (const timeZone of ["America/New_York", "Asia/Shanghai", "Asia/Kolkata", "UTC"]) {
      await analytics.setTimeZone(shop.merchantId, false, timeZone);
      await assertDailyLevels();
      // The whole history; then edges inside days (07:00 and 13:45 past some midnight), over the New York
      // daylight-saving day; then a range shorter than a day.
      for (const [f, t] of [
        [from, to],
        [from + 86_400 + 7 * 3600, from + 6 * 86_400 + 13 * 3600 + 45 * 60],
        [from + 2 * 86_400 + 900, from + 2 * 86_400 + 20 * 3600],
      ] as const) {
        await assertEveryFigure(shop.secretKey, shop.merchantId, timeZone, f, t);
      }
    }
    // In another zone than the merchant's, every figure is still the rows' (read from the 15-minute level).
    await analytics.setTimeZone(shop.merchantId, false, "Asia/Shanghai");
    await assertEveryFigure(shop.secretKey, shop.merchantId, "America/New_York", from + 3600, to - 3600);
    const ny = ok(
      await call(
        shop.secretKey,
        "GET",
        `/v1/analytics/timeseries?${range}&time_zone=America/New_York&metric=payments_created&interval=day`,
      ),
    );
    const dstDay = ny.data.find((p: { start: number }) => p.start === Date.parse("2026-03-08T05:00:00Z") / 1000);
    assert.equal(dstDay.end - dstDay.start, 23 * 3600);
  });

  it("a daylight-saving day as the merchant's own: 23 hours, every figure the rows'", async () => {
    const analytics = analyticsServiceOf(coffer.services);
    await analytics.setTimeZone(shop.merchantId, false, "America/New_York");
    const day = Date.parse("2026-03-08T05:00:00Z") / 1000;
    const series = ok(
      await call(
        shop.secretKey,
        "GET",
        `/v1/analytics/timeseries?${range}&time_zone=America/New_York&metric=payments_created&interval=day`,
      ),
    );
    const dstDay = series.data.find((p: { start: number }) => p.start === day);
    assert.equal(dstDay.end - dstDay.start, 23 * 3600);
    assert.equal(dstDay.value, (await recompute(shop.merchantId, false, day, day + 23 * 3600)).payments.created);
    const rows = await coffer.db.pool.query(
      "SELECT sum(created)::int AS n FROM analytics_rollups_daily WHERE merchant_id = $1 AND NOT livemode AND day = '2026-03-08'",
      [shop.merchantId],
    );
    assert.equal(rows.rows[0].n ?? 0, dstDay.value);
    await assertEveryFigure(shop.secretKey, shop.merchantId, "America/New_York", day - 3600, day + 23 * 3600 + 900);
  });

  it("time zone changes while workers fold: the daily level and every figure stay exact", async () => {
    const analytics = analyticsServiceOf(coffer.services);
    // Every payment of the shop taken out and put back (−, +) several times, folded in small batches by two
    // workers while the zone changes back and forth: batches split the pairs, so the days move meanwhile.
    await coffer.db.pool.query(
      `INSERT INTO analytics_inbox (source, sign, object_id, merchant_id, livemode, currency, method, status, payer_id,
                                    amount, fee, failure_code, created_at, opened_at, paid_at, final_at)
       SELECT 'payment', s.sign, p.id, p.merchant_id, p.livemode, p.currency, p.method, p.status, p.payer_id,
              p.amount_captured, p.fee_amount, p.failure_code, p.created_at, p.opened_at, p.paid_at,
              CASE WHEN p.status IN ('failed', 'canceled', 'expired') THEN p.updated_at END
         FROM payments p, generate_series(1, 6) g, (VALUES (-1), (1)) s(sign)
        WHERE p.merchant_id = $1
        ORDER BY g, s.sign, p.id`,
      [shop.merchantId],
    );
    let folding = true;
    const zones = ["Asia/Kolkata", "America/New_York", "Asia/Shanghai", "Europe/London"];
    const changes = (async () => {
      let changed = 0;
      for (let i = 0; folding || i < 2; i++) {
        await analytics.setTimeZone(shop.merchantId, false, zones[i % zones.length]!);
        changed++;
      }
      return changed;
    })();
    await Promise.all([drain(13), drain(17)]);
    folding = false;
    assert.ok((await changes) >= 2);
    await assertDailyLevels();
    const zone = (await analytics.settings(shop.merchantId, false)).time_zone;
    await assertEveryFigure(shop.secretKey, shop.merchantId, zone, from, to);
  });
});
