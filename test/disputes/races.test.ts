import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { disputeEvidenceWindowMs, disputeFundingRetryMs } from "../../src/limits.js";
import { type Api, expectStatus, merchantApi, newSession, paidPayment } from "../helpers/after-sales.js";
import { newOperator } from "../helpers/merchant-console.js";
import {
  assertBooksBalance,
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
 * Disputes raced for real: parallel HTTP requests (and a second coffer process on the same database) racing to open
 * one dispute, to take the last of a payment by refund or by dispute, and to close one dispute in different ways.
 * Money moves at most once, the payment never gives back more than it took, and the books balance.
 */
describe("dispute races", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let api: Api;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer({ poolSize: 40 });
    shop = await newPaymentsMerchant(coffer, "Race Shop");
    api = merchantApi(coffer, shop);
    payer = await newTestPayer(coffer, { fund: "400000" });
    for (let i = 0; i < 4; i++) await paidPayment(api, payer, "40000"); // the shop's balance covers every hold below
  });
  afterEach(() => assertBooksBalance(coffer));
  after(() => coffer.close());

  /** The parts of an answer these tests read. */
  type Json = { id?: string; status?: string; amount_returned?: string; error?: { code: string } };

  const post = (base: string, auth: string, path: string, body: unknown, key: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));

  /** Holds of a dispute still pending in the ledger (neither posted nor voided). */
  const openHolds = async (disputeId: string) =>
    (
      await coffer.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_transfers t
          WHERE t.reference = $1 AND t.flags & 2 <> 0
            AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)`,
        [disputeId],
      )
    ).rows[0]!.n;

  it("20 parallel disputes of one payment by its payer: one opens, one hold, the rest dispute_exists", async () => {
    const payment = await paidPayment(api, payer, "1200");
    const before = (await merchantLedgerBalance(coffer.services, shop.merchantId)).available;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(
          coffer.baseUrl,
          `Bearer ${payer.token}`,
          `/v1/wallet/payments/${payment.id}/dispute`,
          { reason: "duplicate" },
          `d-${i}`,
        ),
      ),
    );
    const opened = answers.filter((a) => a.status === 201);
    assert.equal(opened.length, 1, JSON.stringify(answers.map((a) => a.status)));
    for (const refused of answers.filter((a) => a.status !== 201)) {
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error?.code, "dispute_exists");
    }
    assert.equal((await merchantLedgerBalance(coffer.services, shop.merchantId)).available, before - 1200n);
    assert.equal(await openHolds(opened[0]!.body.id!), 1);
    const rows = await coffer.db.pool.query("SELECT amount_disputed FROM payments WHERE id = $1", [payment.id]);
    assert.equal(String(rows.rows[0].amount_disputed), "1200");
  });

  it("a refund and a dispute racing for the whole of 10 payments: exactly one of them gets each, never both", async () => {
    const payments: { id: string; fee: string }[] = [];
    for (let i = 0; i < 10; i++) payments.push(await paidPayment(api, payer, "900"));
    const sibling = await coffer.sibling(); // the refunds go through a second coffer process
    try {
      const results = await Promise.all(
        payments.map(async (p, i) => {
          const [refund, dispute] = await Promise.all([
            post(sibling.baseUrl, `Bearer ${shop.secretKey}`, "/v1/refunds", { payment: p.id }, `r-${i}`),
            post(
              coffer.baseUrl,
              `Bearer ${payer.token}`,
              `/v1/wallet/payments/${p.id}/dispute`,
              { reason: "general" },
              `x-${i}`,
            ),
          ]);
          return { refund, dispute };
        }),
      );
      for (const [i, { refund, dispute }] of results.entries()) {
        const won = [refund.status === 201 && refund.body.status === "succeeded", dispute.status === 201];
        assert.equal(won.filter(Boolean).length, 1, `payment ${i}: ${JSON.stringify([refund, dispute])}`);
        const row = await coffer.db.pool.query<Record<string, string>>(
          "SELECT amount_captured, amount_refunded, amount_disputed FROM payments WHERE id = $1",
          [payments[i]!.id],
        );
        const amounts = row.rows[0]!;
        assert.equal(
          BigInt(amounts.amount_refunded!) + BigInt(amounts.amount_disputed!),
          BigInt(amounts.amount_captured!),
        );
      }
    } finally {
      await sibling.close();
    }
  });

  it("an operator's decision, the merchant accepting and a second operator in another process, at once: one closes it", async () => {
    const sibling = await coffer.sibling();
    try {
      for (let round = 0; round < 5; round++) {
        const payment = await paidPayment(api, payer, "700");
        const { id } = await expectStatus(
          await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "fraudulent" }),
          201,
        );
        await expectStatus(
          await api("POST", `/v1/disputes/${id}/evidence`, { explanation: "Signed for.", submit: true }),
          200,
        );
        const one = await newOperator(coffer.app, coffer.services, "reviewer");
        const two = await newOperator(coffer.app, coffer.services, "admin");
        const payerBefore = (await walletLedgerBalance(coffer.services, payer.id))!.available;
        const cookie = (client: typeof one) => ({
          cookie: `coffer_ops=${client.cookie}`,
          "x-csrf-token": client.csrf!,
        });
        const opsPost = (base: string, client: typeof one, outcome: string) =>
          fetch(`${base}/v1/ops/disputes/${id}/decide`, {
            method: "POST",
            headers: {
              ...cookie(client),
              "content-type": "application/json",
              "idempotency-key": `${outcome}-${round}`,
            },
            body: JSON.stringify({ outcome }),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
        const answers = await Promise.all([
          opsPost(coffer.baseUrl, one, "won"),
          opsPost(sibling.baseUrl, two, "lost"),
          post(coffer.baseUrl, `Bearer ${shop.secretKey}`, `/v1/disputes/${id}/close`, {}, `accept-${round}`),
        ]);
        const closed = answers.filter((a) => a.status === 200);
        assert.equal(closed.length, 1, JSON.stringify(answers));
        for (const refused of answers.filter((a) => a.status !== 200)) {
          assert.equal(refused.body.error?.code, "dispute_status_invalid", JSON.stringify(refused.body));
        }
        const final = await expectStatus(await api("GET", `/v1/disputes/${id}`), 200);
        const payerAfter = (await walletLedgerBalance(coffer.services, payer.id))!.available;
        assert.equal(payerAfter - payerBefore, final.status === "lost" ? 700n : 0n);
        assert.equal(await openHolds(id), 0);
      }
    } finally {
      await sibling.close();
    }
  });

  it("evidence at the deadline against the deadline worker in two processes: answered or lost, never both", async () => {
    const sibling = await coffer.sibling();
    try {
      const disputes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const payment = await paidPayment(api, payer, "300");
        const opened = await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "general" });
        disputes.push((await expectStatus(opened, 201)).id);
      }
      coffer.clock.advance(disputeEvidenceWindowMs); // exactly the due date: the merchant may still answer
      await Promise.all([
        coffer.services.disputes.runDeadlines(),
        sibling.services.disputes.runDeadlines(),
        ...disputes.map((id, i) =>
          post(
            coffer.baseUrl,
            `Bearer ${shop.secretKey}`,
            `/v1/disputes/${id}/evidence`,
            { explanation: "Here.", submit: true },
            `e-${i}`,
          ),
        ),
      ]);
      for (const id of disputes) {
        const d = await expectStatus(await api("GET", `/v1/disputes/${id}`), 200);
        assert.ok(
          (d.status === "under_review" && d.closed_by === null) ||
            (d.status === "lost" && d.closed_by === "no_response"),
          `${id}: ${d.status} ${d.closed_by}`,
        );
        assert.equal(await openHolds(id), d.status === "lost" ? 0 : 1);
      }
      payer = await newSession(coffer, payer);
    } finally {
      await sibling.close();
    }
  });

  it("the funding worker in two processes against the merchant accepting: every hold is posted, none is left pending", async () => {
    const poor = await newPaymentsMerchant(coffer, "Thin Race");
    const poorApi = merchantApi(coffer, poor);
    await setSettlementAccount(poor, "6222020200112233445");
    const payment = await paidPayment(poorApi, payer, "5000");
    const available = (await merchantLedgerBalance(coffer.services, poor.merchantId)).available;
    await expectStatus(await poorApi("POST", "/v1/payouts", { amount: String(available), currency: "USD" }), 201);
    const { id } = await expectStatus(
      await payer.client.post(`/v1/wallet/payments/${payment.id}/dispute`, { reason: "fraudulent" }),
      201,
    );
    const sibling = await coffer.sibling();
    try {
      for (let i = 0; i < 3; i++) await paidPayment(poorApi, payer, "1000");
      coffer.clock.advance(disputeFundingRetryMs);
      const payerBefore = (await walletLedgerBalance(coffer.services, payer.id))!.available;
      const [, , accepted] = await Promise.all([
        coffer.services.disputes.runFunding(),
        sibling.services.disputes.runFunding(),
        post(coffer.baseUrl, `Bearer ${poor.secretKey}`, `/v1/disputes/${id}/close`, {}, "accept-poor"),
      ]);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(await openHolds(id), 0);
      const d = await expectStatus(await poorApi("GET", `/v1/disputes/${id}`), 200);
      const payerAfter = (await walletLedgerBalance(coffer.services, payer.id))!.available;
      assert.equal(payerAfter - payerBefore, BigInt(d.amount_returned));
    } finally {
      await sibling.close();
    }
  });
});
