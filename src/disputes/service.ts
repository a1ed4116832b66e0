import type { Logger } from "pino";
import { modeName } from "../alerts/messages.js";
import type { Clock } from "../clock.js";
import { updateMetadata } from "../db/metadata-update.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import type { MerchantScope } from "../http/auth.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import type { Metadata } from "../http/metadata.js";
import { keysetPage, type ListPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import { type CurrencyRegistry, formatMinorUnits } from "../ledger/currencies.js";
import { isApplied } from "../ledger/errors.js";
import { balanceOf, type TransferInput, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import {
  disputeCloseAttemptsMax,
  disputeDeadlineLeaseMs,
  disputeEvidenceFilesMax,
  disputeEvidenceTextLengthMax,
  disputeEvidenceWindowMs,
  disputeFundingRetryMs,
  disputeOpenWindowMs,
  disputeWorkerBatchMax,
} from "../limits.js";
import { merchantContacts } from "../merchants/users.js";
import type { NotificationService } from "../notifications/service.js";
import type { Locale } from "../notifications/templates.js";
import type { PaymentAccounts } from "../payments/accounts.js";
import type { Payment, PaymentLinks } from "../payments/model.js";
import { getMerchantPayment, getPaymentForPayer } from "../payments/store.js";
import { sandboxError } from "../sandbox/errors.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { testClockDueSql, testOffsetSql } from "../sandbox/test-clock.js";
import type { SecretBox } from "../security/encryption.js";
import {
  type Attachment,
  type AttachmentInput,
  attachmentsOf,
  inspectAttachments,
  storeAttachments,
} from "../support/attachments.js";
import type { WalletServices } from "../wallets/service.js";
import { disputeError } from "./errors.js";
import {
  disputeClosedPayerTemplate,
  disputeClosedTemplate,
  disputeOpenedTemplate,
  merchantOutcomes,
  payerOutcomes,
  reasonNames,
} from "./messages.js";
import {
  type Dispute,
  type DisputeCloser,
  type DisputeReason,
  type DisputeRow,
  type DisputeStatus,
  disputeFromRow,
  disputeJson,
  disputeReasons,
  type Evidence,
  evidenceFields,
  isOpen,
  openDisputeStatuses,
} from "./model.js";

/**
 * Disputes (docs/disputes.md, docs/adr/0025): a payer disputes a succeeded payment within disputeOpenWindowMs; the
 * disputed amount is held from the merchant's balance by pending ledger transfers toward the payer's wallet; the
 * merchant answers with evidence by the due date; an operator decides. Won voids the holds, lost posts them. Every
 * change of a dispute is made in the hook of the ledger submission that moves its money (or in one transaction when
 * none moves), conditional on the status (and number of holds) it expects, with its event and mails.
 */
export interface DisputeDeps {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  secrets: SecretBox;
  currencies: CurrencyRegistry;
  notifications: NotificationService;
  testClocks: TestClocks;
  payments: { accounts: PaymentAccounts; links: PaymentLinks };
  wallets: Pick<WalletServices, "accounts">;
  log?: Logger;
}

export interface OpenInput {
  reason?: string;
  amount?: unknown;
  message?: string;
}

export type EvidenceInput = Partial<Record<(typeof evidenceFields)[number], string>> & {
  attachments?: AttachmentInput[];
  submit?: boolean;
};

export interface DisputeWithFiles {
  dispute: Dispute;
  files: Attachment[];
  /** The merchant's now when it was read: the time past_due is judged at. */
  at: Date;
}

/** Thrown inside a hook when the dispute changed under us: the submission is aborted and the close tried again. */
class DisputeMoved extends Error {}

const holdId = (dispute: string, n: number) => transferIdFor(dispute, "hold", String(n));

export type DisputeService = ReturnType<typeof createDisputeService>;

export function createDisputeService(deps: DisputeDeps) {
  const { pool, ledger, testClocks } = deps;
  const notFound = (param = "id") => new ApiError("resource_not_found", "No such dispute.", param);

  const nowFor = (d: Pick<Dispute, "merchantId" | "livemode">, db?: Queryable) =>
    testClocks.now(d.merchantId, d.livemode, db);

  function money(amount: bigint, code: string): string {
    const currency = deps.currencies.get(code);
    return `${currency ? formatMinorUnits(amount, currency) : amount.toString()} ${code}`;
  }

  async function withFiles(db: Queryable, disputes: Dispute[]): Promise<Map<string, Attachment[]>> {
    const files = await attachmentsOf(db, { disputeIds: disputes.map((d) => d.id) });
    const byDispute = new Map<string, Attachment[]>(disputes.map((d) => [d.id, []]));
    for (const file of files) byDispute.get(file.disputeId!)?.push(file);
    return byDispute;
  }

  async function load(db: Queryable, id: string, lock = false): Promise<Dispute | undefined> {
    if (!isId(id, "dp")) return undefined;
    const found = await db.query<DisputeRow>(`SELECT * FROM disputes WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    return found.rows[0] ? disputeFromRow(found.rows[0]) : undefined;
  }

  async function loadMerchant(scope: MerchantScope, id: string): Promise<Dispute> {
    const dispute = await load(pool, id);
    if (!dispute || dispute.merchantId !== scope.merchantId || dispute.livemode !== scope.livemode) throw notFound();
    return dispute;
  }

  async function recordDisputeEvent(
    tx: Queryable,
    type: "dispute.created" | "dispute.updated" | "dispute.closed",
    dispute: Dispute,
    files: readonly Attachment[],
    at: Date,
    previous?: Record<string, unknown>,
  ) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: dispute.merchantId,
        walletUserId: dispute.payerId,
        livemode: dispute.livemode,
        object: disputeJson(dispute, files, at),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  // ---- opening --------------------------------------------------------------------------------------------------

  function parseReason(value: string | undefined): DisputeReason {
    if (value === undefined) throw new ApiError("parameter_missing", "Missing required parameter: reason.", "reason");
    if (!(disputeReasons as readonly string[]).includes(value)) {
      throw new ApiError("parameter_invalid", `reason is one of ${disputeReasons.join(", ")}.`, "reason");
    }
    return value as DisputeReason;
  }

  /**
   * Opens a dispute of a payment as its payer: checks the payment, then one ledger submission holds what the
   * merchant's available balance covers of the amount and its hook takes the amount from the payment (conditionally:
   * a refund may have got there first), inserts the dispute (a payment has one), writes dispute.created and the
   * merchant's mail, and stores the answer.
   */
  async function open(payment: Payment, input: OpenInput, answer?: AnswerRecorder<Dispute>): Promise<Dispute> {
    const reason = parseReason(input.reason);
    const payerId = payment.payerId;
    if (payment.status !== "succeeded" || !payerId || !payment.paidAt) {
      throw disputeError(
        "payment_not_disputable",
        `Only a succeeded payment can be disputed; this one is ${payment.status}.`,
        "payment",
      );
    }
    const now = await testClocks.now(payment.merchantId, payment.livemode);
    if (now.getTime() - payment.paidAt.getTime() > disputeOpenWindowMs) {
      throw disputeError("dispute_window_closed", undefined, "payment");
    }
    const existing = await pool.query("SELECT 1 FROM disputes WHERE payment_id = $1", [payment.id]);
    if (existing.rowCount) throw disputeError("dispute_exists", undefined, "payment");
    const left = payment.amountCaptured - payment.amountRefunded - (payment.amountDisputed ?? 0n);
    if (left <= 0n) {
      throw disputeError("payment_not_disputable", "The whole payment was refunded; nothing is left to dispute.");
    }
    const amount = input.amount === undefined ? left : parseAmount(input.amount);
    if (amount > left) {
      throw disputeError("dispute_amount_too_large", `At most ${left} of this payment can be disputed.`, "amount");
    }
    const message = input.message?.trim() || null;

    const merchantAccount = await deps.payments.accounts.merchantAccountId(
      payment.merchantId,
      payment.livemode,
      payment.currency,
    );
    const walletAccount = await deps.wallets.accounts.walletAccountId(
      { id: payerId, livemode: payment.livemode },
      payment.currency,
    );
    const account = await ledger.getAccount(merchantAccount);
    const available = account ? balanceOf(account).available : 0n;
    const toHold = available <= 0n ? 0n : available < amount ? available : amount;
    const contacts = await merchantContacts(pool, payment.merchantId);
    const id = newId("dp");
    const transfers: TransferInput[] =
      toHold > 0n
        ? [
            {
              id: holdId(id, 0),
              debitAccountId: merchantAccount,
              creditAccountId: walletAccount,
              amount: toHold,
              pending: true,
              code: "dispute_hold",
              reference: id,
            },
          ]
        : [];

    let created: Dispute | undefined;
    await ledger.createTransfers(transfers, async (tx, results) => {
      created = undefined; // a retried batch runs the hook again
      const at = await testClocks.now(payment.merchantId, payment.livemode, tx);
      // A payout that took the balance between our read and the batch leaves the hold to the funding worker.
      const held = toHold > 0n && results[0] && isApplied(results[0].code) ? toHold : 0n;
      const took = await tx.query(
        `UPDATE payments SET amount_disputed = amount_disputed + $2
          WHERE id = $1 AND status = 'succeeded' AND amount_disputed = 0
            AND amount_refunded + amount_disputed + $2 <= amount_captured`,
        [payment.id, String(amount)],
      );
      if (took.rowCount !== 1) {
        // Another dispute (committed while we waited for the payment's row), or a refund, got there first.
        const other = await tx.query("SELECT 1 FROM disputes WHERE payment_id = $1", [payment.id]);
        if (other.rowCount) throw disputeError("dispute_exists", undefined, "payment");
        throw disputeError(
          "dispute_amount_too_large",
          "A refund took part of this payment first; retrieve it and try again.",
          "amount",
        );
      }
      const inserted = await tx.query<DisputeRow>(
        `INSERT INTO disputes (id, payment_id, merchant_id, livemode, payer_id, amount, currency, reason, payer_message,
                               status, evidence_due_by, due_at, amount_held, holds, funding_due_at, created_at,
                               updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'needs_response', $10, $10, $11, $12, $13, $14, $14)
         ON CONFLICT (payment_id) DO NOTHING RETURNING *`,
        [
          id,
          payment.id,
          payment.merchantId,
          payment.livemode,
          payerId,
          String(amount),
          payment.currency,
          reason,
          message,
          new Date(at.getTime() + disputeEvidenceWindowMs),
          String(held),
          held > 0n ? 1 : 0,
          held < amount ? new Date(deps.clock.now().getTime() + disputeFundingRetryMs) : null,
          at,
        ],
      );
      if (!inserted.rows[0]) throw disputeError("dispute_exists", undefined, "payment");
      const dispute = disputeFromRow(inserted.rows[0]);
      await recordDisputeEvent(tx, "dispute.created", dispute, [], at);
      for (const contact of contacts) {
        await deps.notifications.enqueueDeferred(tx, {
          channel: "email",
          to: contact.email,
          template: disputeOpenedTemplate,
          locale: contact.locale,
          vars: {
            payment_id: payment.id,
            mode: modeName(payment.livemode, contact.locale),
            amount: money(amount, payment.currency),
            reason: reasonNames[contact.locale][reason],
            message: message ?? "—",
            due_by: dispute.evidenceDueBy.toISOString().slice(0, 16).replace("T", " "),
            link: `${deps.payments.links.base}/disputes/${dispute.id}`,
          },
          merchantId: payment.merchantId,
          dedupeKey: `dispute:opened:${dispute.id}:${contact.userId}`,
        });
      }
      await answer?.(tx, dispute);
      created = dispute;
    });
    if (!created) throw new Error(`dispute of payment ${payment.id} was not recorded`);
    deps.notifications.kick();
    return created;
  }

  /** POST /v1/wallet/payments/{id}/dispute: the payer's own payment only; another payer's is unknown. */
  async function openAsPayer(
    payerId: string,
    paymentId: string,
    input: OpenInput,
    answer?: AnswerRecorder<{ dispute: Dispute; merchantName: string }>,
  ): Promise<{ dispute: Dispute; merchantName: string }> {
    const found = await getPaymentForPayer(pool, paymentId);
    if (!found || found.payment.payerId !== payerId) {
      throw new ApiError("resource_not_found", "No such payment.", "id");
    }
    const { merchantName } = found;
    const dispute = await open(found.payment, input, answer && ((tx, d) => answer(tx, { dispute: d, merchantName })));
    return { dispute, merchantName };
  }

  /** POST /v1/test_helpers/payments/{id}/dispute: the sandbox opens a dispute as the payment's payer. */
  async function openForTest(
    scope: MerchantScope,
    paymentId: string,
    input: OpenInput,
    answer?: AnswerRecorder<DisputeWithFiles>,
  ): Promise<DisputeWithFiles> {
    if (scope.livemode) throw sandboxError("test_mode_only");
    const payment = await getMerchantPayment(pool, scope, paymentId);
    if (!payment) throw new ApiError("resource_not_found", "No such payment.", "id");
    const at = await testClocks.now(scope.merchantId, scope.livemode);
    const dispute = await open(
      payment,
      { ...input, reason: input.reason ?? "general" },
      answer && ((tx, d) => answer(tx, { dispute: d, files: [], at })),
    );
    return { dispute, files: [], at };
  }

  // ---- the merchant's side --------------------------------------------------------------------------------------

  async function get(scope: MerchantScope, id: string): Promise<DisputeWithFiles> {
    const dispute = await loadMerchant(scope, id);
    const files = (await withFiles(pool, [dispute])).get(dispute.id) ?? [];
    return { dispute, files, at: await nowFor(dispute) };
  }

  async function list(
    scope: MerchantScope,
    filter: { status?: DisputeStatus; payment?: string; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<DisputeWithFiles>> {
    const rows = await keysetPage<DisputeRow>(pool, page, {
      from: "disputes",
      scope: "merchant_id = $1 AND livemode = $2",
      filter: `($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR payment_id = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.status ?? null,
        filter.payment ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const disputes = rows.data.map(disputeFromRow);
    const files = await withFiles(pool, disputes);
    const at = await testClocks.now(scope.merchantId, scope.livemode);
    return { ...rows, data: disputes.map((d) => ({ dispute: d, files: files.get(d.id) ?? [], at })) };
  }

  /**
   * POST /v1/disputes/{id}/evidence: saves the evidence given (a field given as "" is cleared; files are added),
   * and with submit: true sends it for review (status under_review). Only while the dispute needs a response and
   * before its due date. In test mode, submitted evidence whose explanation is "winning_evidence" or
   * "losing_evidence" is decided at once, as an operator would (docs/sandbox.md).
   */
  async function updateEvidence(
    scope: MerchantScope,
    id: string,
    input: EvidenceInput,
    answer?: AnswerRecorder<DisputeWithFiles>,
  ): Promise<DisputeWithFiles> {
    await loadMerchant(scope, id);
    for (const field of evidenceFields) {
      const value = input[field];
      if (value !== undefined && value.length > disputeEvidenceTextLengthMax) {
        throw new ApiError(
          "parameter_invalid",
          `${field} is at most ${disputeEvidenceTextLengthMax} characters.`,
          `evidence.${field}`,
        );
      }
    }
    const inspected = inspectAttachments(input.attachments ?? [], "attachments");
    const saved = await withTransaction(pool, async (tx) => {
      const dispute = (await load(tx, id, true))!;
      const at = await nowFor(dispute, tx);
      if (dispute.status !== "needs_response") {
        throw disputeError(
          "dispute_status_invalid",
          `Evidence is answered while the dispute needs a response; it is ${dispute.status}.`,
        );
      }
      if (at.getTime() > dispute.evidenceDueBy.getTime()) throw disputeError("dispute_evidence_past_due");
      const existing = (await withFiles(tx, [dispute])).get(dispute.id) ?? [];
      if (existing.length + inspected.length > disputeEvidenceFilesMax) {
        throw disputeError("dispute_files_limit_reached", undefined, "attachments");
      }
      const evidence: Evidence = { ...dispute.evidence };
      for (const field of evidenceFields) {
        const value = input[field];
        if (value === undefined) continue;
        const trimmed = value.trim();
        if (trimmed === "") delete evidence[field];
        else evidence[field] = trimmed;
      }
      const added = await storeAttachments(
        tx,
        deps.secrets,
        { livemode: dispute.livemode, disputeId: id },
        inspected,
        at,
      );
      const files = [...existing, ...added];
      const submit = input.submit === true;
      if (submit && Object.keys(evidence).length === 0 && files.length === 0) {
        throw disputeError("dispute_evidence_empty", undefined, "submit");
      }
      const updated = await tx.query<DisputeRow>(
        `UPDATE disputes SET evidence = $2, updated_at = $3,
                status = CASE WHEN $4 THEN 'under_review' ELSE status END,
                evidence_submitted_at = CASE WHEN $4 THEN $3 ELSE evidence_submitted_at END,
                due_at = CASE WHEN $4 THEN NULL ELSE due_at END
          WHERE id = $1 AND status = 'needs_response' RETURNING *`,
        [id, JSON.stringify(evidence), at, submit],
      );
      const after = disputeFromRow(updated.rows[0]!);
      const previous: Record<string, unknown> = {};
      if (submit) previous.status = dispute.status;
      if (JSON.stringify(evidence) !== JSON.stringify(dispute.evidence) || added.length > 0) {
        previous.evidence = disputeJson(dispute, existing, at).evidence;
      }
      if (Object.keys(previous).length > 0) {
        await recordDisputeEvent(tx, "dispute.updated", after, files, at, previous);
      }
      const value = { dispute: after, files, at };
      await answer?.(tx, value);
      return value;
    });
    const magic = saved.dispute.evidence.explanation;
    if (!saved.dispute.livemode && saved.dispute.status === "under_review") {
      if (magic === "winning_evidence" || magic === "losing_evidence") {
        await close(saved.dispute, magic === "winning_evidence" ? "won" : "lost", "sandbox", {
          expect: ["under_review"],
        });
      }
    }
    return saved;
  }

  /** POST /v1/disputes/{id}: merges metadata; dispute.updated when something changed. */
  async function update(
    scope: MerchantScope,
    id: string,
    input: { metadata?: Metadata },
    answer?: AnswerRecorder<DisputeWithFiles>,
  ): Promise<DisputeWithFiles> {
    if (!isId(id, "dp")) throw notFound();
    return withTransaction(pool, async (tx) => {
      const at = await testClocks.now(scope.merchantId, scope.livemode, tx);
      const result = await updateMetadata<DisputeRow>(tx, "disputes", scope, id, input.metadata, at);
      if (!result) throw notFound();
      const dispute = disputeFromRow(result.row);
      const files = (await withFiles(tx, [dispute])).get(id) ?? [];
      if (result.changed) {
        await recordDisputeEvent(tx, "dispute.updated", dispute, files, at, { metadata: result.previous });
      }
      const value = { dispute, files, at };
      await answer?.(tx, value);
      return value;
    });
  }

  /** POST /v1/disputes/{id}/close: the merchant accepts the dispute; it is lost at once and the payer paid. */
  async function accept(
    scope: MerchantScope,
    id: string,
    answer?: AnswerRecorder<DisputeWithFiles>,
  ): Promise<DisputeWithFiles> {
    const dispute = await loadMerchant(scope, id);
    return close(dispute, "lost", "accepted", { expect: openDisputeStatuses, answer });
  }

  // ---- closing --------------------------------------------------------------------------------------------------

  interface CloseOptions {
    expect: readonly DisputeStatus[];
    operatorId?: string;
    note?: string | null;
    /** The deadline worker: only while the evidence is past due at the merchant's now. */
    pastDueOnly?: boolean;
    answer?: AnswerRecorder<DisputeWithFiles>;
  }

  /**
   * Closes a dispute: won voids every hold (the money is the merchant's again, and the payment's amount_disputed
   * is given back), lost posts every hold (the money reaches the payer) and leaves what was not covered to the
   * funding worker. One ledger submission; its hook changes the dispute only if it still has the status and the
   * number of holds read here, else the submission is aborted and the dispute read again (a hold placed meanwhile
   * must be resolved too).
   */
  async function close(
    found: Dispute,
    to: "won" | "lost",
    closedBy: DisputeCloser,
    options: CloseOptions,
  ): Promise<DisputeWithFiles> {
    let dispute = found;
    for (let attempt = 1; ; attempt++) {
      if (!options.expect.includes(dispute.status)) {
        throw disputeError(
          "dispute_status_invalid",
          isOpen(dispute)
            ? `The dispute is ${dispute.status}; this needs it ${options.expect.join(" or ")}.`
            : `The dispute is closed: ${dispute.status}.`,
        );
      }
      const payer = await pool.query<{ email: string | null; locale: Locale; kind: string }>(
        "SELECT email, locale, kind FROM wallet_users WHERE id = $1",
        [dispute.payerId],
      );
      const contacts = await merchantContacts(pool, dispute.merchantId);
      const merchant = await pool.query<{ business_name: string }>(
        "SELECT business_name FROM merchants WHERE id = $1",
        [dispute.merchantId],
      );
      const transfers: TransferInput[] = [];
      for (let n = 0; n < dispute.holds; n++) {
        transfers.push(
          to === "won"
            ? {
                id: transferIdFor(dispute.id, "release", String(n)),
                voidPendingId: holdId(dispute.id, n),
                reference: dispute.id,
              }
            : {
                id: transferIdFor(dispute.id, "return", String(n)),
                postPendingId: holdId(dispute.id, n),
                reference: dispute.id,
              },
        );
      }
      const snapshot = dispute;
      let closed: DisputeWithFiles | undefined;
      try {
        await ledger.createTransfers(transfers, async (tx, results) => {
          closed = undefined;
          // Another close resolved the holds first (posted where we void, or the reverse): read the dispute again.
          if (!results.every((r) => isApplied(r.code))) throw new DisputeMoved();
          const at = await nowFor(snapshot, tx);
          const updated = await tx.query<DisputeRow>(
            `UPDATE disputes SET status = $2, closed_by = $3, closed_at = $4, updated_at = $4, due_at = NULL,
                    amount_returned = CASE WHEN $2 = 'lost' THEN amount_held ELSE 0 END, amount_held = 0,
                    funding_due_at = CASE WHEN $2 = 'lost' AND amount_held < amount THEN $5::timestamptz END,
                    decided_by = $6, decision_note = $7
              WHERE id = $1 AND status = ANY($8::text[]) AND holds = $9 AND (NOT $10 OR evidence_due_by <= $4)
              RETURNING *`,
            [
              snapshot.id,
              to,
              closedBy,
              at,
              deps.clock.now(),
              options.operatorId ?? null,
              options.note ?? null,
              options.expect,
              snapshot.holds,
              options.pastDueOnly === true,
            ],
          );
          if (updated.rowCount !== 1) throw new DisputeMoved();
          const after = disputeFromRow(updated.rows[0]!);
          if (to === "won") {
            await tx.query("UPDATE payments SET amount_disputed = amount_disputed - $2 WHERE id = $1", [
              after.paymentId,
              String(after.amount),
            ]);
          }
          const files = (await withFiles(tx, [after])).get(after.id) ?? [];
          await recordDisputeEvent(tx, "dispute.closed", after, files, at, { status: snapshot.status });
          const amount = money(after.amount, after.currency);
          for (const contact of contacts) {
            const words = merchantOutcomes[contact.locale][to];
            await deps.notifications.enqueueDeferred(tx, {
              channel: "email",
              to: contact.email,
              template: disputeClosedTemplate,
              locale: contact.locale,
              vars: {
                payment_id: after.paymentId,
                mode: modeName(after.livemode, contact.locale),
                amount,
                outcome: words.outcome,
                detail: words.detail,
                link: `${deps.payments.links.base}/disputes/${after.id}`,
              },
              merchantId: after.merchantId,
              dedupeKey: `dispute:closed:${after.id}:${contact.userId}`,
            });
          }
          const person = payer.rows[0];
          if (person?.email) {
            const words = payerOutcomes[person.locale][to];
            await deps.notifications.enqueueDeferred(tx, {
              channel: "email",
              to: person.email,
              template: disputeClosedPayerTemplate,
              locale: person.locale,
              vars: {
                merchant: merchant.rows[0]?.business_name ?? "",
                amount,
                outcome: words.outcome,
                detail: words.detail,
                payment_id: after.paymentId,
              },
              walletUserId: after.payerId,
              dedupeKey: `dispute:closed:${after.id}:${after.payerId}`,
            });
          }
          const value = { dispute: after, files, at };
          await options.answer?.(tx, value);
          closed = value;
        });
      } catch (error) {
        if (!(error instanceof DisputeMoved)) throw error;
        const fresh = await load(pool, dispute.id);
        if (!fresh) throw error;
        if (options.pastDueOnly && fresh.status !== "needs_response") throw disputeError("dispute_status_invalid");
        if (attempt >= disputeCloseAttemptsMax) {
          throw new ApiError("service_unavailable", "The dispute kept changing; try again.");
        }
        dispute = fresh;
        continue;
      }
      if (!closed) throw new Error(`dispute ${dispute.id} was not closed`);
      deps.notifications.kick();
      return closed;
    }
  }

  // ---- the payer's side -----------------------------------------------------------------------------------------

  /** GET /v1/wallet/payments/{id}/dispute: the payer's dispute of their payment, or 404. */
  async function forPayer(payerId: string, paymentId: string): Promise<{ dispute: Dispute; merchantName: string }> {
    if (!isId(paymentId, "pay")) throw new ApiError("resource_not_found", "No such dispute.", "id");
    const found = await pool.query<DisputeRow & { business_name: string }>(
      `SELECT d.*, m.business_name FROM disputes d JOIN merchants m ON m.id = d.merchant_id
        WHERE d.payment_id = $1 AND d.payer_id = $2`,
      [paymentId, payerId],
    );
    const row = found.rows[0];
    if (!row) throw new ApiError("resource_not_found", "This payment has no dispute.", "id");
    return { dispute: disputeFromRow(row), merchantName: row.business_name };
  }

  // ---- operators ------------------------------------------------------------------------------------------------

  async function opsList(
    filter: { status?: DisputeStatus; livemode?: boolean },
    page: PageRequest,
  ): Promise<ListPage<DisputeWithFiles & { merchantName: string }>> {
    const rows = await keysetPage<DisputeRow & { business_name: string }>(pool, page, {
      from: "(SELECT d.*, m.business_name FROM disputes d JOIN merchants m ON m.id = d.merchant_id) AS listed",
      scope: "TRUE",
      filter: "($1::text IS NULL OR status = $1) AND ($2::boolean IS NULL OR livemode = $2)",
      params: [filter.status ?? null, filter.livemode ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    const disputes = rows.data.map(disputeFromRow);
    const files = await withFiles(pool, disputes);
    const at = deps.clock.now();
    return {
      ...rows,
      data: rows.data.map((row, i) => ({
        dispute: disputes[i]!,
        files: files.get(row.id) ?? [],
        at,
        merchantName: row.business_name,
      })),
    };
  }

  async function opsGet(id: string): Promise<DisputeWithFiles & { merchantName: string }> {
    const dispute = await load(pool, id);
    if (!dispute) throw notFound();
    const merchant = await pool.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
      dispute.merchantId,
    ]);
    const files = (await withFiles(pool, [dispute])).get(id) ?? [];
    return { dispute, files, at: await nowFor(dispute), merchantName: merchant.rows[0]?.business_name ?? "" };
  }

  /**
   * POST /v1/ops/disputes/{id}/decide: won (for the merchant: the hold is released) or lost (for the payer: the
   * held amount is paid to the payer). Only a dispute under review, i.e. with the merchant's evidence submitted.
   */
  async function decide(
    operatorId: string,
    id: string,
    input: { outcome?: string; note?: string },
    answer?: AnswerRecorder<DisputeWithFiles>,
  ): Promise<DisputeWithFiles> {
    const dispute = await load(pool, id);
    if (!dispute) throw notFound();
    if (input.outcome === undefined)
      throw new ApiError("parameter_missing", "Missing required parameter: outcome.", "outcome");
    if (input.outcome !== "won" && input.outcome !== "lost") {
      throw new ApiError("parameter_invalid", "outcome is won (for the merchant) or lost (for the payer).", "outcome");
    }
    return close(dispute, input.outcome, "operator", {
      expect: ["under_review"],
      operatorId,
      note: input.note?.trim() || null,
      answer,
    });
  }

  // ---- the workers ----------------------------------------------------------------------------------------------

  /**
   * The deadline pass: a dispute still needing a response after its due date (on the merchant's test clock in test
   * mode) is lost, closed_by no_response. Rows are claimed with a lease (due_at moves forward) under FOR UPDATE SKIP
   * LOCKED, so several workers share the work; the close itself is conditional, so evidence submitted at the last
   * moment wins over the worker. onlyMerchant: that merchant's test-mode disputes (advance_time's own pass).
   */
  async function runDeadlines(limit = disputeWorkerBatchMax, onlyMerchant?: string): Promise<number> {
    const testDue = (merchant?: string) =>
      testClockDueSql({ table: "disputes", dueColumn: "due_at", now: "$1", limit: "$3", merchant });
    const claimed = await pool.query<DisputeRow>(
      `UPDATE disputes d SET due_at = $2::timestamptz + ${testOffsetSql("d.merchant_id", "d.livemode")}
        WHERE ${
          onlyMerchant === undefined
            ? `d.id IN (SELECT id FROM disputes WHERE due_at <= $1 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               OR d.id IN (${testDue()})`
            : `d.id IN (${testDue("$4")})`
        }
        RETURNING d.*`,
      [
        deps.clock.now(),
        new Date(deps.clock.now().getTime() + disputeDeadlineLeaseMs),
        limit,
        ...(onlyMerchant ? [onlyMerchant] : []),
      ],
    );
    for (const row of claimed.rows) {
      const dispute = disputeFromRow(row);
      try {
        await close(dispute, "lost", "no_response", { expect: ["needs_response"], pastDueOnly: true });
      } catch (error) {
        if (error instanceof ApiError && error.code === "dispute_status_invalid") continue; // answered in time
        deps.log?.error({ err: error, dispute: dispute.id }, "closing a dispute past its due date failed");
      }
    }
    return claimed.rows.length;
  }

  /**
   * The funding pass: for a dispute the merchant's balance did not cover, hold more as money arrived (open), or
   * pay the payer more (lost), as far as the available balance goes; try again in disputeFundingRetryMs.
   */
  async function runFunding(limit = disputeWorkerBatchMax): Promise<number> {
    const now = deps.clock.now();
    const claimed = await pool.query<DisputeRow>(
      `UPDATE disputes SET funding_due_at = $2
        WHERE id IN (SELECT id FROM disputes WHERE funding_due_at <= $1 ORDER BY funding_due_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, new Date(now.getTime() + disputeFundingRetryMs), limit],
    );
    for (const row of claimed.rows) {
      try {
        await fund(disputeFromRow(row));
      } catch (error) {
        deps.log?.error({ err: error, dispute: row.id }, "covering a dispute failed");
      }
    }
    return claimed.rows.length;
  }

  async function fund(dispute: Dispute): Promise<void> {
    const lost = dispute.status === "lost";
    if (!lost && !isOpen(dispute)) return;
    const remaining = dispute.amount - (lost ? dispute.amountReturned : dispute.amountHeld);
    if (remaining <= 0n) return;
    const merchantAccount = await deps.payments.accounts.merchantAccountId(
      dispute.merchantId,
      dispute.livemode,
      dispute.currency,
    );
    const account = await ledger.getAccount(merchantAccount);
    const available = account ? balanceOf(account).available : 0n;
    if (available <= 0n) return;
    const amount = available < remaining ? available : remaining;
    const walletAccount = await deps.wallets.accounts.walletAccountId(
      { id: dispute.payerId, livemode: dispute.livemode },
      dispute.currency,
    );
    const n = lost ? dispute.recoveries : dispute.holds;
    const transfer: TransferInput = {
      id: lost ? transferIdFor(dispute.id, "recover", String(n)) : holdId(dispute.id, n),
      debitAccountId: merchantAccount,
      creditAccountId: walletAccount,
      amount,
      code: lost ? "dispute_recovery" : "dispute_hold",
      reference: dispute.id,
      ...(lost ? {} : { pending: true }),
    };
    await ledger
      .createTransfers([transfer], async (tx, results) => {
        if (!results[0] || !isApplied(results[0].code)) return; // the balance went elsewhere first: next time
        const at = await nowFor(dispute, tx);
        const updated = await tx.query<DisputeRow>(
          lost
            ? `UPDATE disputes SET recoveries = recoveries + 1, amount_returned = amount_returned + $2, updated_at = $3,
                    funding_due_at = CASE WHEN amount_returned + $2 < amount THEN funding_due_at END
              WHERE id = $1 AND status = 'lost' AND recoveries = $4 RETURNING *`
            : `UPDATE disputes SET holds = holds + 1, amount_held = amount_held + $2, updated_at = $3,
                    funding_due_at = CASE WHEN amount_held + $2 < amount THEN funding_due_at END
              WHERE id = $1 AND status IN ('needs_response', 'under_review') AND holds = $4 RETURNING *`,
          [dispute.id, String(amount), at, n],
        );
        if (updated.rowCount !== 1) throw new DisputeMoved(); // closed or covered meanwhile: move nothing
        const after = disputeFromRow(updated.rows[0]!);
        const files = (await withFiles(tx, [after])).get(after.id) ?? [];
        await recordDisputeEvent(
          tx,
          "dispute.updated",
          after,
          files,
          at,
          lost ? { amount_returned: String(dispute.amountReturned) } : { amount_held: String(dispute.amountHeld) },
        );
      })
      .catch((error: unknown) => {
        if (!(error instanceof DisputeMoved)) throw error;
      });
  }

  /** What a merchant's open disputes hold, by currency (the balance's `disputed`). */
  async function heldByCurrency(scope: MerchantScope): Promise<Map<string, bigint>> {
    const found = await pool.query<{ currency: string; held: string }>(
      `SELECT currency, sum(amount_held)::text AS held FROM disputes
        WHERE merchant_id = $1 AND livemode = $2 AND status IN ('needs_response', 'under_review')
        GROUP BY currency`,
      [scope.merchantId, scope.livemode],
    );
    return new Map(found.rows.map((r) => [r.currency, BigInt(r.held)]));
  }

  return {
    openAsPayer,
    openForTest,
    get,
    list,
    updateEvidence,
    update,
    accept,
    forPayer,
    opsList,
    opsGet,
    decide,
    runDeadlines,
    runFunding,
    heldByCurrency,
  };
}
