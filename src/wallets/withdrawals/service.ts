import type { Queryable } from "../../db/pool.js";
import { parseAmount } from "../../http/amount.js";
import { ApiError } from "../../http/errors.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { isId, newId } from "../../ids.js";
import { formatMinorUnits } from "../../ledger/currencies.js";
import { isApplied } from "../../ledger/errors.js";
import { transferIdFor } from "../../ledger/model.js";
import type { WalletAccounts } from "../accounts.js";
import {
  type BankOperation,
  type BankOutcome,
  insertBankOperation,
  markBankOperationFinal,
} from "../bank/operations.js";
import type { BankSettlement } from "../bank/settlement.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { recordWalletEvent } from "../events.js";
import type { WalletFunding } from "../funding/service.js";
import type { KeyedQueue } from "../limits/serialize.js";
import { consumeSpend, precheckSpend, releaseSpend, spendPeriods } from "../limits/spend.js";
import { assertNotFrozen, assertPerPayment, limitsOf } from "../limits/tiers.js";
import { withdrawalFailedTemplate } from "../messages.js";
import type { StepUpProof, WalletStepUp } from "../stepup/service.js";
import type { WalletUserService } from "../users/service.js";
import { getWalletUser, messageTarget } from "../users/store.js";
import { type Withdrawal, type WithdrawalRow, withdrawalFromRow, withdrawalJson } from "./model.js";

/**
 * Withdrawals: money paid out to a linked bank account. At once, a ledger hold moves the amount from the wallet
 * toward the connector's bank settlement account (the wallet's available balance drops; nothing is posted). When
 * the bank confirms, the hold is posted; when it fails, the hold is voided and the money is back, and the amount
 * no longer counts against the daily and monthly limits. Each step writes its record and event with the money.
 */
export interface CreateWithdrawalInput {
  fundingSourceId: string;
  amount: unknown;
  currency?: string;
  stepUp?: StepUpProof;
}

export type WalletWithdrawals = ReturnType<typeof createWalletWithdrawals>;

