import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { supportFirstResponseMs, supportOpenTicketsPerCustomerMax, supportResolutionMs } from "../../src/limits.js";
import { type Api, expectStatus, merchantApi, ownerEmail, paidPayment } from "../helpers/after-sales.js";
import { newOperator, samplePdf, samplePng, teamOfEveryRole } from "../helpers/merchant-console.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Support tickets end to end (docs/support.md), over HTTP as each side uses them: a payer asks a merchant about a
 * payment ("Get help" in the wallet) and the platform about the wallet, a merchant asks the platform; each reply mails
 * the other side (a real SMTP sink), files travel with messages, statuses and deadlines follow the thread.
 */
describe("support tickets end to end", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let api: Api;
  let payer: TestWalletUser;
  let shopEmail: string;
  let agent: Awaited<ReturnType<typeof newOperator>>;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Tea House");
    api = merchantApi(coffer, shop);
    shopEmail = await ownerEmail(shop);
    payer = await newTestPayer(coffer, { fund: "100000", displayName: "Ada" });
    agent = await newOperator(coffer.app, coffer.services, "support");
  });
  after(() => coffer.close());

  const png = { filename: "photo.png", content_type: "image/png", content_base64: samplePng.toString("base64") };

  it("a payer's question about a payment: answered by the merchant and resolved, with mail at each step", async () => {
    const payment = await paidPayment(api, payer, "2500");
    await expectStatus(await api("POST", "/v1/refunds", { payment: payment.id, amount: "500" }), 201);
    const opened = await expectStatus(
      await payer.client.post("/v1/wallet/support/tickets", {
        subject: "Wrong tea",
        body: "I ordered oolong and got green tea.",
        payment: payment.id,
        attachments: [png],
      }),
      201,
    );
    assert.equal(opened.kind, "payment");
    assert.equal(opened.status, "open");
    assert.equal(opened.merchant_name, "Tea House");
    assert.equal(opened.customer_name, "Ada");
    assert.equal(opened.messages.length, 1);
    assert.equal(opened.messages[0].attachments[0].content_type, "image/png");
    assert.equal(
      opened.first_response_due_at,
      Math.floor((coffer.clock.now().getTime() + supportFirstResponseMs) / 1000),
    );
    const newTicketMail = await coffer.sink.waitFor(
      (m) => m.to.includes(shopEmail) && /New support ticket: Wrong tea/.test(m.subject),
    );
    assert.match(newTicketMail.text, /I ordered oolong/);
    assert.match(newTicketMail.text, new RegExp(`/support/${opened.id}`));

    // The merchant's inbox, and the ticket with the payment's timeline.
    const inbox = await expectStatus(await api("GET", "/v1/support/tickets?kind=payment&status=open"), 200);
    assert.deepEqual(
      inbox.data.map((t: { id: string }) => t.id),
      [opened.id],
    );
    assert.equal(inbox.data[0].messages, null);
    const read = await expectStatus(await api("GET", `/v1/support/tickets/${opened.id}`), 200);
    assert.deepEqual(
      read.payment_timeline.events.map((e: { type: string }) => e.type),
      ["payment.created", "payment.succeeded", "refund.succeeded"],
    );
    assert.equal(read.payment_timeline.payment.amount, "2500");
    const file = await expectStatus(
      await api("GET", `/v1/support/attachments/${read.messages[0].attachments[0].id}`),
      200,
    );
    assert.ok(Buffer.from(file.content_base64, "base64").equals(samplePng));

    // The merchant answers from the console (support staff may), with a file; the payer is mailed.
    const team = await teamOfEveryRole(coffer.app, coffer.sink, {
      client: shop.console,
      email: shopEmail,
      password: "",
      merchantId: shop.merchantId,
      userId: "",
    });
    const viewer = await team.viewer.post(`/v1/support/tickets/${opened.id}/messages`, { body: "Hello" });
    assert.equal(viewer.statusCode, 403, viewer.body);
    const answered = await expectStatus(
      await team.support.post(`/v1/support/tickets/${opened.id}/messages`, {
        body: "Sorry! A return label is attached.",
        attachments: [
          { filename: "label.pdf", content_type: "application/pdf", content_base64: samplePdf.toString("base64") },
        ],
      }),
      200,
    );
    assert.equal(answered.status, "waiting_on_customer");
    assert.ok(answered.first_responded_at);
    assert.equal(answered.messages[1].author.side, "agent");
    assert.equal(answered.messages[1].author.name, "Tea House");
    const replyMail = await coffer.sink.waitFor(
      (m) => m.to.includes(payer.email) && /New reply: Wrong tea/.test(m.subject),
    );
    assert.match(replyMail.text, /return label/);
    assert.match(replyMail.text, new RegExp(`/wallet/support/${opened.id}`));

    // The payer answers (the ticket opens again), the merchant resolves it; the payer is told.
    const back = await expectStatus(
      await payer.client.post(`/v1/wallet/support/tickets/${opened.id}/messages`, { body: "Thanks, sent it back." }),
      200,
    );
    assert.equal(back.status, "open");
    const notAllowed = await payer.client.post(`/v1/wallet/support/tickets/${opened.id}`, {
      status: "waiting_on_customer",
    });
    assert.equal(notAllowed.json().error?.code, "ticket_status_not_allowed", notAllowed.body);
    const resolved = await expectStatus(
      await api("POST", `/v1/support/tickets/${opened.id}/messages`, {
        body: "Refund on its way.",
        status: "resolved",
      }),
      200,
    );
    assert.equal(resolved.status, "resolved");
    assert.ok(resolved.resolved_at);
    await coffer.sink.waitFor((m) => m.to.includes(payer.email) && /Resolved: Wrong tea/.test(m.subject));
    const types = await coffer.db.pool.query<{ type: string }>(
      "SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq",
      [opened.id],
    );
    assert.deepEqual(
      types.rows.map((r) => r.type),
      [
        "ticket.created",
        "ticket.message_added",
        "ticket.updated",
        "ticket.message_added",
        "ticket.updated",
        "ticket.message_added",
        "ticket.resolved",
      ],
    );

    // Only the two sides see the ticket and its files.
    const other = await newTestPayer(coffer, { fund: "1000" });
    assert.equal((await other.client.get(`/v1/wallet/support/tickets/${opened.id}`)).statusCode, 404);
    const labelId = resolved.messages[1].attachments[0].id;
    assert.equal((await other.client.get(`/v1/wallet/support/attachments/${labelId}`)).statusCode, 404);
    const mine = await expectStatus(await payer.client.get(`/v1/wallet/support/attachments/${labelId}`), 200);
    assert.equal(mine.filename, "label.pdf");
    const elsewhere = merchantApi(coffer, await newPaymentsMerchant(coffer, "Other Shop"));
    assert.equal((await elsewhere("GET", `/v1/support/tickets/${opened.id}`)).statusCode, 404);
    assert.equal((await agent.get(`/v1/ops/support/tickets/${opened.id}`)).statusCode, 404); // between payer and merchant
  });

  it("a payer's wallet question and a merchant's question to the platform: the operators' queue, overdue first-response", async () => {
    const wallet = await expectStatus(
      await payer.client.post("/v1/wallet/support/tickets", {
        subject: "Top-up missing",
        body: "My top-up is not there.",
      }),
      201,
    );
    assert.equal(wallet.kind, "wallet");
    assert.equal(wallet.merchant_name, null);
    await coffer.sink.waitFor(
      (m) => m.to.includes(agent.email) && /New support ticket: Top-up missing/.test(m.subject),
    );
    const toMerchantWithoutPayment = await payer.client.post("/v1/wallet/support/tickets", {
      subject: "x",
      body: "y",
      to: "merchant",
    });
    assert.equal(toMerchantWithoutPayment.json().error?.code, "ticket_recipient_invalid");
    const mine = await expectStatus(
      await api("POST", "/v1/support/tickets", { subject: "Payout question", body: "When does my payout arrive?" }),
      201,
    );
    assert.equal(mine.kind, "merchant");
    assert.equal(mine.customer_name, "Tea House");

    const queue = await expectStatus(await agent.get("/v1/ops/support/tickets?status=open"), 200);
    const ids = queue.data.map((t: { id: string }) => t.id);
    assert.ok(ids.includes(wallet.id) && ids.includes(mine.id));
    assert.equal(queue.data[0].object, "ops_support_ticket");
    // A day passes without an answer: both are overdue.
    coffer.clock.advance(supportFirstResponseMs + 1000);
    agent = await newOperator(coffer.app, coffer.services, "support");
    const overdue = await expectStatus(await agent.get("/v1/ops/support/tickets?overdue=true"), 200);
    assert.ok(
      [wallet.id, mine.id].every((id) =>
        overdue.data.some((t: { id: string; overdue: boolean }) => t.id === id && t.overdue),
      ),
    );

    const answered = await expectStatus(
      await agent.post(`/v1/ops/support/tickets/${mine.id}/messages`, {
        body: "Tomorrow morning.",
        status: "resolved",
      }),
      200,
    );
    assert.equal(answered.status, "resolved");
    assert.equal(answered.overdue, false);
    assert.equal(answered.messages[1].author.type, "platform");
    await coffer.sink.waitFor((m) => m.to.includes(shopEmail) && /Resolved: Payout question/.test(m.subject));
    // The merchant sees its own ticket resolved and may reopen it.
    const reopened = await expectStatus(await api("POST", `/v1/support/tickets/${mine.id}`, { status: "open" }), 200);
    assert.equal(reopened.status, "open");
    // Operators do not open tickets, and a reviewer reads but does not answer.
    const reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    await expectStatus(await reviewer.get(`/v1/ops/support/tickets/${wallet.id}`), 200);
    const refused = await reviewer.post(`/v1/ops/support/tickets/${wallet.id}/messages`, { body: "Hi" });
    assert.equal(refused.statusCode, 403, refused.body);
  });

  it("refuses bad input, writing nothing, and caps a customer's open tickets", async () => {
    const count = async () =>
      (await coffer.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM support_tickets")).rows[0]!.n;
    const start = await count();
    const blank = await payer.client.post("/v1/wallet/support/tickets", { subject: "   ", body: "text" });
    assert.equal(blank.json().error?.code, "parameter_invalid", blank.body);
    const fake = await payer.client.post("/v1/wallet/support/tickets", {
      subject: "Fake",
      body: "text",
      attachments: [{ content_type: "image/png", content_base64: samplePdf.toString("base64") }],
    });
    assert.equal(fake.json().error?.code, "document_content_mismatch", fake.body);
    assert.equal(fake.json().error?.param, "attachments.0.content_base64");
    const foreignPayment = await paidPayment(api, await newTestPayer(coffer, { fund: "5000" }), "100");
    const notMine = await payer.client.post("/v1/wallet/support/tickets", {
      subject: "s",
      body: "b",
      payment: foreignPayment.id,
    });
    assert.equal(notMine.statusCode, 404, notMine.body);
    assert.equal(await count(), start);

    const busy = await newTestPayer(coffer, { fund: "1000" });
    for (let i = 0; i < supportOpenTicketsPerCustomerMax; i++) {
      await expectStatus(await busy.client.post("/v1/wallet/support/tickets", { subject: `Q${i}`, body: "?" }), 201);
    }
    const capped = await busy.client.post("/v1/wallet/support/tickets", { subject: "one more", body: "?" });
    assert.equal(capped.json().error?.code, "ticket_limit_reached", capped.body);
  });

  // Last in the file: moving the clock days ahead ends the sessions the tests above use.
  it("a ticket answered in time but not resolved within its resolution deadline is overdue until resolved", async () => {
    const asked = await expectStatus(
      await api("POST", "/v1/support/tickets", { subject: "Settlement report", body: "Where is it?" }),
      201,
    );
    assert.equal(asked.resolution_due_at, asked.created + supportResolutionMs / 1000);
    agent = await newOperator(coffer.app, coffer.services, "support");
    const answered = await expectStatus(
      await agent.post(`/v1/ops/support/tickets/${asked.id}/messages`, { body: "Looking into it." }),
      200,
    );
    assert.equal(answered.status, "waiting_on_customer");
    assert.equal(answered.overdue, false);

    coffer.clock.advance(supportResolutionMs + 1000);
    const late = await expectStatus(await api("GET", `/v1/support/tickets/${asked.id}`), 200);
    assert.equal(late.overdue, true, "the first response was in time; the resolution deadline passed");
    agent = await newOperator(coffer.app, coffer.services, "support");
    // The test clock stands still, so the tickets above share its second: a page wide enough for all of them.
    const queue = await expectStatus(await agent.get("/v1/ops/support/tickets?overdue=true&limit=100"), 200);
    assert.ok(queue.data.some((t: { id: string }) => t.id === asked.id));
    const resolved = await expectStatus(
      await agent.post(`/v1/ops/support/tickets/${asked.id}/messages`, { body: "Sent.", status: "resolved" }),
      200,
    );
    assert.equal(resolved.overdue, false);
  });
});
