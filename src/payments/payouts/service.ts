import { updateMetadata } from "../../db/metadata-update.js";
import { withTransaction } from "../../db/tx.js";
import { recordEvent } from "../../events/outbox.js";
import { parseAmount } from "../../http/amount.js";
import type { MerchantScope } from "../../http/auth.js";
import type { CreatedRange } from "../../http/created-filter.js";
import { ApiError } from "../../http/errors.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { type Metadata, metadataOf } from "../../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../../http/pagination.js";
import { isId, newId } from "../../ids.js";
import { isApplied } from "../../ledger/errors.js";
import { balanceOf, transferIdFor } from "../../ledger/model.js";
import {
  payoutBatchMax,
  payoutLeaseMs,
  payoutRetryBaseMs,
  payoutRetryMaxMs,
  payoutScheduleBatchMax,
} from "../../limits.js";
import { kybAad, kybRowOfMerchant } from "../../merchants/kyb-records.js";
import { testClockDueSql, testOffsetSql } from "../../sandbox/test-clock.js";
import type { BankInstruction, BankUpdate } from "../../wallets/bank/connector.js";
import type { BankConnectorName } from "../../wallets/config.js";
import type { PaymentContext } from "../deps.js";
import { paymentError } from "../errors.js";
import { payoutFailureCode } from "../failure-codes.js";
import {
  destinationAad,
  type Payout,
  type PayoutRow,
  type PayoutSchedule,
  payoutColumns,
  payoutFromRow,
  payoutJson,
} from "./model.js";

/**
 * Payouts: a merchant's available balance paid out to its settlement bank account (the one in its business
 * verification) through a bank connector of src/wallets/bank. At once the amount is held merchant → the connector's
 * bank settlement account (the merchant's available balance drops; nothing is posted yet); the connector is asked to
 * credit the bank account; when the bank confirms, the hold is posted (paid), when it fails, the hold is voided and
 * the money is available again (failed). Each step writes the payout and its event in the ledger hook.
 *
 * The payout worker submits what could not be submitted at once and asks the bank about submitted payouts when they
 * are due, claiming rows with a lease (FOR UPDATE SKIP LOCKED), so several processes can run it; every completion is
 * idempotent (deterministic transfer ids, a conditional status update). A daily schedule pays out each currency's
 * whole available balance once a UTC day.
 */
export interface CreatePayoutInput {
  amount: unknown;
  currency: string;
  description?: string;
  metadata?: Metadata;
}

export type PayoutService = ReturnType<typeof createPayoutService>;