export function createWalletWithdrawals(
  deps: WalletDeps & {
    users: WalletUserService;
    accounts: WalletAccounts;
    funding: WalletFunding;
    bank: BankSettlement;
    stepUp: WalletStepUp;
    spendQueue: KeyedQueue;
  },
) {
  const { pool, clock, ledger } = deps;

  /** answer: stores the request's answer (the pending withdrawal) with its hold (answerWithEffect). */
  async function create(
    userId: string,
    input: CreateWithdrawalInput,
    ip: string | null,
    answer?: AnswerRecorder<Withdrawal>,
  ): Promise<Withdrawal> {
    const user = await deps.users.get(userId);
    const amount = parseAmount(input.amount);
    assertNotFrozen(user);
    const source = await deps.funding.usable(userId, input.fundingSourceId, "funding_source");
    if (input.currency !== undefined && input.currency !== source.currency) {
      throw walletError("funding_source_currency_mismatch", undefined, "currency");
    }
    const currency = source.currency;
    const limits = limitsOf(deps.config, user, currency);
    assertPerPayment(limits, amount);
    const [wallet, settlement] = await Promise.all([
      deps.accounts.walletAccountId(user, currency),
      deps.accounts.settlementAccountId(user.livemode, currency, source.connector),
    ]);
    const now = clock.now();
    const spend = { userId: user.id, currency, amount, periods: spendPeriods(now) };
    await precheckSpend(pool, spend, limits);
    await deps.stepUp.require(user, amount, currency, input.stepUp, ip);

    const id = newId("wd");
    const holdId = transferIdFor(id, "hold");
    const [result] = await deps.spendQueue.run(user.id, async () => {
      await precheckSpend(pool, spend, limits);
      return ledger.createTransfers(
        [
          {
            id: holdId,
            debitAccountId: wallet,
            creditAccountId: settlement,
            amount,
            pending: true,
            code: "withdrawal",
            reference: id,
          },
        ],
        async (tx, [applied]) => {
          if (!applied || !isApplied(applied.code)) return;
          await assertStillActive(tx, user.id);
          await consumeSpend(tx, spend, limits);
          const inserted = await tx.query<WithdrawalRow>(
            `INSERT INTO wallet_withdrawals (id, wallet_user_id, livemode, funding_source_id, currency, amount,
                                             status, hold_transfer_id, spend_day, spend_month, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $10) RETURNING *`,
            [
              id,
              user.id,
              user.livemode,
              source.id,
              currency,
              String(amount),
              holdId,
              spend.periods.day,
              spend.periods.month,
              now,
            ],
          );
          await insertBankOperation(
            tx,
            {
              id,
              kind: "credit",
              connector: source.connector,
              livemode: user.livemode,
              walletUserId: user.id,
              fundingSourceId: source.id,
              amount,
              currency,
            },
            now,
          );
          const created = withdrawalFromRow(inserted.rows[0]!);
          await recordWalletEvent(tx, user, "withdrawal.created", withdrawalJson(created), now);
          await answer?.(tx, created);
        },
      );
    });
    if (result?.code === "exceeds_credits") throw walletError("insufficient_funds", undefined, "amount");
    if (!result || !isApplied(result.code)) throw new Error(`the ledger refused withdrawal ${id}: ${result?.code}`);
    await deps.bank.dispatch(id);
    return get(userId, id);
  }

  async function get(userId: string, id: string): Promise<Withdrawal> {
    if (!isId(id, "wd")) throw new ApiError("resource_not_found", "No such withdrawal.", "id");
    const found = await pool.query<WithdrawalRow>(
      "SELECT * FROM wallet_withdrawals WHERE id = $1 AND wallet_user_id = $2",
      [id, userId],
    );
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such withdrawal.", "id");
    return withdrawalFromRow(found.rows[0]);
  }

  /** The bank's final answer: post the hold (paid out) or void it (money back). Safe to call twice. */
  async function completeFromBank(op: BankOperation, outcome: BankOutcome): Promise<void> {
    const found = await pool.query<WithdrawalRow>("SELECT * FROM wallet_withdrawals WHERE id = $1", [op.id]);
    if (!found.rows[0]) throw new Error(`withdrawal ${op.id} of a bank operation is missing`);
    const withdrawal = withdrawalFromRow(found.rows[0]);
    const user = { id: withdrawal.walletUserId, livemode: withdrawal.livemode };
    const succeeded = outcome.status === "succeeded";
    const now = clock.now();
    const [result] = await ledger.createTransfers(
      [
        succeeded
          ? {
              id: transferIdFor(withdrawal.id, "post"),
              postPendingId: withdrawal.holdTransferId,
              reference: withdrawal.id,
            }
          : {
              id: transferIdFor(withdrawal.id, "void"),
              voidPendingId: withdrawal.holdTransferId,
              reference: withdrawal.id,
            },
      ],
      async (tx, [applied]) => {
        if (!applied || !isApplied(applied.code)) return;
        const updated = await tx.query<WithdrawalRow>(
          `UPDATE wallet_withdrawals SET status = $2, failure_code = $3, failure_message = $4, updated_at = $5,
                  completed_at = $5 WHERE id = $1 AND status = 'pending' RETURNING *`,
          [
            withdrawal.id,
            outcome.status,
            outcome.status === "failed" ? outcome.code : null,
            outcome.status === "failed" ? outcome.message : null,
            now,
          ],
        );
        if (applied.code === "ok" && !updated.rows[0]) {
          throw new Error(`withdrawal ${withdrawal.id} is no longer pending; refusing to resolve its hold`);
        }
        await markBankOperationFinal(tx, op.id, outcome, now);
        const after = updated.rows[0] && withdrawalFromRow(updated.rows[0]);
        if (!after) return;
        if (outcome.status === "failed") {
          await releaseSpend(tx, {
            userId: after.walletUserId,
            currency: after.currency,
            amount: after.amount,
            periods: after.periods,
          });
          await notifyFailure(tx, after, outcome.message);
        }
        await recordWalletEvent(
          tx,
          user,
          succeeded ? "withdrawal.succeeded" : "withdrawal.failed",
          withdrawalJson(after),
          now,
          { status: "pending" },
        );
      },
    );
    if (!result || !isApplied(result.code)) {
      throw new Error(`the ledger refused to resolve withdrawal ${withdrawal.id}: ${result?.code}`);
    }
    if (!succeeded) deps.notifications.kick();
  }

  async function assertStillActive(tx: Queryable, userId: string): Promise<void> {
    const user = await getWalletUser(tx, userId);
    if (!user || user.frozenAt !== null) throw walletError("wallet_frozen");
  }

  async function notifyFailure(tx: Queryable, withdrawal: Withdrawal, reason: string): Promise<void> {
    const user = await getWalletUser(tx, withdrawal.walletUserId);
    const source = await tx.query<{ last4: string }>("SELECT last4 FROM wallet_funding_sources WHERE id = $1", [
      withdrawal.fundingSourceId,
    ]);
    const currency = deps.currencies.get(withdrawal.currency);
    if (!user || !currency) return;
    await deps.notifications.enqueue(tx, {
      ...messageTarget(user),
      template: withdrawalFailedTemplate,
      locale: user.locale,
      vars: {
        amount: formatMinorUnits(withdrawal.amount, currency),
        currency: withdrawal.currency,
        last4: source.rows[0]?.last4 ?? "",
        reason,
      },
      walletUserId: user.id,
      dedupeKey: `withdrawal_failed:${withdrawal.id}`,
    });
  }

  return { create, get, completeFromBank };
}
