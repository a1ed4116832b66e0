import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import { type TestWalletUser, WalletClient } from "../../test/helpers/wallets.js";
import { feedbackWindowMs } from "../limits.js";

/**
 * Feedback after a payment, over HTTP against the real database and SMTP: the receipt's link, the checkout page's
 * token and the wallet each rate a payment once; racing submissions keep one; refusals write nothing; the merchant
 * lists feedback with its payments, reads averages per day in its time zone, and gets feedback.created.
 */
describe("feedback", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Feedback Tea House");
    other = await newPaymentsMerchant(coffer, "Other Shop");
    payer = await newTestPayer(coffer, { fund: "100000" });
  });
  after(() => coffer?.close());

  const as =
    (merchant: TestPaymentsMerchant) =>
    (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
      coffer.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${merchant.secretKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
  const api = (method: "GET" | "POST", url: string, body?: unknown) => as(shop)(method, url, body);
  const publicCall = (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    coffer.app.inject({
      method,
      url,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  async function ok(response: LightMyRequestResponse, status = 200) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }
  /** A qr payment of the shop paid by `by`: the confirmation's answer (with its feedback_token). */
  async function paid(by: WalletUser, amount = "1500", description = "Longjing, 50 g") {
    const payment = await ok(
      await api("POST", "/v1/payments", { amount, currency: "USD", method: "qr", description }),
      201,
    );
    const scanned = await ok(await by.client.post("/v1/wallet/scan", { payload: payment.qr.payload }));
    const confirmed = await ok(await by.client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}));
    assert.equal(confirmed.status, "succeeded");
    return confirmed;
  }
  type WalletUser = { client: WalletClient };
  const feedbackRows = async (paymentId: string) =>
    (await coffer.db.pool.query("SELECT * FROM payment_feedback WHERE payment_id = $1", [paymentId])).rows;
  const events = async (paymentId: string) =>
    (
      await coffer.db.pool.query(
        "SELECT data FROM events WHERE type = 'feedback.created' AND data->'object'->>'payment' = $1",
        [paymentId],
      )
    ).rows;

  it("the receipt's link rates a payment once; the merchant lists it with its payment and gets feedback.created", async () => {
    const payment = await paid(payer, "1999", "Two pots of oolong");
    const mail = await coffer.sink.waitFor((m) => m.to.includes(payer.email) && m.text.includes(payment.id));
    const link = /\/feedback\/(pay_[A-Za-z0-9]+\.[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    assert.equal(link, payment.feedback_token, "the checkout page gets the receipt's link");

    const shown = await ok(await publicCall("GET", `/v1/feedback_requests/${link}`));
    assert.equal(shown.merchant.name, "Feedback Tea House");
    assert.equal(shown.amount_display, "19.99");
    assert.equal(shown.rateable, true);
    assert.equal(shown.feedback, null);

    const given = await ok(
      await publicCall("POST", `/v1/feedback_requests/${link}`, {
        rating: 5,
        tags: ["fast", "friendly_service"],
        comment: "  Lovely tea, quick pay.  ",
      }),
      201,
    );
    assert.equal(given.rateable, false);
    assert.deepEqual(
      { rating: given.feedback.rating, tags: given.feedback.tags, comment: given.feedback.comment },
      { rating: 5, tags: ["fast", "friendly_service"], comment: "Lovely tea, quick pay." },
    );
    assert.equal(given.feedback.source, "receipt");

    const again = await publicCall("POST", `/v1/feedback_requests/${link}`, { rating: 1 });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().error.code, "feedback_exists");
    const byWallet = await payer.client.post(`/v1/wallet/payments/${payment.id}/feedback`, { rating: 2 });
    assert.equal(byWallet.json().error.code, "feedback_exists");

    const list = await ok(await api("GET", `/v1/feedback?payment=${payment.id}`));
    assert.equal(list.data.length, 1);
    assert.deepEqual(
      {
        payment: list.data[0].payment,
        amount: list.data[0].amount,
        description: list.data[0].description,
        rating: list.data[0].rating,
      },
      { payment: payment.id, amount: "1999", description: "Two pots of oolong", rating: 5 },
    );
    const one = await ok(await api("GET", `/v1/feedback/${list.data[0].id}`));
    assert.deepEqual(one, list.data[0]);
    const hidden = await as(other)("GET", `/v1/feedback/${one.id}`);
    assert.equal(hidden.statusCode, 404, hidden.body);
    assert.equal((await ok(await as(other)("GET", "/v1/feedback"))).data.length, 0);
    const [event] = await events(payment.id);
    assert.deepEqual(event.data.object, one);
  });

  it("the wallet rates its own payments, a prepaid card too; nobody else can", async () => {
    const payment = await paid(payer);
    const stranger = await newTestPayer(coffer, { fund: "100" });
    for (const response of [
      await stranger.client.get(`/v1/wallet/payments/${payment.id}/feedback`),
      await stranger.client.post(`/v1/wallet/payments/${payment.id}/feedback`, { rating: 1 }),
    ]) {
      assert.equal(response.statusCode, 404, response.body);
    }
    const before = await ok(await payer.client.get(`/v1/wallet/payments/${payment.id}/feedback`));
    assert.equal(before.rateable, true);
    const given = await ok(
      await payer.client.post(`/v1/wallet/payments/${payment.id}/feedback`, { rating: 3, tags: ["slow"] }),
      201,
    );
    assert.equal(given.feedback.source, "wallet");
    assert.equal(given.feedback.comment, null);

    // A prepaid card's session (the card paid the payment) rates it as well.
    const issuer = await paid(payer, "20000", "Card float"); // the shop's balance, for the card
    assert.ok(issuer);
    const card = await ok(await api("POST", "/v1/stored_value/cards", { currency: "USD", amount: "5000" }), 201);
    const session = await ok(
      await publicCall("POST", "/v1/wallet/cards", { number: card.number, secret: card.secret }),
      201,
    );
    const cardClient = new WalletClient(coffer.app, session.token);
    const byCard = await paid({ client: cardClient }, "700");
    const rated = await ok(
      await cardClient.post(`/v1/wallet/payments/${byCard.id}/feedback`, { rating: 4, comment: "Handy card" }),
      201,
    );
    assert.equal(rated.feedback.rating, 4);
  });

  it("the checkout page's token rates with source checkout; 20 racing submissions keep exactly one", async () => {
    const payment = await paid(payer);
    const token = payment.feedback_token as string;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? publicCall("POST", `/v1/feedback_requests/${token}`, { rating: (i % 5) + 1, source: "checkout" })
          : payer.client.post(`/v1/wallet/payments/${payment.id}/feedback`, { rating: (i % 5) + 1 }),
      ),
    );
    const created = answers.filter((a) => a.statusCode === 201);
    assert.equal(created.length, 1, answers.map((a) => a.body).join("\n"));
    for (const a of answers.filter((x) => x.statusCode !== 201)) {
      assert.equal(a.statusCode, 409, a.body);
      assert.equal(a.json().error.code, "feedback_exists");
    }
    assert.equal((await feedbackRows(payment.id)).length, 1);
    assert.equal((await events(payment.id)).length, 1);
    assert.equal(
      (await feedbackRows(payment.id))[0].rating,
      created[0]!.json().feedback.rating,
      "the kept row is the one answered 201",
    );
  });

  it("refusals write nothing: bad input, unpaid or foreign payments, forged links, the window", async () => {
    const payment = await paid(payer);
    const url = `/v1/wallet/payments/${payment.id}/feedback`;
    for (const [body, param] of [
      [{ rating: 6 }, "rating"],
      [{ rating: 0 }, "rating"],
      [{ rating: 4.5 }, "rating"],
      [{ rating: 4, tags: ["tasty"] }, "tags"],
      [{ rating: 4, tags: ["fast", "fast"] }, "tags"],
      [{ rating: 4, tags: ["fast", "easy", "slow", "quality", "expensive", "good_value"] }, "tags"],
      [{ rating: 4, comment: "x".repeat(1001) }, "comment"],
      [{}, "rating"],
    ] as const) {
      const response = await payer.client.post(url, body);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
      assert.ok(String(response.json().error.param).startsWith(param), response.body);
    }
    const forged = `${payment.id}.${"A".repeat(43)}`;
    for (const token of [forged, "nonsense", `${payment.id}.`]) {
      const response = await publicCall("POST", `/v1/feedback_requests/${encodeURIComponent(token)}`, { rating: 5 });
      assert.equal(response.statusCode, 404, response.body);
    }
    const open = await ok(await api("POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr" }), 201);
    const notMine = await payer.client.post(`/v1/wallet/payments/${open.id}/feedback`, { rating: 5 });
    assert.equal(notMine.statusCode, 404, notMine.body);
    assert.equal((await feedbackRows(payment.id)).length, 0);

    // A manual-capture payment is rateable once captured, not while only authorized.
    const held = await ok(
      await api("POST", "/v1/payments", { amount: "800", currency: "USD", method: "qr", capture_method: "manual" }),
      201,
    );
    const scanned = await ok(await payer.client.post("/v1/wallet/scan", { payload: held.qr.payload }));
    await ok(await payer.client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}));
    const authorized = await payer.client.post(`/v1/wallet/payments/${held.id}/feedback`, { rating: 5 });
    assert.equal(authorized.statusCode, 409, authorized.body);
    assert.equal(authorized.json().error.code, "payment_not_rateable");

    // After the window: refused, and the request says so.
    await ok(await api("POST", "/v1/test_helpers/advance_time", { seconds: feedbackWindowMs / 1000 + 60 }));
    const late = await payer.client.post(url, { rating: 5 });
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(late.json().error.code, "feedback_window_closed");
    assert.equal((await ok(await payer.client.get(url))).rateable, false);
    assert.equal((await feedbackRows(payment.id)).length, 0);
  });

  it("averages over time: per day in the merchant's time zone, zero-filled, with ratings and tags", async () => {
    const shop2 = await newPaymentsMerchant(coffer, "Summary Shop");
    const api2 = as(shop2);
    const rate = async (rating: number, tags: string[]) => {
      const p = await ok(await api2("POST", "/v1/payments", { amount: "500", currency: "USD", method: "qr" }), 201);
      await ok(await payer.client.post("/v1/wallet/scan", { payload: p.qr.payload }));
      const c = await ok(await payer.client.post(`/v1/wallet/payments/${p.id}/confirm`, {}));
      await ok(await payer.client.post(`/v1/wallet/payments/${c.id}/feedback`, { rating, tags }), 201);
    };
    const clock = await ok(await api2("POST", "/v1/test_helpers/advance_time", { seconds: 1 }));
    const start = Math.floor(Date.parse(clock.now) / 1000);
    await rate(5, ["fast"]);
    await rate(4, ["fast", "easy"]);
    await ok(await api2("POST", "/v1/test_helpers/advance_time", { seconds: 2 * 86_400 }));
    await rate(2, ["slow"]);
    const summary = await ok(
      await api2(
        "GET",
        `/v1/feedback/summary?from=${start - 86_400}&to=${start + 4 * 86_400}&time_zone=Asia/Shanghai&interval=day`,
      ),
    );
    assert.equal(summary.count, 3);
    assert.equal(summary.average_rating, 3.67);
    assert.deepEqual(summary.ratings, [
      { rating: 5, count: 1 },
      { rating: 4, count: 1 },
      { rating: 3, count: 0 },
      { rating: 2, count: 1 },
      { rating: 1, count: 0 },
    ]);
    assert.deepEqual(summary.tags, [
      { tag: "fast", count: 2 },
      { tag: "easy", count: 1 },
      { tag: "slow", count: 1 },
    ]);
    assert.ok(summary.series.length >= 5 && summary.series.length <= 6, JSON.stringify(summary.series));
    assert.equal(
      summary.series.reduce((n: number, b: { count: number }) => n + b.count, 0),
      3,
    );
    const rated = summary.series.filter((b: { count: number }) => b.count > 0);
    assert.deepEqual(
      rated.map((b: { count: number; average_rating: number }) => [b.count, b.average_rating]),
      [
        [2, 4.5],
        [1, 2],
      ],
    );
    // Bucket edges are midnight in Shanghai (16:00 UTC), but the first, which is the range's start.
    for (const bucket of summary.series.slice(1)) assert.equal((bucket.start + 8 * 3600) % 86_400, 0);
    assert.equal(summary.series[0].start, start - 86_400);

    for (const [query, code] of [
      ["time_zone=Mars/Olympus", "time_zone_invalid"],
      [`from=${start}&to=${start - 10}`, "analytics_range_invalid"],
      [`from=${start - 500 * 86_400}&to=${start}`, "analytics_range_too_long"],
      ["interval=year", "parameter_invalid"],
    ]) {
      const response = await api2("GET", `/v1/feedback/summary?${query}`);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, code, response.body);
    }
  });
});
