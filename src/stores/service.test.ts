import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import jsqr from "jsqr";
import { PDFDocument } from "pdf-lib";
import { PNG } from "pngjs";
import { issueTestApiKey } from "../../test/helpers/merchant-rows.js";
import {
  assertBooksBalance,
  eventTypesOf,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../../test/helpers/payments.js";
import type { TestWalletUser } from "../../test/helpers/wallets.js";

/**
 * Stores and tills over HTTP against the real database: a till's static QR code scanned in the wallet and paid with
 * a typed amount is an ordinary payment naming its store and till, counted in the store's takings in the merchant's
 * time zone; a deactivated till refuses; bad input writes nothing; another merchant's ids are 404 everywhere.
 */
describe("stores and tills", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let other: TestPaymentsMerchant;
  let payer: TestWalletUser;
  let payerB: TestWalletUser;

  before(async () => {
    // 2026-04-01 20:00 UTC is already 2026-04-02 in Shanghai.
    coffer = await startPaymentsCoffer({ poolSize: 40, start: "2026-04-01T20:00:00Z" });
    shop = await newPaymentsMerchant(coffer, "Noodle Bar");
    other = await newPaymentsMerchant(coffer, "Other Bar");
    payer = await newTestPayer(coffer, { fund: "100000" });
    payerB = await newTestPayer(coffer, { fund: "100000" });
    const zone = await shop.console.send("PATCH" as "PUT", "/v1/console/merchant", { time_zone: "Asia/Shanghai" });
    assert.equal(zone.statusCode, 200, zone.body);
  });
  afterEach(() => assertBooksBalance(coffer));
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
  const api = (...args: Parameters<ReturnType<typeof as>>) => as(shop)(...args);

  async function created(response: Awaited<ReturnType<typeof api>>, status = 201) {
    assert.equal(response.statusCode, status, response.body);
    return response.json();
  }

  async function newStoreAndTill(name = "Main Street") {
    const store = await created(await api("POST", "/v1/stores", { name, address: "1 Main Street", currency: "USD" }));
    const till = await created(await api("POST", `/v1/stores/${store.id}/tills`, { name: "Counter 1" }));
    return { store, till };
  }

  async function rowCounts() {
    const result = await coffer.db.pool.query(
      `SELECT (SELECT count(*) FROM stores)::int AS stores, (SELECT count(*) FROM tills)::int AS tills,
              (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM events)::int AS events`,
    );
    return result.rows[0];
  }

  it("a till's QR code scanned and paid with a typed amount, in the payments filters and the day's takings", async () => {
    const { store, till } = await newStoreAndTill();
    assert.match(store.id, /^sto_/);
    assert.equal(store.currency, "USD");
    assert.match(till.id, /^til_/);
    assert.equal(till.store, store.id);
    assert.match(till.qr.payload, /\/t\/[0-9A-Za-z]{22}$/);
    assert.ok(!till.qr.payload.includes(till.id), "the QR code holds a token, not the id");
    assert.match(till.qr.svg, /^<svg /);

    // The wallet first asks whose till it is and in which currency to type; a phone camera lands on the wallet.
    const lookedUp = await payer.client.get(`/v1/wallet/till?payload=${encodeURIComponent(till.qr.payload)}`);
    assert.equal(lookedUp.statusCode, 200, lookedUp.body);
    assert.deepEqual(lookedUp.json(), {
      object: "wallet_till",
      livemode: false,
      merchant: { name: "Noodle Bar" },
      store: { name: "Main Street" },
      name: "Counter 1",
      currency: "USD",
    });
    const token = till.qr.payload.split("/t/")[1];
    const opened = await coffer.app.inject({ url: `/t/${token}` });
    assert.deepEqual([opened.statusCode, opened.headers.location], [302, `/wallet/scan?till=${token}`]);

    const scanned = await created(
      await payer.client.post("/v1/wallet/scan", { payload: till.qr.payload, amount: "1250" }),
      200,
    );
    assert.deepEqual(
      { status: scanned.status, method: scanned.method, amount: scanned.amount, merchant: scanned.merchant.name },
      { status: "requires_payment", method: "qr", amount: "1250", merchant: "Noodle Bar" },
    );
    const paid = await created(await payer.client.post(`/v1/wallet/payments/${scanned.id}/confirm`, {}), 200);
    assert.equal(paid.status, "succeeded");

    const payment = await created(await api("GET", `/v1/payments/${scanned.id}`), 200);
    assert.deepEqual(
      { store: payment.store, till: payment.till, received: payment.amount_received, currency: payment.currency },
      { store: store.id, till: till.id, received: "1250", currency: "USD" },
    );
    assert.deepEqual(await eventTypesOf(coffer, scanned.id), ["payment.created", "payment.succeeded"]);

    // A second payer, and a payment the merchant shows at the same till (dynamic QR), then part of one refunded.
    const second = await created(
      await payerB.client.post("/v1/wallet/scan", { payload: till.qr.payload, amount: 300 }),
      200,
    );
    await created(await payerB.client.post(`/v1/wallet/payments/${second.id}/confirm`, {}), 200);
    const dynamic = await created(
      await api("POST", "/v1/payments", { amount: "700", currency: "USD", method: "qr", till: till.id }),
    );
    assert.deepEqual([dynamic.store, dynamic.till], [store.id, till.id]);
    await created(await payer.client.post("/v1/wallet/scan", { payload: dynamic.qr.payload }), 200);
    await created(await payer.client.post(`/v1/wallet/payments/${dynamic.id}/confirm`, {}), 200);
    await created(await api("POST", "/v1/refunds", { payment: scanned.id, amount: "250" }));
    // A payment code scanned at the till (the sandbox's code that always succeeds).
    const code = await created(
      await api("POST", "/v1/payments", {
        amount: "50",
        currency: "USD",
        method: "payment_code",
        payment_code: "880000000000000001",
        till: till.id,
      }),
    );
    assert.deepEqual([code.status, code.till], ["succeeded", till.id]);

    // Another till of the store, and a payment at no till: neither is in this till's figures.
    const till2 = await created(await api("POST", `/v1/stores/${store.id}/tills`, { name: "Counter 2" }));
    await created(await api("POST", "/v1/payments", { amount: "999", currency: "USD", method: "qr" }));

    const byTill = await created(await api("GET", `/v1/payments?till=${till.id}`), 200);
    assert.deepEqual(
      byTill.data.map((p: { id: string }) => p.id).sort(),
      [scanned.id, second.id, dynamic.id, code.id].sort(),
    );
    const byStore = await created(await api("GET", `/v1/payments?store=${store.id}&status=succeeded`), 200);
    assert.equal(byStore.data.length, 4);
    assert.equal((await created(await api("GET", `/v1/payments?till=${till2.id}`), 200)).data.length, 0);

    // Today in Shanghai is 2026-04-02 (the clock reads 20:00 UTC on the 1st).
    const takings = await created(await api("GET", `/v1/stores/${store.id}/takings`), 200);
    assert.deepEqual(
      { date: takings.date, zone: takings.time_zone, currency: takings.currency },
      { date: "2026-04-02", zone: "Asia/Shanghai", currency: "USD" },
    );
    assert.deepEqual(takings.tills, [
      { till: till.id, name: "Counter 1", active: true, count: 4, gross: "2300", refunds: "250", net: "2050" },
      { till: till2.id, name: "Counter 2", active: true, count: 0, gross: "0", refunds: "0", net: "0" },
    ]);
    assert.deepEqual(takings.total, { count: 4, gross: "2300", refunds: "250", net: "2050" });
    const yesterday = await created(await api("GET", `/v1/stores/${store.id}/takings?date=2026-04-01`), 200);
    assert.deepEqual(yesterday.total, { count: 0, gross: "0", refunds: "0", net: "0" });
    // The console reads the same figures with its session.
    const fromConsole = await shop.console.get(`/v1/stores/${store.id}/takings?date=2026-04-02`);
    assert.deepEqual(fromConsole.json().total, takings.total);
  });

  it("the takings read goes through the till index, not the merchant's payments", async () => {
    const plan = await coffer.db.pool.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT till_id, count(*), sum(amount_captured) FROM payments
        WHERE till_id = ANY(ARRAY['til_x']) AND paid_at >= now() AND paid_at < now() + interval '1 day'
          AND amount_captured > 0 GROUP BY till_id`,
    );
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    assert.match(text, /payments_till/, text);
  });

  it("a deactivated till refuses its QR code and new payments, and writes nothing", async () => {
    const { store, till } = await newStoreAndTill("Harbour");
    const done = await created(await api("POST", `/v1/tills/${till.id}/deactivate`, {}), 200);
    assert.equal(done.active, false);
    assert.ok(done.deactivated_at);
    assert.deepEqual(await eventTypesOf(coffer, till.id), ["till.created", "till.deactivated"]);
    const before = await rowCounts();
    const scan = await payer.client.post("/v1/wallet/scan", { payload: till.qr.payload, amount: "100" });
    assert.equal(scan.statusCode, 409, scan.body);
    assert.equal(scan.json().error.code, "till_inactive");
    const lookUp = await payer.client.get(`/v1/wallet/till?payload=${encodeURIComponent(till.qr.payload)}`);
    assert.deepEqual([lookUp.statusCode, lookUp.json().error.code], [409, "till_inactive"]);
    const create = await api("POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr", till: till.id });
    assert.equal(create.statusCode, 409, create.body);
    assert.equal(create.json().error.code, "till_inactive");
    assert.deepEqual(await rowCounts(), before);
    // Its store still lists it, marked inactive, and its takings still show it.
    const tills = await created(await api("GET", `/v1/stores/${store.id}/tills`), 200);
    assert.deepEqual(
      tills.data.map((t: { id: string; active: boolean; qr: { svg: null } }) => [t.id, t.active, t.qr.svg]),
      [[till.id, false, null]],
    );
  });

  it("bad amounts, NUL bytes, a wrong currency and missing fields are refused with codes and write nothing", async () => {
    const { store, till } = await newStoreAndTill("Riverside");
    const before = await rowCounts();
    for (const amount of [
      -1,
      0,
      1.5,
      1e300,
      "-1",
      "0",
      "1.5",
      "1e3",
      "abc",
      "",
      "99999999999999999999999999999999999999999",
    ]) {
      const scan = await payer.client.post("/v1/wallet/scan", { payload: till.qr.payload, amount });
      assert.equal(scan.statusCode, 400, `${amount}: ${scan.body}`);
      assert.equal(scan.json().error.code, "amount_invalid", `${amount}: ${scan.body}`);
    }
    const missing = await payer.client.post("/v1/wallet/scan", { payload: till.qr.payload });
    assert.deepEqual([missing.statusCode, missing.json().error.code], [400, "parameter_missing"]);
    const nul = await payer.client.post("/v1/wallet/scan", { payload: `${till.qr.payload}\u0000`, amount: "100" });
    assert.deepEqual([nul.statusCode, nul.json().error.code], [400, "parameter_invalid"]);
    const made = await api("POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr", till: till.id });
    const paymentOfQr = made.json();
    const withAmount = await payer.client.post("/v1/wallet/scan", { payload: paymentOfQr.qr.payload, amount: "5" });
    assert.deepEqual([withAmount.statusCode, withAmount.json().error.code], [400, "parameter_invalid"]);
    const counts = await rowCounts();
    assert.equal(counts.payments, before.payments + 1);

    const afterOne = await rowCounts();
    const wrongCurrency = await api("POST", "/v1/payments", {
      amount: "100",
      currency: "CNY",
      method: "qr",
      till: till.id,
    });
    assert.equal(wrongCurrency.statusCode, 400, wrongCurrency.body);
    assert.ok(["till_currency_mismatch", "currency_not_supported"].includes(wrongCurrency.json().error.code));
    for (const body of [
      { name: "Bad\u0000Name", currency: "USD" },
      { name: "   ", currency: "USD" },
      { name: "x".repeat(101), currency: "USD" },
      { name: "Fine", currency: "XXX" },
      { name: "Fine" },
    ]) {
      const refused = await api("POST", "/v1/stores", body);
      assert.equal(refused.statusCode, 400, `${JSON.stringify(body)}: ${refused.body}`);
    }
    const noName = await api("POST", `/v1/stores/${store.id}/tills`, {});
    assert.deepEqual([noName.statusCode, noName.json().error.code], [400, "parameter_missing"]);
    const nulTill = await api("POST", `/v1/stores/${store.id}/tills`, { name: "A\u0000" });
    assert.deepEqual([nulTill.statusCode, nulTill.json().error.code], [400, "parameter_invalid"]);
    const badDate = await api("GET", `/v1/stores/${store.id}/takings?date=2026-02-30`);
    assert.deepEqual([badDate.statusCode, badDate.json().error.code], [400, "parameter_invalid"]);
    assert.deepEqual(await rowCounts(), afterOne);
  });

  it("a scan replayed with its Idempotency-Key, and raced with it, makes one payment", async () => {
    const { till } = await newStoreAndTill("Station");
    const before = await rowCounts();
    const key = "till-scan-race-1";
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        payer.client.post("/v1/wallet/scan", { payload: till.qr.payload, amount: "420" }, { "idempotency-key": key }),
      ),
    );
    const ok = answers.filter((a) => a.statusCode === 200);
    assert.ok(ok.length >= 1, answers.map((a) => a.body).join("\n"));
    for (const a of answers) assert.ok([200, 409].includes(a.statusCode), a.body);
    assert.equal(new Set(ok.map((a) => a.json().id)).size, 1);
    const replay = await payer.client.post(
      "/v1/wallet/scan",
      { payload: till.qr.payload, amount: "420" },
      { "idempotency-key": key },
    );
    assert.equal(replay.json().id, ok[0]!.json().id);
    assert.equal((await rowCounts()).payments, before.payments + 1);
    // Two payers racing to pay the one payment: one is charged.
    const id = ok[0]!.json().id;
    const paid = await Promise.all([payer, payerB].map((p) => p.client.post(`/v1/wallet/payments/${id}/confirm`, {})));
    assert.equal(paid.filter((p) => p.statusCode === 200 && p.json().status === "succeeded").length, 1);
  });

  it("another merchant's store and till ids answer 404 everywhere, as unknown ones, and write nothing", async () => {
    const { store, till } = await newStoreAndTill("Private");
    const theirs = as(other);
    const before = await rowCounts();
    const unknownStore = "sto_0000000000000000000000";
    const unknownTill = "til_0000000000000000000000";
    for (const [storeId, tillId] of [
      [store.id, till.id],
      [unknownStore, unknownTill],
    ] as const) {
      for (const [method, url, body] of [
        ["GET", `/v1/stores/${storeId}`],
        ["POST", `/v1/stores/${storeId}`, { name: "Mine now" }],
        ["GET", `/v1/stores/${storeId}/tills`],
        ["POST", `/v1/stores/${storeId}/tills`, { name: "Sneaky" }],
        ["GET", `/v1/stores/${storeId}/takings`],
        ["GET", `/v1/tills/${tillId}`],
        ["POST", `/v1/tills/${tillId}`, { name: "Mine" }],
        ["POST", `/v1/tills/${tillId}/deactivate`, {}],
        ["GET", `/v1/payments?store=${storeId}`],
        ["GET", `/v1/payments?till=${tillId}`],
        ["POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr", till: tillId }],
        [
          "POST",
          "/v1/payments",
          { amount: "100", currency: "USD", method: "payment_code", payment_code: "880000000000000001", till: tillId },
        ],
      ] as const) {
        const answer = await theirs(method, url, body);
        assert.equal(answer.statusCode, 404, `${method} ${url}: ${answer.body}`);
        assert.equal(answer.json().error.code, "resource_not_found");
      }
    }
    // The other merchant's console too.
    assert.equal((await other.console.get(`/v1/stores/${store.id}`)).statusCode, 404);
    assert.equal((await other.console.get(`/v1/payments?till=${till.id}`)).statusCode, 404);
    // Lists show only one's own.
    assert.equal((await created(await theirs("GET", "/v1/stores"), 200)).data.length, 0);
    assert.deepEqual(await rowCounts(), before);

    // A till of the live mode is unknown to a test-mode wallet, as a made-up code is.
    const liveKey = await issueTestApiKey(coffer.services, shop.merchantId, { livemode: true });
    const live = (method: "GET" | "POST", url: string, body?: unknown) =>
      coffer.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${liveKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const liveStore = await created(await live("POST", "/v1/stores", { name: "Live shop", currency: "USD" }));
    const liveTill = await created(await live("POST", `/v1/stores/${liveStore.id}/tills`, { name: "Live till" }));
    assert.equal((await api("GET", `/v1/tills/${liveTill.id}`)).statusCode, 404, "the test key does not see it");
    const beforeScan = await rowCounts();
    for (const answer of [
      await payer.client.post("/v1/wallet/scan", { payload: liveTill.qr.payload, amount: "100" }),
      await payer.client.get(`/v1/wallet/till?payload=${encodeURIComponent(liveTill.qr.payload)}`),
    ]) {
      assert.deepEqual([answer.statusCode, answer.json().error.code], [404, "resource_not_found"], answer.body);
    }
    assert.deepEqual(await rowCounts(), beforeScan);
  });

  it("a till's poster, PNG and PDF, in English and Chinese: valid files whose QR code decodes to the till's URL", async () => {
    const { till } = await newStoreAndTill("Poster Street");
    for (const [query, headers, language] of [
      ["", {}, "en"],
      ["?lang=zh", {}, "zh"],
      ["", { "accept-language": "zh-CN,zh;q=0.9" }, "zh"],
      ["?lang=en", { "accept-language": "zh-CN" }, "en"],
    ] as const) {
      const png = await api("GET", `/v1/tills/${till.id}/poster.png${query}`, undefined, headers);
      assert.equal(png.statusCode, 200, png.body);
      assert.equal(png.headers["content-type"], "image/png");
      assert.match(String(png.headers["content-disposition"]), new RegExp(`-${language}\\.png"$`));
      const bytes = png.rawPayload;
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const image = PNG.sync.read(bytes);
      // jsqr is CommonJS: NodeNext types see its function as .default only.
      const decoded = jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height);
      assert.equal(decoded?.data, till.qr.payload);
    }
    const pdf = await api("GET", `/v1/tills/${till.id}/poster.pdf?lang=zh`);
    assert.equal(pdf.statusCode, 200, pdf.body);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    assert.equal(pdf.rawPayload.subarray(0, 5).toString("latin1"), "%PDF-");
    const document = await PDFDocument.load(pdf.rawPayload);
    assert.equal(document.getPageCount(), 1);
    assert.deepEqual(Object.values(document.getPage(0).getSize()).map(Math.round), [420, 595], "one A5 page");
    assert.equal(document.getTitle(), "Noodle Bar — Poster Street · Counter 1");
    // Another merchant's till is a 404 here too.
    const theirs = await as(other)("GET", `/v1/tills/${till.id}/poster.png`);
    assert.equal(theirs.statusCode, 404);
    const bad = await api("GET", `/v1/tills/${till.id}/poster.pdf?lang=fr`);
    assert.equal(bad.statusCode, 400);
  });

  it("stores and tills are updated, with events, and a restricted key needs the stores scope", async () => {
    const { store, till } = await newStoreAndTill("Old Name");
    const renamed = await created(
      await api("POST", `/v1/stores/${store.id}`, { name: "New Name", address: null }),
      200,
    );
    assert.deepEqual([renamed.name, renamed.address, renamed.currency], ["New Name", null, "USD"]);
    const tillRenamed = await created(await api("POST", `/v1/tills/${till.id}`, { name: "Front desk" }), 200);
    assert.equal(tillRenamed.name, "Front desk");
    assert.equal(tillRenamed.qr.payload, till.qr.payload, "the QR code never changes");
    assert.deepEqual(await eventTypesOf(coffer, store.id), ["store.created", "store.updated"]);
    const listed = await created(await api("GET", "/v1/stores?limit=100"), 200);
    assert.ok(listed.data.some((s: { id: string; name: string }) => s.id === store.id && s.name === "New Name"));

    const key = await shop.console.post("/v1/console/api_keys", {
      type: "restricted",
      scopes: { stores: "read" },
    });
    assert.equal(key.statusCode, 201, key.body);
    const restricted = key.json().secret as string;
    const read = await coffer.app.inject({
      url: `/v1/tills/${till.id}`,
      headers: { authorization: `Bearer ${restricted}` },
    });
    assert.equal(read.statusCode, 200, read.body);
    const write = await coffer.app.inject({
      method: "POST",
      url: `/v1/tills/${till.id}/deactivate`,
      headers: { authorization: `Bearer ${restricted}`, "content-type": "application/json" },
      payload: "{}",
    });
    assert.equal(write.statusCode, 403, write.body);
  });

  it("the sandbox's reset removes the merchant's test stores and tills with the payments taken there", async () => {
    const resetShop = await newPaymentsMerchant(coffer, "Reset Bar");
    const call = as(resetShop);
    const store = await created(await call("POST", "/v1/stores", { name: "Kiosk", currency: "USD" }));
    const till = await created(await call("POST", `/v1/stores/${store.id}/tills`, { name: "Window" }));
    const paid = await created(
      await call("POST", "/v1/payments", {
        amount: "80",
        currency: "USD",
        method: "payment_code",
        payment_code: "880000000000000001",
        till: till.id,
      }),
    );
    assert.equal(paid.status, "succeeded");
    const reset = await call("POST", "/v1/test_helpers/reset", {});
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((await call("GET", `/v1/stores/${store.id}`)).statusCode, 404);
    assert.equal((await call("GET", `/v1/tills/${till.id}`)).statusCode, 404);
    const left = await coffer.db.pool.query("SELECT count(*)::int AS n FROM tills WHERE merchant_id = $1", [
      resetShop.merchantId,
    ]);
    assert.equal(left.rows[0].n, 0);
  });
});
