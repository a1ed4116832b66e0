import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  eventTypesOf,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import type { TestWalletUser } from "../../test/helpers/wallets.js";
import { paymentLinkUsesPerAddressMax } from "../limits.js";

interface UseAnswer {
  payment: string;
  error: { code: string };
}

/**
 * Payment links against the real database over HTTP: every use is an ordinary checkout payment that names its link,
 * max_uses holds under concurrent uses, refusals write nothing, and a payment request mailed through the SMTP sink
 * is paid from the mail's link.
 */
describe("payment links", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payerA: TestWalletUser;
  let payerB: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Link Tea House");
    payerA = await newTestPayer(coffer, { fund: "100000" });
    payerB = await newTestPayer(coffer, { fund: "100000" });
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer?.close());

  const api = (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${shop.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const publicPost = (url: string, body: unknown) =>
    coffer.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json" },
      payload: body as object,
    });
  const slugOf = (url: string) => new URL(url).pathname.split("/").at(-1)!;

  async function createLink(body: Record<string, unknown>) {
    const created = await api("POST", "/v1/payment_links", body);
    assert.equal(created.statusCode, 201, created.body);
    return created.json();
  }

  async function use(slug: string, body: Record<string, unknown> = {}) {
    return publicPost(`/v1/pay/${slug}/payments`, body);
  }

  async function pay(payer: TestWalletUser, paymentId: string) {
    const confirmed = await payer.client.post(`/v1/wallet/payments/${paymentId}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, "succeeded");
  }

  async function rowCounts() {
    const result = await coffer.db.pool.query<{ links: string; payments: string; events: string; messages: string }>(
      `SELECT (SELECT count(*) FROM payment_links) AS links, (SELECT count(*) FROM payments) AS payments,
              (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM outbound_messages) AS messages`,
    );
    return result.rows[0];
  }

  it("a payment link with a payer-chosen amount paid twice by two test payers, then deactivated (a third use refused)", async () => {
    const link = await createLink({
      currency: "USD",
      amount_type: "customer_chooses",
      amount_min: "500",
      amount_max: "20000",
      description: "Donation to the tea garden",
      return_url: "http://localhost:3000/thanks",
    });
    assert.match(link.id, /^plk_/);
    assert.match(link.url, /\/pay\/[0-9A-Za-z]{16}$/);
    assert.ok(!link.url.includes(link.id), "the public URL is not the id");
    assert.match(link.qr_svg, /^<svg /);
    const slug = slugOf(link.url);

    const page = await coffer.app.inject({ url: `/v1/pay/${slug}` });
    assert.equal(page.statusCode, 200, page.body);
    assert.deepEqual(
      { state: page.json().state, merchant: page.json().merchant.name, min: page.json().amount_min_display },
      { state: "open", merchant: "Link Tea House", min: "5.00" },
    );

    const paymentIds: string[] = [];
    for (const [payer, amount] of [
      [payerA, "1500"],
      [payerB, "2500"],
    ] as const) {
      const started = await use(slug, { amount });
      assert.equal(started.statusCode, 201, started.body);
      const { payment, checkout_url } = started.json();
      assert.equal(checkout_url, `${coffer.services.payments.links.base}/checkout/${payment}`);
      await pay(payer, payment);
      paymentIds.push(payment);
    }
    // Ordinary payments: the same fee and events as any checkout payment, each naming its link.
    for (const id of paymentIds) {
      const payment = (await api("GET", `/v1/payments/${id}`)).json();
      assert.equal(payment.method, "checkout");
      assert.equal(payment.payment_link, link.id);
      assert.equal(payment.return_url, "http://localhost:3000/thanks");
      assert.deepEqual(await eventTypesOf(coffer, id), ["payment.created", "payment.succeeded"]);
      const succeeded = await coffer.db.pool.query(
        "SELECT data FROM events WHERE type = 'payment.succeeded' AND data->'object'->>'id' = $1",
        [id],
      );
      assert.equal(succeeded.rows[0].data.object.payment_link, link.id);
    }
    const listed = (await api("GET", `/v1/payments?payment_link=${link.id}`)).json();
    assert.deepEqual(listed.data.map((p: { id: string }) => p.id).sort(), [...paymentIds].sort());

    const totals = (await api("GET", `/v1/payment_links/${link.id}`)).json();
    assert.deepEqual(totals.uses, { succeeded: 2, open: 0 });
    assert.equal(totals.amount_received, "4000");
    assert.equal(totals.amount_refunded, "0");

    // A refund shows in the totals and does not give a use back.
    const refund = await api("POST", "/v1/refunds", { payment: paymentIds[0], amount: "500" });
    assert.equal(refund.statusCode, 201, refund.body);
    const afterRefund = (await api("GET", `/v1/payment_links/${link.id}`)).json();
    assert.equal(afterRefund.amount_refunded, "500");
    assert.deepEqual(afterRefund.uses, { succeeded: 2, open: 0 });

    const deactivated = await api("POST", `/v1/payment_links/${link.id}/deactivate`, {});
    assert.equal(deactivated.statusCode, 200, deactivated.body);
    assert.equal(deactivated.json().active, false);
    assert.deepEqual(await eventTypesOf(coffer, link.id), ["payment_link.created", "payment_link.deactivated"]);

    const before = await rowCounts();
    const third = await use(slug, { amount: "1000" });
    assert.equal(third.statusCode, 409, third.body);
    assert.equal(third.json().error.code, "payment_link_inactive");
    assert.equal((await coffer.app.inject({ url: `/v1/pay/${slug}` })).json().state, "inactive");
    assert.deepEqual(await rowCounts(), before, "a refused use writes nothing");
  });

  it("max_uses holds under 20 concurrent uses: exactly max_uses payments start, and all of them can be paid", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "700", max_uses: 3 });
    const slug = slugOf(link.url);
    const merchantBefore = await merchantLedgerBalance(coffer.services, shop.merchantId);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${coffer.baseUrl}/v1/pay/${slug}/payments`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as UseAnswer })),
      ),
    );
    const started = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    assert.equal(started.length, 3, JSON.stringify(responses.map((r) => r.status)));
    assert.deepEqual(
      new Set(refused.map((r) => `${r.status} ${r.body.error.code}`)),
      new Set(["409 payment_link_used_up"]),
    );
    assert.equal((await coffer.app.inject({ url: `/v1/pay/${slug}` })).json().state, "used_up");

    // The three are paid at once, by two payers.
    await Promise.all(started.map((r, i) => pay(i % 2 === 0 ? payerA : payerB, r.body.payment)));
    const found = (await api("GET", `/v1/payment_links/${link.id}`)).json();
    assert.deepEqual(found.uses, { succeeded: 3, open: 0 });
    assert.equal(found.amount_received, "2100");
    const merchantAfter = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.ok(merchantAfter.available > merchantBefore.available);
    const paid = await coffer.db.pool.query(
      "SELECT count(*)::int AS n FROM payments WHERE payment_link_id = $1 AND status = 'succeeded'",
      [link.id],
    );
    assert.equal(paid.rows[0].n, 3);
  });

  it("an unpaid use holds its place until its payment expires, then the link takes a payment again", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "300", max_uses: 1 });
    const slug = slugOf(link.url);
    const first = await use(slug);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal((await use(slug)).json().error.code, "payment_link_used_up");
    coffer.clock.advance(16 * 60 * 1000); // past the payment's 15 minutes
    await coffer.services.payments.expireDue();
    assert.equal((await api("GET", `/v1/payments/${first.json().payment}`)).json().status, "expired");
    const second = await use(slug);
    assert.equal(second.statusCode, 201, second.body);
    await pay(payerA, second.json().payment);
    assert.deepEqual((await api("GET", `/v1/payment_links/${link.id}`)).json().uses, { succeeded: 1, open: 0 });
  });

  it("a fixed price times the quantity the payer picks, within quantity_max", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "250", quantity_max: 4 });
    const slug = slugOf(link.url);
    const started = await use(slug, { quantity: 3 });
    assert.equal(started.statusCode, 201, started.body);
    assert.equal((await api("GET", `/v1/payments/${started.json().payment}`)).json().amount, "750");
    for (const quantity of [0, 5, -1, 1.5]) {
      const refused = await use(slug, { quantity });
      assert.equal(refused.statusCode, 400, `${quantity}: ${refused.body}`);
    }
    assert.equal((await use(slug, { quantity: 5 })).json().error.code, "payment_link_quantity_invalid");
    assert.equal((await use(slug, { amount: "100" })).json().error.code, "parameter_invalid");
  });

  it("refuses bad links and bad uses with documented codes and writes nothing", async () => {
    const before = await rowCounts();
    const badLinks: [Record<string, unknown>, string][] = [
      [{ currency: "USD", amount_type: "fixed", unit_amount: "-1" }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "0" }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: 1.5 }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "1e3" }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "9".repeat(60) }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "9".repeat(38), quantity_max: 1000 }, "amount_invalid"],
      [{ currency: "USD", amount_type: "fixed" }, "parameter_missing"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "100", amount_min: "1" }, "parameter_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "100", quantity_max: 1 }, "parameter_invalid"],
      [{ currency: "USD", amount_type: "customer_chooses", amount_min: "500", amount_max: "100" }, "amount_invalid"],
      [{ currency: "USD", amount_type: "customer_chooses", amount_min: "500" }, "parameter_missing"],
      [{ currency: "XXX", amount_type: "fixed", unit_amount: "100" }, "currency_not_supported"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "100", max_uses: 0 }, "parameter_invalid"],
      [{ currency: "USD", amount_type: "fixed", unit_amount: "100", expires_at: 1 }, "parameter_invalid"],
      [
        { currency: "USD", amount_type: "fixed", unit_amount: "100", return_url: "javascript:alert(1)" },
        "parameter_invalid",
      ],
      [
        { currency: "USD", amount_type: "fixed", unit_amount: "100", description: "x".repeat(501) },
        "parameter_invalid",
      ],
    ];
    for (const [body, code] of badLinks) {
      const refused = await api("POST", "/v1/payment_links", body);
      assert.equal(refused.statusCode < 500 && refused.statusCode >= 400, true, refused.body);
      assert.equal(refused.json().error.code, code, `${JSON.stringify(body).slice(0, 80)}: ${refused.body}`);
    }

    const link = await createLink({
      currency: "USD",
      amount_type: "customer_chooses",
      amount_min: "100",
      amount_max: "1000",
    });
    const slug = slugOf(link.url);
    const afterCreate = await rowCounts();
    const badUses: [Record<string, unknown>, string][] = [
      [{ amount: "-1" }, "amount_invalid"],
      [{ amount: "0" }, "amount_invalid"],
      [{ amount: 1.5 }, "amount_invalid"],
      [{ amount: "1e3" }, "amount_invalid"],
      [{ amount: "9".repeat(60) }, "amount_invalid"],
      [{ amount: "99" }, "payment_link_amount_out_of_range"],
      [{ amount: "1001" }, "payment_link_amount_out_of_range"],
      [{}, "parameter_missing"],
      [{ amount: "500", quantity: 2 }, "payment_link_quantity_invalid"],
    ];
    for (const [body, code] of badUses) {
      const refused = await use(slug, body);
      assert.equal(refused.json().error?.code, code, `${JSON.stringify(body).slice(0, 80)}: ${refused.body}`);
    }
    assert.equal((await use("AAAAAAAAAAAAAAAA", { amount: "500" })).statusCode, 404);
    assert.equal((await coffer.app.inject({ url: "/v1/pay/nope" })).statusCode, 404);
    assert.deepEqual(await rowCounts(), afterCreate);
    assert.equal(Number(afterCreate!.links), Number(before!.links) + 1);
  });

  it("another merchant's and the other mode's links answer 404 like unknown ids; replays of a create return the same link", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "100" });
    const other = await newPaymentsMerchant(coffer, "Other Shop");
    const liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    for (const key of [other.secretKey, liveKey]) {
      for (const [method, url] of [
        ["GET", `/v1/payment_links/${link.id}`],
        ["POST", `/v1/payment_links/${link.id}`],
        ["POST", `/v1/payment_links/${link.id}/deactivate`],
        ["POST", `/v1/payment_links/${link.id}/send`],
      ] as const) {
        const response = await coffer.app.inject({
          method,
          url,
          headers: {
            authorization: `Bearer ${key}`,
            ...(method === "POST" ? { "content-type": "application/json" } : {}),
          },
          ...(method === "POST" ? { payload: "{}" } : {}),
        });
        assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
        assert.equal(response.json().error.code, "resource_not_found");
      }
      const listed = await coffer.app.inject({ url: "/v1/payment_links", headers: { authorization: `Bearer ${key}` } });
      assert.ok(!listed.json().data.some((l: { id: string }) => l.id === link.id));
    }

    const body = { currency: "USD", amount_type: "fixed", unit_amount: "100", description: "Same twice" };
    const first = await api("POST", "/v1/payment_links", body, { "idempotency-key": "link-once" });
    const again = await api("POST", "/v1/payment_links", body, { "idempotency-key": "link-once" });
    assert.equal(first.statusCode, 201);
    assert.equal(again.json().id, first.json().id);
    assert.equal(again.headers["idempotent-replayed"], "true");
    const changed = await api(
      "POST",
      "/v1/payment_links",
      { ...body, unit_amount: "200" },
      { "idempotency-key": "link-once" },
    );
    assert.equal(changed.json().error.code, "idempotency_key_reused");
  });

  it("updates description, max_uses and expiry with a payment_link.updated event; an expired link refuses uses", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "100" });
    const now = Math.floor(coffer.clock.now().getTime() / 1000);
    const updated = await api("POST", `/v1/payment_links/${link.id}`, {
      description: "Oolong, 100 g",
      max_uses: 5,
      expires_at: now + 3600,
    });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().description, "Oolong, 100 g");
    const event = await coffer.db.pool.query(
      "SELECT data FROM events WHERE type = 'payment_link.updated' AND data->'object'->>'id' = $1",
      [link.id],
    );
    assert.deepEqual(event.rows[0].data.previous_attributes, { description: null, max_uses: null, expires_at: null });
    coffer.clock.advance(3601 * 1000);
    const slug = slugOf(link.url);
    assert.equal((await use(slug)).json().error.code, "payment_link_expired");
    assert.equal((await coffer.app.inject({ url: `/v1/pay/${slug}` })).json().state, "expired");
  });

  it("a payment request sent by email and paid from the mail's link, in English and in Chinese", async () => {
    const link = await createLink({
      currency: "USD",
      amount_type: "fixed",
      unit_amount: "1999",
      description: "Invoice 42",
    });
    for (const [locale, email, subject] of [
      ["en", "customer-en@example.com", /Link Tea House asks you to pay 19\.99 USD/],
      ["zh-CN", "customer-zh@example.com", /Link Tea House 请您付款 19\.99 USD/],
    ] as const) {
      const sent = await api("POST", `/v1/payment_links/${link.id}/send`, { email, locale });
      assert.equal(sent.statusCode, 202, sent.body);
      assert.equal(sent.json().channel, "email");
      const mail = await coffer.sink.waitFor((m) => m.to.includes(email));
      assert.match(mail.subject, subject);
      const url = /https?:\/\/\S+\/pay\/[0-9A-Za-z]{16}/.exec(mail.text)?.[0];
      assert.equal(url, link.url);
      const started = await use(slugOf(url!));
      assert.equal(started.statusCode, 201, started.body);
      await pay(payerB, started.json().payment);
    }
    assert.deepEqual((await api("GET", `/v1/payment_links/${link.id}`)).json().uses, { succeeded: 2, open: 0 });

    const badSends: [Record<string, unknown>, string][] = [
      [{}, "parameter_missing"],
      [{ email: "not-an-address" }, "parameter_invalid"],
      [{ phone: "12345" }, "parameter_invalid"],
      [{ email: "a@example.com", phone: "+8613800138000" }, "parameter_missing"],
    ];
    for (const [body, code] of badSends) {
      assert.equal((await api("POST", `/v1/payment_links/${link.id}/send`, body)).json().error.code, code);
    }
    const sms = await api("POST", `/v1/payment_links/${link.id}/send`, { phone: "+86 138 0013 8000" });
    assert.equal(sms.statusCode, 202, sms.body);
    assert.equal(sms.json().to, "+8613800138000");

    // A retried send with its Idempotency-Key answers the first send and queues nothing more.
    const key = { "idempotency-key": "send-once" };
    const once = await api("POST", `/v1/payment_links/${link.id}/send`, { email: "once@example.com" }, key);
    const again = await api("POST", `/v1/payment_links/${link.id}/send`, { email: "once@example.com" }, key);
    assert.equal(again.statusCode, 202, again.body);
    assert.equal(again.json().message, once.json().message);
    const queued = await coffer.db.pool.query("SELECT count(*)::int AS n FROM outbound_messages WHERE recipient = $1", [
      "once@example.com",
    ]);
    assert.equal(queued.rows[0].n, 1);
  });

  it("a sandbox reset wipes the merchant's test links with its test payments", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "100" });
    const started = await use(slugOf(link.url));
    assert.equal(started.statusCode, 201, started.body);
    const reset = await api("POST", "/v1/test_helpers/reset", {});
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((await api("GET", `/v1/payment_links/${link.id}`)).statusCode, 404);
    assert.equal((await coffer.app.inject({ url: `/v1/pay/${slugOf(link.url)}` })).statusCode, 404);
  });

  it("one address may start only so many payments from a link in a window", async () => {
    const link = await createLink({ currency: "USD", amount_type: "fixed", unit_amount: "100" });
    const slug = slugOf(link.url);
    for (let i = 0; i < paymentLinkUsesPerAddressMax; i++) assert.equal((await use(slug)).statusCode, 201);
    const limited = await use(slug);
    assert.equal(limited.statusCode, 429, limited.body);
    assert.ok(Number(limited.headers["retry-after"]) > 0);
  });
});
