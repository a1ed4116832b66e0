import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { disputeEvidenceWindowMs, disputeFundingRetryMs, disputeOpenWindowMs } from "../../src/limits.js";
import { type Api, expectStatus, merchantApi, newSession, ownerEmail, paidPayment } from "../helpers/after-sales.js";
import { newOperator, samplePdf } from "../helpers/merchant-console.js";
import {
  assertBooksBalance,
  eventTypesOf,
  merchantLedgerBalance,
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  setSettlementAccount,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
  walletLedgerBalance,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/**
 * Disputes end to end (docs/disputes.md): a payer disputes a paid payment from the wallet, the amount is held from the
 * merchant's balance, the merchant answers with evidence (or does not), an operator decides; every flow checks the
 * ledger balances it moved, the events and mails, and ends with coffer verify finding nothing wrong.
 */
describe("disputes end to end", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let api: Api;
  let payer: TestWalletUser;
  let reviewer: Awaited<ReturnType<typeof newOperator>>;
  let shopEmail: string;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Tea House");
    api = merchantApi(coffer, shop);
    shopEmail = await ownerEmail(shop);
    payer = await newTestPayer(coffer, { fund: "500000", displayName: "Ada" });
    reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    for (const amount of ["40000", "40000", "40000"]) await paidPayment(api, payer, amount); // the shop's takings so far
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  const payerAvailable = () => walletLedgerBalance(coffer.services, payer.id).then((b) => b?.available ?? 0n);
  const merchant = () => merchantLedgerBalance(coffer.services, shop.merchantId);

  it("lost for lack of a response: held at once, paid to the payer at the due date, with events and mails", async () => {
    const payment = await paidPayment(api, payer, "5000");
    const before = { payer: await payerAvailable(), merchant: (await merchant()).available };

    const opened = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, {
      reason: "product_not_received",
      message: "The tea never came.",
    });
    const walletDispute = await expectStatus(opened, 201);
    assert.equal(walletDispute.object, "wallet_dispute");
    assert.equal(walletDispute.status, "needs_response");
    assert.equal(walletDispute.amount, "5000");
    assert.deepEqual(walletDispute.merchant, { name: "Tea House" });

    // Held from the merchant at once; nothing spendable for the payer yet.
    assert.equal((await merchant()).available, before.merchant - 5000n);
    assert.equal(await payerAvailable(), before.payer);
    const dispute = await expectStatus(await api("GET", `/v1/disputes/${walletDispute.id}`), 200);
    assert.equal(dispute.amount_held, "5000");
    assert.equal(dispute.payer_message, "The tea never came.");
    assert.equal(dispute.evidence_details.past_due, false);
    assert.equal(
      dispute.evidence_details.due_by,
      Math.floor((coffer.clock.now().getTime() + disputeEvidenceWindowMs) / 1000),
    );
    const balance = await expectStatus(await api("GET", "/v1/balance"), 200);
    const usd = balance.currencies.find((c: { currency: string }) => c.currency === "USD");
    assert.equal(usd.available, String((await merchant()).available));
    assert.equal(usd.disputed, "5000");
    assert.equal(usd.in_transit, "0");
    const mail = await coffer.sink.waitFor((m) => m.to.includes(shopEmail) && /disputed a payment/.test(m.subject));
    assert.match(mail.text, /The tea never came\./);
    assert.match(mail.text, new RegExp(`/disputes/${dispute.id}`));

    // The held part cannot be refunded as well.
    const refund = await api("POST", "/v1/refunds", { payment: payment.id, amount: "1" });
    assert.equal(refund.statusCode, 400, refund.body);
    assert.equal(refund.json().error.code, "refund_exceeds_captured");
    // A payment is disputed once.
    const again = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "general" });
    assert.equal(again.json().error?.code, "dispute_exists", again.body);

    // Nothing happens before the due date; after it the worker closes the dispute as lost.
    coffer.clock.advance(disputeEvidenceWindowMs - 1000);
    assert.equal(await coffer.services.disputes.runDeadlines(), 0);
    coffer.clock.advance(2000);
    assert.equal(await coffer.services.disputes.runDeadlines(), 1);
    // A week without a request ended the payer's and the operator's sessions.
    payer = await newSession(coffer, payer);
    reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    const lost = await expectStatus(await api("GET", `/v1/disputes/${dispute.id}`), 200);
    assert.equal(lost.status, "lost");
    assert.equal(lost.closed_by, "no_response");
    assert.equal(lost.amount_held, "0");
    assert.equal(lost.amount_returned, "5000");
    assert.equal(await payerAvailable(), before.payer + 5000n);
    assert.equal((await merchant()).available, before.merchant - 5000n);
    assert.equal((await merchant()).debitsPending, 0n);
    const after = await expectStatus(await api("GET", "/v1/balance"), 200);
    assert.equal(after.currencies.find((c: { currency: string }) => c.currency === "USD").disputed, "0");
    assert.deepEqual(await eventTypesOf(coffer, dispute.id), ["dispute.created", "dispute.closed"]);
    await coffer.sink.waitFor((m) => m.to.includes(payer.email) && /decided for you/.test(m.subject));
    await coffer.sink.waitFor((m) => m.to.includes(shopEmail) && /: lost/.test(m.subject));
    const walletView = await expectStatus(await payer.client.get(`/v1/wallet/payments/${payment.id}/dispute`), 200);
    assert.equal(walletView.status, "lost");
    assert.equal(walletView.amount_returned, "5000");
    // Lost stays lost: the payment's dispute keeps what it took, so no refund can pay it twice.
    const late = await api("POST", "/v1/refunds", { payment: payment.id });
    assert.equal(late.json().error?.code, "refund_exceeds_captured", late.body);
  });

  it("won with evidence: the merchant answers with a file, an operator decides for the merchant, the hold is released", async () => {
    const payment = await paidPayment(api, payer, "3000");
    const before = { payer: await payerAvailable(), merchant: (await merchant()).available };
    const opened = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "fraudulent" });
    const { id } = await expectStatus(opened, 201);
    assert.equal((await merchant()).available, before.merchant - 3000n);

    // A draft first, then the file and the submission.
    const draft = await expectStatus(
      await api("POST", `/v1/disputes/${id}/evidence`, {
        explanation: "The payer signed for it.",
        refund_policy: "30 days",
      }),
      200,
    );
    assert.equal(draft.status, "needs_response");
    assert.equal(draft.evidence.explanation, "The payer signed for it.");
    const submitted = await expectStatus(
      await api("POST", `/v1/disputes/${id}/evidence`, {
        refund_policy: "",
        shipping_tracking_number: "1Z999",
        attachments: [
          { filename: "delivery.pdf", content_type: "application/pdf", content_base64: samplePdf.toString("base64") },
        ],
        submit: true,
      }),
      200,
    );
    assert.equal(submitted.status, "under_review");
    assert.equal(submitted.evidence.refund_policy, null);
    assert.equal(submitted.evidence.shipping_tracking_number, "1Z999");
    assert.equal(submitted.evidence.files.length, 1);
    assert.equal(submitted.evidence.files[0].filename, "delivery.pdf");
    assert.ok(submitted.evidence_details.submitted_at);
    const file = await expectStatus(await api("GET", `/v1/support/attachments/${submitted.evidence.files[0].id}`), 200);
    assert.equal(Buffer.from(file.content_base64, "base64").equals(samplePdf), true);
    // Submitted evidence does not change.
    const more = await api("POST", `/v1/disputes/${id}/evidence`, { explanation: "more" });
    assert.equal(more.json().error?.code, "dispute_status_invalid", more.body);

    const queue = await expectStatus(await reviewer.get("/v1/ops/disputes?status=under_review"), 200);
    assert.ok(queue.data.some((d: { id: string }) => d.id === id));
    const decided = await expectStatus(
      await reviewer.post(`/v1/ops/disputes/${id}/decide`, { outcome: "won", note: "Signed delivery receipt." }),
      200,
    );
    assert.equal(decided.status, "won");
    assert.equal(decided.closed_by, "operator");
    assert.equal(decided.decided_by, reviewer.operatorId);
    assert.equal(decided.decision_note, "Signed delivery receipt.");
    assert.equal((await merchant()).available, before.merchant);
    assert.equal(await payerAvailable(), before.payer);
    assert.deepEqual(await eventTypesOf(coffer, id), [
      "dispute.created",
      "dispute.updated",
      "dispute.updated",
      "dispute.closed",
    ]);
    await coffer.sink.waitFor((m) => m.to.includes(shopEmail) && /: won/.test(m.subject));
    // Decided is final; and a won dispute gives the payment back to refunds.
    const twice = await reviewer.post(`/v1/ops/disputes/${id}/decide`, { outcome: "lost" });
    assert.equal(twice.json().error?.code, "dispute_status_invalid", twice.body);
    await expectStatus(await api("POST", "/v1/refunds", { payment: payment.id, amount: "1000" }), 201);
  });

  it("lost by decision, and accepted by the merchant: the held amount goes to the payer once", async () => {
    const first = await paidPayment(api, payer, "2000");
    const second = await paidPayment(api, payer, "700");
    const before = { payer: await payerAvailable(), merchant: (await merchant()).available };
    const a = await expectStatus(
      await payer.client.post(`/v1/wallet/payments/${first.id}/dispute`, {
        reason: "product_unacceptable",
        amount: "1500",
      }),
      201,
    );
    assert.equal(a.amount, "1500");
    const b = await expectStatus(await api("POST", `/v1/test_helpers/payments/${second.id}/dispute`, {}), 201);
    assert.equal(b.reason, "general");
    assert.equal((await merchant()).available, before.merchant - 2200n);

    // An operator cannot decide before the merchant answered.
    const early = await reviewer.post(`/v1/ops/disputes/${a.id}/decide`, { outcome: "lost" });
    assert.equal(early.json().error?.code, "dispute_status_invalid", early.body);
    await expectStatus(
      await api("POST", `/v1/disputes/${a.id}/evidence`, { explanation: "It was fine.", submit: true }),
      200,
    );
    const lost = await expectStatus(await reviewer.post(`/v1/ops/disputes/${a.id}/decide`, { outcome: "lost" }), 200);
    assert.equal(lost.status, "lost");
    const accepted = await expectStatus(await api("POST", `/v1/disputes/${b.id}/close`, {}), 200);
    assert.equal(accepted.status, "lost");
    assert.equal(accepted.closed_by, "accepted");
    assert.equal(await payerAvailable(), before.payer + 2200n);
    assert.equal((await merchant()).available, before.merchant - 2200n);
    // The rest of the first payment can still be refunded; the disputed part cannot.
    const tooMuch = await api("POST", "/v1/refunds", { payment: first.id, amount: "501" });
    assert.equal(tooMuch.json().error?.code, "refund_exceeds_captured", tooMuch.body);
    await expectStatus(await api("POST", "/v1/refunds", { payment: first.id, amount: "500" }), 201);
    const list = await expectStatus(await api("GET", "/v1/disputes?status=lost&limit=100"), 200);
    assert.ok([a.id, b.id].every((id) => list.data.some((d: { id: string }) => d.id === id)));
  });

  it("sandbox: magic evidence decides at once; advance_time loses an unanswered dispute", async () => {
    const winning = await paidPayment(api, payer, "400");
    const losing = await paidPayment(api, payer, "300");
    const silent = await paidPayment(api, payer, "200");
    const w = await expectStatus(
      await api("POST", `/v1/test_helpers/payments/${winning.id}/dispute`, { reason: "duplicate" }),
      201,
    );
    const l = await expectStatus(await api("POST", `/v1/test_helpers/payments/${losing.id}/dispute`, {}), 201);
    const s = await expectStatus(await api("POST", `/v1/test_helpers/payments/${silent.id}/dispute`, {}), 201);
    await expectStatus(
      await api("POST", `/v1/disputes/${w.id}/evidence`, { explanation: "winning_evidence", submit: true }),
      200,
    );
    await expectStatus(
      await api("POST", `/v1/disputes/${l.id}/evidence`, { explanation: "losing_evidence", submit: true }),
      200,
    );
    assert.equal((await expectStatus(await api("GET", `/v1/disputes/${w.id}`), 200)).status, "won");
    const lost = await expectStatus(await api("GET", `/v1/disputes/${l.id}`), 200);
    assert.equal(lost.status, "lost");
    assert.equal(lost.closed_by, "sandbox");

    const advanced = await api("POST", "/v1/test_helpers/advance_time", {
      seconds: disputeEvidenceWindowMs / 1000 + 1,
    });
    assert.equal(advanced.statusCode, 200, advanced.body);
    const closed = await expectStatus(await api("GET", `/v1/disputes/${s.id}`), 200);
    assert.equal(closed.status, "lost");
    assert.equal(closed.closed_by, "no_response");
  });

  it("refuses what cannot be disputed, writing nothing", async () => {
    const other = await newTestPayer(coffer, { fund: "1000" });
    const payment = await paidPayment(api, payer, "900");
    const foreign = await other.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "general" });
    assert.equal(foreign.statusCode, 404, foreign.body);
    const noReason = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, {});
    assert.equal(noReason.json().error?.code, "parameter_missing", noReason.body);
    // Only a reason from the catalog (docs/disputes.md).
    const unknownReason = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, {
      reason: "changed_my_mind",
    });
    assert.equal(unknownReason.json().error?.code, "parameter_invalid", unknownReason.body);
    assert.equal(unknownReason.json().error?.param, "reason", unknownReason.body);
    const tooMuch = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, {
      reason: "general",
      amount: "901",
    });
    assert.equal(tooMuch.json().error?.code, "dispute_amount_too_large", tooMuch.body);
    const open = await expectStatus(
      await api("POST", "/v1/payments", { amount: "100", currency: "USD", method: "qr" }),
      201,
    );
    await payer.client.post("/v1/wallet/scan", { payload: open.qr.payload });
    const unpaid = await payer.client.post(`/v1/wallet/payments/${open.id}/dispute`, { reason: "general" });
    assert.equal(unpaid.statusCode, 404, unpaid.body); // not the payer's: nobody paid it
    await expectStatus(await api("POST", "/v1/refunds", { payment: payment.id }), 201);
    const refunded = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "general" });
    assert.equal(refunded.json().error?.code, "payment_not_disputable", refunded.body);
    const old = await paidPayment(api, payer, "100");
    coffer.clock.advance(disputeOpenWindowMs + 1000);
    payer = await newSession(coffer, payer);
    reviewer = await newOperator(coffer.app, coffer.services, "reviewer");
    const late = await payer.client.post(`/v1/wallet/payments/${old.id}/dispute`, { reason: "general" });
    assert.equal(late.json().error?.code, "dispute_window_closed", late.body);
    const none = await payer.client.get(`/v1/wallet/payments/${old.id}/dispute`);
    assert.equal(none.statusCode, 404, none.body);
    const count = await coffer.db.pool.query("SELECT count(*)::int AS n FROM disputes WHERE payment_id = ANY($1)", [
      [payment.id, old.id, open.id],
    ]);
    assert.equal(count.rows[0].n, 0);
  });

  it("covers what the balance could not: holds the rest as money arrives, and after a loss pays the payer the rest", async () => {
    const poor = await newPaymentsMerchant(coffer, "Thin Margins");
    const poorApi = merchantApi(coffer, poor);
    await setSettlementAccount(poor, "6222020200112233445");
    const payment = await paidPayment(poorApi, payer, "10000");
    const available = (await merchantLedgerBalance(coffer.services, poor.merchantId)).available;
    // Everything but 1000 leaves for the bank.
    await expectStatus(
      await poorApi("POST", "/v1/payouts", { amount: String(available - 1000n), currency: "USD" }),
      201,
    );
    const opened = await expectStatus(
      await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "fraudulent" }),
      201,
    );
    let dispute = await expectStatus(await poorApi("GET", `/v1/disputes/${opened.id}`), 200);
    assert.equal(dispute.amount_held, "1000");
    assert.equal((await merchantLedgerBalance(coffer.services, poor.merchantId)).available, 0n);

    // A new payment arrives; the worker holds from it at its next look.
    await paidPayment(poorApi, payer, "4000");
    coffer.clock.advance(disputeFundingRetryMs);
    await coffer.services.disputes.runFunding();
    dispute = await expectStatus(await poorApi("GET", `/v1/disputes/${opened.id}`), 200);
    assert.ok(BigInt(dispute.amount_held) > 1000n && BigInt(dispute.amount_held) < 10000n, dispute.amount_held);
    const held = BigInt(dispute.amount_held);

    const before = await payerAvailable();
    const accepted = await expectStatus(await poorApi("POST", `/v1/disputes/${opened.id}/close`, {}), 200);
    assert.equal(accepted.amount_returned, String(held));
    assert.equal(await payerAvailable(), before + held);
    const ops = await expectStatus(await reviewer.get(`/v1/ops/disputes/${opened.id}`), 200);
    assert.equal(ops.amount_uncovered, String(10000n - held));

    // More money arrives: the rest goes to the payer, and the dispute is covered.
    await paidPayment(poorApi, payer, "9000");
    coffer.clock.advance(disputeFundingRetryMs);
    await coffer.services.disputes.runFunding();
    dispute = await expectStatus(await poorApi("GET", `/v1/disputes/${opened.id}`), 200);
    assert.equal(dispute.amount_returned, "10000");
    assert.equal(await payerAvailable(), before + 10000n - 9000n);
    const covered = await coffer.db.pool.query("SELECT funding_due_at FROM disputes WHERE id = $1", [opened.id]);
    assert.equal(covered.rows[0].funding_due_at, null);
  });
});
