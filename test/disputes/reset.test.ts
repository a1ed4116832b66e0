import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, merchantApi, paidPayment } from "../helpers/after-sales.js";
import { samplePng } from "../helpers/merchant-console.js";
import {
  assertBooksBalance,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
} from "../helpers/payments.js";

/**
 * The sandbox's reset with disputes and support tickets in test mode: an open dispute's hold is voided with the
 * merchant's other holds, the disputes, tickets, messages and files go with the payments they are about, and the
 * books still balance.
 */
describe("sandbox reset with disputes and tickets", () => {
  let coffer: PaymentsCoffer;

  before(async () => {
    coffer = await startPaymentsCoffer();
  });
  after(() => coffer.close());

  it("deletes the test mode's disputes and tickets and voids the disputes' holds", async () => {
    const shop = await newPaymentsMerchant(coffer, "Reset Shop");
    const api = merchantApi(coffer, shop);
    const payer = await newTestPayer(coffer, { fund: "50000" });
    const payment = await paidPayment(api, payer, "4000");
    const open = await expectStatus(await api("POST", `/v1/test_helpers/payments/${payment.id}/dispute`, {}), 201);
    const answered = await paidPayment(api, payer, "1000");
    const other = await expectStatus(await api("POST", `/v1/test_helpers/payments/${answered.id}/dispute`, {}), 201);
    await expectStatus(
      await api("POST", `/v1/disputes/${other.id}/evidence`, {
        explanation: "Here.",
        attachments: [{ content_type: "image/png", content_base64: samplePng.toString("base64") }],
        submit: true,
      }),
      200,
    );
    const help = await payer.client.post("/v1/wallet/support/tickets", {
      subject: "Where is it?",
      body: "Nothing came.",
      payment: payment.id,
      attachments: [{ content_type: "image/png", content_base64: samplePng.toString("base64") }],
    });
    const ticket = await expectStatus(help, 201);
    await expectStatus(await api("POST", `/v1/support/tickets/${ticket.id}/messages`, { body: "On its way." }), 200);
    await expectStatus(await api("POST", "/v1/support/tickets", { subject: "Question", body: "Hello" }), 201);
    assert.ok((await merchantLedgerBalance(coffer.services, shop.merchantId)).debitsPending > 0n);

    const reset = await api("POST", "/v1/test_helpers/reset", {});
    assert.equal(reset.statusCode, 200, reset.body);
    const count = async (table: string) =>
      (await coffer.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    assert.equal(await count("disputes"), 0);
    assert.equal(await count("support_tickets"), 0);
    assert.equal(await count("support_ticket_messages"), 0);
    assert.equal(await count("support_attachments"), 0);
    const balance = await merchantLedgerBalance(coffer.services, shop.merchantId);
    assert.equal(balance.debitsPending, 0n);
    assert.equal(balance.posted, 0n);
    assert.equal((await api("GET", `/v1/disputes/${open.id}`)).statusCode, 404);
    await assertBooksBalance(coffer);
  });
});