export function createPayoutService(ctx: PaymentContext) {
  const { pool, clock, ledger, accounts, secrets } = ctx;

  /** Test mode always pays out through the sandbox bank; live mode through the deployment's connector. */
  function connectorFor(livemode: boolean): BankConnectorName {
    if (!livemode) return "sandbox";
    const name = ctx.wallets.config.bankConnector;
    // The file connector's export (coffer bank export) lists wallet instructions only, so a payout would wait forever.
    if (name === "file") throw paymentError("payout_connector_unavailable");
    return name;
  }

  async function destinationOf(scope: MerchantScope) {
    const kyb = await kybRowOfMerchant(pool, scope.merchantId);
    if (!kyb?.bank_account_number_enc || !kyb.bank_account_holder || !kyb.bank_name) {
      throw paymentError("payout_account_missing");
    }
    if (scope.livemode && kyb.state !== "approved") throw paymentError("payout_account_unverified");
    return {
      holder: kyb.bank_account_holder,
      bank: kyb.bank_name,
      last4: kyb.bank_account_number_last4 ?? "",
      accountNumber: await secrets.decryptString(
        kyb.bank_account_number_enc,
        kybAad("bank_account_number_enc", kyb.id),
      ),
    };
  }

  async function create(
    scope: MerchantScope,
    input: CreatePayoutInput,
    options: { scheduledFor?: string } = {},
    answer?: AnswerRecorder<Payout>,
  ): Promise<Payout> {
    const amount = parseAmount(input.amount);
    const metadata = metadataOf(input.metadata);
    if (!ctx.currencies.has(input.currency)) {
      throw paymentError("currency_not_supported", undefined, "currency");
    }
    const currency = input.currency;
    const connector = connectorFor(scope.livemode);
    const destination = await destinationOf(scope);
    const merchantAccount = await accounts.existingMerchantAccountId(scope.merchantId, scope.livemode, currency);
    if (merchantAccount === undefined) throw paymentError("balance_insufficient", undefined, "amount");
    const settlement = await ctx.wallets.accounts.settlementAccountId(scope.livemode, currency, connector);
    const id = newId("po");
    const holdId = transferIdFor(id, "hold");
    const destinationEnc = await secrets.encrypt(destination.accountNumber, destinationAad(id));

    let created: Payout | undefined;
    const [result] = await ledger.createTransfers(
      [
        {
          id: holdId,
          debitAccountId: merchantAccount,
          creditAccountId: settlement,
          amount,
          pending: true,
          code: "payout",
          reference: id,
        },
      ],
      async (tx, [applied]) => {
        created = undefined; // a retried batch runs the hook again
        if (!applied || !isApplied(applied.code)) return;
        const now = await ctx.testClocks.now(scope.merchantId, scope.livemode, tx);
        const inserted = await tx.query<PayoutRow>(
          `INSERT INTO payouts AS p (id, merchant_id, livemode, amount, currency, status, automatic, scheduled_for,
                                     description, connector, hold_transfer_id, destination_holder, destination_bank,
                                     destination_account_enc, destination_last4, next_attempt_at, created_at, updated_at,
                                     metadata)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, $16)
           RETURNING ${payoutColumns}`,
          [
            id,
            scope.merchantId,
            scope.livemode,
            String(amount),
            currency,
            options.scheduledFor !== undefined,
            options.scheduledFor ?? null,
            input.description ?? null,
            connector,
            holdId,
            destination.holder,
            destination.bank,
            destinationEnc,
            destination.last4,
            now,
            JSON.stringify(metadata),
          ],
        );
        created = payoutFromRow(inserted.rows[0]!);
        await recordEvent(
          tx,
          {
            type: "payout.created",
            merchantId: scope.merchantId,
            livemode: scope.livemode,
            object: payoutJson(created),
          },
          now,
        );
        await answer?.(tx, created);
      },
    );
    if (result?.code === "exceeds_credits") throw paymentError("balance_insufficient", undefined, "amount");
    if (!result || !isApplied(result.code) || !created) {
      throw new Error(`the ledger refused payout ${id}: ${result?.code}`);
    }
    await dispatch(id);
    return get(scope, id);
  }

  /** POST /v1/payouts/{id}: merges metadata (src/http/metadata.ts); payout.updated when something changed. */
  async function update(
    scope: MerchantScope,
    id: string,
    input: { metadata?: Metadata },
    answer?: AnswerRecorder<Payout>,
  ): Promise<Payout> {
    const notFound = () => new ApiError("resource_not_found", "No such payout.", "id");
    if (!isId(id, "po")) throw notFound();
    return withTransaction(pool, async (tx) => {
      const now = await ctx.testClocks.now(scope.merchantId, scope.livemode, tx);
      const columns = "t.*, t.scheduled_for::text AS scheduled_for";
      const result = await updateMetadata<PayoutRow>(tx, "payouts", scope, id, input.metadata, now, columns);
      if (!result) throw notFound();
      const payout = payoutFromRow(result.row);
      if (result.changed) {
        await recordEvent(
          tx,
          {
            type: "payout.updated",
            merchantId: payout.merchantId,
            livemode: payout.livemode,
            object: payoutJson(payout),
            previousAttributes: { metadata: result.previous },
          },
          now,
        );
      }
      await answer?.(tx, payout);
      return payout;
    });
  }

  async function get(scope: MerchantScope, id: string): Promise<Payout> {
    const notFound = new ApiError("resource_not_found", "No such payout.", "id");
    if (!isId(id, "po")) throw notFound;
    const found = await pool.query<PayoutRow>(
      `SELECT ${payoutColumns} FROM payouts p WHERE p.id = $1 AND p.merchant_id = $2 AND p.livemode = $3`,
      [id, scope.merchantId, scope.livemode],
    );
    if (!found.rows[0]) throw notFound;
    return payoutFromRow(found.rows[0]);
  }

  async function list(
    scope: MerchantScope,
    filter: { status?: string; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<Payout>> {
    const rows = await keysetPage<PayoutRow>(pool, page, {
      from: "payouts p",
      columns: payoutColumns,
      scope: "p.merchant_id = $1 AND p.livemode = $2",
      filter: `($3::text IS NULL OR p.status = $3)
          AND ($4::timestamptz IS NULL OR p.created_at >= $4) AND ($5::timestamptz IS NULL OR p.created_at < $5)`,
      params: [
        scope.merchantId,
        scope.livemode,
        filter.status ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, payoutFromRow);
  }

  async function instructionFor(payout: Payout): Promise<BankInstruction> {
    return {
      id: payout.id,
      kind: "credit",
      livemode: payout.livemode,
      amount: payout.amount,
      currency: payout.currency,
      account: {
        holderName: payout.destinationHolder,
        bankCode: payout.destinationBank,
        accountNumber: await secrets.decryptString(payout.destinationAccountEnc, destinationAad(payout.id)),
      },
      submittedAt: payout.submittedAt,
      failedCalls: payout.failedCalls,
      bankReference: payout.bankReference,
    };
  }

  /** The bank's final answer: post the hold (paid) or void it (failed). Safe to call twice. */
  async function complete(payout: Payout, outcome: Exclude<BankUpdate, { status: "pending" }>): Promise<void> {
    const paid = outcome.status === "succeeded";
    const [result] = await ledger.createTransfers(
      [
        paid
          ? { id: transferIdFor(payout.id, "post"), postPendingId: payout.holdTransferId, reference: payout.id }
          : { id: transferIdFor(payout.id, "void"), voidPendingId: payout.holdTransferId, reference: payout.id },
      ],
      async (tx, [applied]) => {
        if (!applied || !isApplied(applied.code)) return;
        const now = await ctx.testClocks.now(payout.merchantId, payout.livemode, tx);
        const updated = await tx.query<PayoutRow>(
          `UPDATE payouts p SET status = $2, failure_code = $3, failure_message = $4,
                  bank_reference = coalesce($5, bank_reference), completed_at = $6, updated_at = $6,
                  next_attempt_at = NULL, locked_until = NULL
            WHERE id = $1 AND status = 'pending' RETURNING ${payoutColumns}`,
          [
            payout.id,
            paid ? "paid" : "failed",
            paid ? null : payoutFailureCode(outcome.code),
            paid ? null : outcome.message,
            outcome.bankReference ?? null,
            now,
          ],
        );
        const after = updated.rows[0] && payoutFromRow(updated.rows[0]);
        if (!after) {
          if (applied.code === "ok") throw new Error(`payout ${payout.id} is no longer pending; its hold stays`);
          return;
        }
        await recordEvent(
          tx,
          {
            type: paid ? "payout.paid" : "payout.failed",
            merchantId: after.merchantId,
            livemode: after.livemode,
            object: payoutJson(after),
            previousAttributes: { status: "pending" },
          },
          now,
        );
        if (!paid) await ctx.onPayoutFailed?.(tx, after);
      },
    );
    if (!result || !isApplied(result.code)) {
      throw new Error(`the ledger refused to finish payout ${payout.id}: ${result?.code}`);
    }
    if (!paid) ctx.notifications.kick(); // the merchant's "payout failed" mail, queued with the failure
  }

  async function retryLater(payout: Payout, error: unknown): Promise<void> {
    const failedCalls = payout.failedCalls + 1;
    const delay = Math.min(payoutRetryBaseMs * 2 ** (failedCalls - 1), payoutRetryMaxMs);
    const message = String((error as Error).message ?? error).slice(0, 500);
    await pool.query(
      `UPDATE payouts SET failed_calls = $2, last_error = $3, next_attempt_at = $4, locked_until = NULL
        WHERE id = $1 AND status = 'pending'`,
      [payout.id, failedCalls, message, new Date((await payoutNow(payout)).getTime() + delay)],
    );
    ctx.log.warn({ payout: payout.id, err: message, retryInMs: delay }, "payout bank call failed");
  }

  /** The time a payout lives in: its merchant's test clock in test mode (the sandbox bank settles on it too). */
  function payoutNow(payout: Payout): Promise<Date> {
    return ctx.testClocks.now(payout.merchantId, payout.livemode);
  }

  /** One step of one claimed payout: submit it to the bank, or ask the bank about it. */
  async function step(payout: Payout): Promise<void> {
    const connector = ctx.wallets.bank.connectors[payout.connector];
    try {
      const instruction = { ...(await instructionFor(payout)), at: await payoutNow(payout) };
      const update = payout.submittedAt ? await connector.status(instruction) : await connector.credit(instruction);
      if (update.status === "pending") {
        await pool.query(
          `UPDATE payouts SET submitted_at = coalesce(submitted_at, $2), next_attempt_at = $3,
                  bank_reference = coalesce($4, bank_reference), locked_until = NULL, updated_at = $2
            WHERE id = $1 AND status = 'pending'`,
          [payout.id, instruction.at, update.nextCheckAt, update.bankReference ?? null],
        );
        return;
      }
      await complete(payout, update);
    } catch (error) {
      await retryLater(payout, error).catch((e: unknown) => ctx.log.error({ err: e }, "payout retry not scheduled"));
    }
  }

  /** Submits a new payout right after it committed; never throws (the worker retries what fails here). */
  async function dispatch(id: string): Promise<void> {
    const now = clock.now();
    try {
      const claimed = await pool.query<PayoutRow>(
        `UPDATE payouts p SET locked_until = $2
          WHERE id = $1 AND status = 'pending' AND submitted_at IS NULL AND (locked_until IS NULL OR locked_until < $3)
          RETURNING ${payoutColumns}`,
        [id, new Date(now.getTime() + payoutLeaseMs), now],
      );
      if (claimed.rows[0]) await step(payoutFromRow(claimed.rows[0]));
    } catch (error) {
      ctx.log.error({ err: error, payout: id }, "payout dispatch failed; the payout worker retries");
    }
  }

  /**
   * One pass of the payout worker: every payout due now (next_attempt_at on the system clock, or on the merchant's
   * test clock in test mode; the lease is real time). onlyMerchant restricts it to one merchant's test-mode payouts.
   * Returns how many it looked at.
   */
  async function runDue(limit = payoutBatchMax, onlyMerchant?: string): Promise<number> {
    const now = clock.now();
    const unleased = "status = 'pending' AND (locked_until IS NULL OR locked_until < $1)";
    const testDue = testClockDueSql({
      table: "payouts",
      dueColumn: "next_attempt_at",
      condition: "x.status = 'pending' AND (x.locked_until IS NULL OR x.locked_until < $1)",
      now: "$1",
      limit: "$3",
      merchant: onlyMerchant === undefined ? undefined : "$4",
    });
    const claimed = await pool.query<PayoutRow>(
      `UPDATE payouts p SET locked_until = $2
        WHERE ${
          onlyMerchant === undefined
            ? `p.id IN (SELECT id FROM payouts WHERE ${unleased} AND next_attempt_at <= $1
                         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               OR p.id IN (${testDue})`
            : `p.id IN (${testDue})`
        }
        RETURNING ${payoutColumns}`,
      [now, new Date(now.getTime() + payoutLeaseMs), limit, ...(onlyMerchant === undefined ? [] : [onlyMerchant])],
    );
    for (const row of claimed.rows) await step(payoutFromRow(row));
    return claimed.rows.length;
  }

  async function schedule(scope: MerchantScope): Promise<PayoutSchedule> {
    const found = await pool.query<{ schedule: PayoutSchedule }>(
      "SELECT schedule FROM payout_schedules WHERE merchant_id = $1 AND livemode = $2",
      [scope.merchantId, scope.livemode],
    );
    return found.rows[0]?.schedule ?? "manual";
  }

  async function setSchedule(scope: MerchantScope, value: PayoutSchedule): Promise<PayoutSchedule> {
    await pool.query(
      `INSERT INTO payout_schedules (merchant_id, livemode, schedule, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (merchant_id, livemode) DO UPDATE SET schedule = $3, updated_at = $4`,
      [scope.merchantId, scope.livemode, value, await ctx.testClocks.now(scope.merchantId, scope.livemode)],
    );
    return value;
  }

  /**
   * One pass of the daily schedule: for each merchant on it, each currency with an available balance and no
   * scheduled payout today (UTC), one payout of the whole available balance. Merchants without a usable settlement
   * account are not even looked at (they would fail every pass). A unique index makes a day's payout once-only
   * across processes. Returns how many payouts it made.
   */
  async function runSchedule(limit = payoutScheduleBatchMax, onlyMerchant?: string): Promise<number> {
    // "Today" is the UTC day of each merchant's own clock (a test merchant's test clock may be days ahead).
    const due = await pool.query<{
      merchant_id: string;
      livemode: boolean;
      currency: string;
      ledger_account_id: bigint;
      day: string;
    }>(
      `SELECT * FROM (
         SELECT a.merchant_id, a.livemode, a.currency, a.ledger_account_id,
                to_char(($1::timestamptz + ${testOffsetSql("a.merchant_id", "a.livemode")}) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
           FROM payout_schedules s JOIN merchant_balance_accounts a USING (merchant_id, livemode)
           JOIN ledger_accounts l ON l.id = a.ledger_account_id
           JOIN kyb_applications k ON k.merchant_id = a.merchant_id
          WHERE s.schedule = 'daily' AND l.credits_posted - l.debits_posted - l.debits_pending > 0
            AND k.bank_account_number_enc IS NOT NULL AND (NOT a.livemode OR k.state = 'approved')
            AND ($3::text IS NULL OR (a.merchant_id = $3 AND NOT a.livemode))) c
        WHERE NOT EXISTS (SELECT 1 FROM payouts p WHERE p.merchant_id = c.merchant_id AND p.livemode = c.livemode
                             AND p.currency = c.currency AND p.scheduled_for = c.day::date)
        ORDER BY c.merchant_id, c.livemode, c.currency LIMIT $2`,
      [clock.now(), limit, onlyMerchant ?? null],
    );
    let made = 0;
    for (const row of due.rows) {
      const day = row.day;
      const account = await ledger.getAccount(row.ledger_account_id);
      const available = account ? balanceOf(account).available : 0n;
      if (available <= 0n) continue;
      try {
        await create(
          { merchantId: row.merchant_id, livemode: row.livemode },
          { amount: available, currency: row.currency, description: `Daily payout ${day}` },
          { scheduledFor: day },
        );
        made++;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Another process made today's payout (unique index), or the balance moved meanwhile: nothing to do.
        if (code === "23505" || code === "balance_insufficient") continue;
        ctx.log.warn({ err: error, merchant: row.merchant_id, currency: row.currency }, "scheduled payout skipped");
      }
    }
    return made;
  }

  return { create, update, get, list, runDue, runSchedule, schedule, setSchedule };
}
