import { withTransaction } from "../../db/tx.js";
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
import { assertWithinCap } from "../limits/cap.js";
import { assertNotFrozen, limitsOf } from "../limits/tiers.js";
import { topUpFailedTemplate } from "../messages.js";
import type { WalletUserService } from "../users/service.js";
import { getWalletUser, messageTarget } from "../users/store.js";
import { type TopUp, type TopUpRow, topUpFromRow, topUpJson } from "./model.js";

/**
 * Top-ups: money pulled from a linked bank account into the wallet. A top-up is pending (nothing in the wallet
 * yet, but it counts against the balance cap) until the bank confirms; then one ledger transfer moves the amount
 * from the connector's bank settlement account to the wallet, in the same transaction as the status change and
 * its event. A bank failure fails the top-up and moves nothing.
 */
export interface CreateTopUpInput {
  fundingSourceId: string;
  amount: unknown;
  currency?: string;
}

export type WalletTopUps = ReturnType<typeof createWalletTopUps>;

export function createWalletTopUps(
  deps: WalletDeps & {
    users: WalletUserService;
    accounts: WalletAccounts;
    funding: WalletFunding;
    bank: BankSettlement;
  },
) {
  const { pool, clock, ledger } = deps;

  /**
   * answer: stores the request's answer (the pending top-up) with it, so a retry after a crash never makes a second
   * bank debit (src/http/idempotency.ts answerWithEffect).
   */
  async function create(userId: string, input: CreateTopUpInput, answer?: AnswerRecorder<TopUp>): Promise<TopUp> {
    const user = await deps.users.get(userId);
    const amount = parseAmount(input.amount);
    assertNotFrozen(user);
    const source = await deps.funding.usable(userId, input.fundingSourceId, "funding_source");
    if (input.currency !== undefined && input.currency !== source.currency) {
      throw walletError("funding_source_currency_mismatch", undefined, "currency");
    }
    const currency = source.currency;
    const limits = limitsOf(deps.config, user, currency);
    const walletAccountId = await deps.accounts.walletAccountId(user, currency);
    const id = newId("tu");
    const now = clock.now();
    const topUp = await withTransaction(pool, async (tx) => {
      await assertWithinCap(tx, ledger, {
        userId: user.id,
        currency,
        ledgerAccountId: walletAccountId,
        cap: limits.balanceCap,
        adding: amount,
      });
      const inserted = await tx.query<TopUpRow>(
        `INSERT INTO wallet_top_ups (id, wallet_user_id, livemode, funding_source_id, currency, amount, status,
                                     created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING *`,
        [id, user.id, user.livemode, source.id, currency, String(amount), now],
      );
      const created = topUpFromRow(inserted.rows[0]!);
      await insertBankOperation(
        tx,
        {
          id,
          kind: "debit",
          connector: source.connector,
          livemode: user.livemode,
          walletUserId: user.id,
          fundingSourceId: source.id,
          amount,
          currency,
        },
        now,
      );
      await recordWalletEvent(tx, user, "top_up.created", topUpJson(created), now);
      await answer?.(tx, created);
      return created;
    });
    await deps.bank.dispatch(topUp.id);
    return get(userId, topUp.id);
  }

  async function get(userId: string, id: string): Promise<TopUp> {
    if (!isId(id, "tu")) throw new ApiError("resource_not_found", "No such top-up.", "id");
    const found = await pool.query<TopUpRow>("SELECT * FROM wallet_top_ups WHERE id = $1 AND wallet_user_id = $2", [
      id,
      userId,
    ]);
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such top-up.", "id");
    return topUpFromRow(found.rows[0]);
  }

  /** The bank's final answer: credit the wallet, or fail the top-up. Safe to call twice. */
  async function completeFromBank(op: BankOperation, outcome: BankOutcome): Promise<void> {
    const found = await pool.query<TopUpRow>("SELECT * FROM wallet_top_ups WHERE id = $1", [op.id]);
    if (!found.rows[0]) throw new Error(`top-up ${op.id} of a bank operation is missing`);
    const topUp = topUpFromRow(found.rows[0]);
    const user = { id: topUp.walletUserId, livemode: topUp.livemode };
    const now = clock.now();

    if (outcome.status === "failed") {
      await withTransaction(pool, async (tx) => {
        const updated = await tx.query<TopUpRow>(
          `UPDATE wallet_top_ups SET status = 'failed', failure_code = $2, failure_message = $3, updated_at = $4,
                  completed_at = $4 WHERE id = $1 AND status = 'pending' RETURNING *`,
          [topUp.id, outcome.code, outcome.message, now],
        );
        await markBankOperationFinal(tx, op.id, outcome, now);
        if (!updated.rows[0]) return;
        const failed = topUpFromRow(updated.rows[0]);
        await recordWalletEvent(tx, user, "top_up.failed", topUpJson(failed), now, { status: "pending" });
        await notifyFailure(tx, failed, outcome.message);
      });
      deps.notifications.kick();
      return;
    }

    const [settlement, wallet] = await Promise.all([
      deps.accounts.settlementAccountId(topUp.livemode, topUp.currency, op.connector),
      deps.accounts.walletAccountId(user, topUp.currency),
    ]);
    const [result] = await ledger.createTransfers(
      [
        {
          id: transferIdFor(topUp.id, "credit"),
          debitAccountId: settlement,
          creditAccountId: wallet,
          amount: topUp.amount,
          code: "top_up",
          reference: topUp.id,
        },
      ],
      async (tx, [applied]) => {
        if (!applied || !isApplied(applied.code)) return;
        const updated = await tx.query<TopUpRow>(
          `UPDATE wallet_top_ups SET status = 'succeeded', updated_at = $2, completed_at = $2
            WHERE id = $1 AND status = 'pending' RETURNING *`,
          [topUp.id, now],
        );
        if (applied.code === "ok" && !updated.rows[0]) {
          throw new Error(`top-up ${topUp.id} is no longer pending; refusing to credit it`);
        }
        await markBankOperationFinal(tx, op.id, outcome, now);
        if (updated.rows[0]) {
          await recordWalletEvent(tx, user, "top_up.succeeded", topUpJson(topUpFromRow(updated.rows[0])), now, {
            status: "pending",
          });
        }
      },
    );
    if (!result || !isApplied(result.code)) {
      throw new Error(`the ledger refused top-up ${topUp.id}: ${result?.code}`);
    }
  }

  async function notifyFailure(tx: Parameters<typeof recordWalletEvent>[0], topUp: TopUp, reason: string) {
    const user = await getWalletUser(tx, topUp.walletUserId);
    const source = await tx.query<{ last4: string }>("SELECT last4 FROM wallet_funding_sources WHERE id = $1", [
      topUp.fundingSourceId,
    ]);
    const currency = deps.currencies.get(topUp.currency);
    if (!user || !currency) return;
    const target = messageTarget(user);
    await deps.notifications.enqueue(tx, {
      ...target,
      template: topUpFailedTemplate,
      locale: user.locale,
      vars: {
        amount: formatMinorUnits(topUp.amount, currency),
        currency: topUp.currency,
        last4: source.rows[0]?.last4 ?? "",
        reason,
      },
      walletUserId: user.id,
      dedupeKey: `top_up_failed:${topUp.id}`,
    });
  }

  /** Per currency, the top-ups of a user that the bank has not confirmed yet. */
  async function pendingTotals(userId: string): Promise<Map<string, bigint>> {
    const result = await pool.query<{ currency: string; total: bigint }>(
      `SELECT currency, sum(amount) AS total FROM wallet_top_ups
        WHERE wallet_user_id = $1 AND status = 'pending' GROUP BY currency`,
      [userId],
    );
    return new Map(result.rows.map((r) => [r.currency, r.total]));
  }

  return { create, get, completeFromBank, pendingTotals };
}
