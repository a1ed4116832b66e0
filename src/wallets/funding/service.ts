import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { ApiError } from "../../http/errors.js";
import { isId, newId } from "../../ids.js";
import { walletFundingSourcesPerUserMax, walletHolderNameLengthMax } from "../../limits.js";
import type { BankOperation, BankOutcome } from "../bank/operations.js";
import { insertBankOperation, markBankOperationFinal } from "../bank/operations.js";
import type { BankSettlement } from "../bank/settlement.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { recordWalletEvent } from "../events.js";
import { assertNotFrozen, walletCurrency } from "../limits/tiers.js";
import type { WalletUserService } from "../users/service.js";
import {
  accountNumberAad,
  type FundingSource,
  type FundingSourceRow,
  fundingSourceFromRow,
  fundingSourceJson,
} from "./model.js";

/**
 * Bank accounts linked to a wallet (tier 1 and up: the account must belong to a verified person). The account
 * number is encrypted at rest and shown by its last four characters only. A new source is verified by its bank
 * connector (the sandbox at once; the file connector through an exported prenote) before money may move.
 */
export interface LinkBankAccountInput {
  holderName: string;
  bankCode: string;
  accountNumber: string;
  currency: string;
}

export type WalletFunding = ReturnType<typeof createWalletFunding>;

export function createWalletFunding(deps: WalletDeps & { users: WalletUserService; bank: BankSettlement }) {
  const { pool, clock } = deps;

  async function link(userId: string, input: LinkBankAccountInput): Promise<FundingSource> {
    const user = await deps.users.get(userId);
    assertNotFrozen(user);
    if (user.tier < 1) {
      throw walletError("tier_required", "Linking a bank account needs identity tier 1; verify your identity first.");
    }
    const currency = walletCurrency(deps.config, input.currency);
    const holderName = input.holderName.trim().replace(/\s+/g, " ");
    if (holderName.length === 0 || holderName.length > walletHolderNameLengthMax) {
      throw new ApiError(
        "parameter_invalid",
        `holder_name must be 1 to ${walletHolderNameLengthMax} characters.`,
        "holder_name",
      );
    }
    const bankCode = input.bankCode.replace(/[\s-]/g, "").toUpperCase();
    if (!/^[0-9A-Z]{2,11}$/.test(bankCode)) {
      throw new ApiError(
        "parameter_invalid",
        "bank_code must be 2 to 11 letters or digits (routing, sort or BIC code).",
        "bank_code",
      );
    }
    const accountNumber = input.accountNumber.replace(/[\s-]/g, "").toUpperCase();
    if (!/^[0-9A-Z]{4,34}$/.test(accountNumber)) {
      throw new ApiError(
        "parameter_invalid",
        "account_number must be 4 to 34 letters or digits (IBANs included).",
        "account_number",
      );
    }
    const connector = user.livemode ? deps.config.bankConnector : "sandbox";
    const id = newId("fs");
    const now = clock.now();
    const encrypted = await deps.secrets.encrypt(accountNumber, accountNumberAad(id));
    const source = await withTransaction(pool, async (tx) => {
      // Lock the user row: the count below and the insert are one decision per user.
      await tx.query("SELECT 1 FROM wallet_users WHERE id = $1 FOR UPDATE", [user.id]);
      const count = await tx.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM wallet_funding_sources WHERE wallet_user_id = $1 AND status <> 'removed'",
        [user.id],
      );
      if (Number(count.rows[0]?.n ?? 0n) >= walletFundingSourcesPerUserMax) {
        throw walletError("funding_sources_limit_reached");
      }
      const inserted = await tx.query<FundingSourceRow>(
        `INSERT INTO wallet_funding_sources (id, wallet_user_id, livemode, type, connector, currency, holder_name,
                                             bank_code, account_number, last4, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'bank_account', $4, $5, $6, $7, $8, $9, 'pending_verification', $10, $10) RETURNING *`,
        [
          id,
          user.id,
          user.livemode,
          connector,
          currency,
          holderName,
          bankCode,
          encrypted,
          accountNumber.slice(-4),
          now,
        ],
      );
      const created = fundingSourceFromRow(inserted.rows[0]!);
      await insertBankOperation(
        tx,
        {
          id,
          kind: "verify",
          connector,
          livemode: user.livemode,
          walletUserId: user.id,
          fundingSourceId: id,
          amount: null,
          currency,
        },
        now,
      );
      await recordWalletEvent(tx, user, "funding_source.created", fundingSourceJson(created), now);
      return created;
    });
    await deps.bank.dispatch(source.id);
    return get(userId, source.id);
  }

  /** A source of this user (another user's id is 404, like one that does not exist). */
  async function get(userId: string, id: string, db: Queryable = pool): Promise<FundingSource> {
    if (!isId(id, "fs")) throw new ApiError("resource_not_found", "No such funding source.", "id");
    const found = await db.query<FundingSourceRow>(
      "SELECT * FROM wallet_funding_sources WHERE id = $1 AND wallet_user_id = $2",
      [id, userId],
    );
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such funding source.", "id");
    return fundingSourceFromRow(found.rows[0]);
  }

  async function list(userId: string): Promise<FundingSource[]> {
    const found = await pool.query<FundingSourceRow>(
      `SELECT * FROM wallet_funding_sources WHERE wallet_user_id = $1 AND status <> 'removed'
        ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return found.rows.map(fundingSourceFromRow);
  }

  /** A verified source of this user, for moving money; `param` names the request field in errors. */
  async function usable(userId: string, id: string, param: string): Promise<FundingSource> {
    let source: FundingSource;
    try {
      source = await get(userId, id);
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError("resource_not_found", "No such funding source.", param);
      throw error;
    }
    if (source.status === "removed") throw new ApiError("resource_not_found", "No such funding source.", param);
    if (source.status !== "verified") throw walletError("funding_source_not_verified", undefined, param);
    return source;
  }

  /** Unlinks a source. Top-ups and withdrawals already on their way through it still finish. */
  async function remove(userId: string, id: string): Promise<FundingSource> {
    const source = await get(userId, id);
    if (source.status === "removed") return source;
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const updated = await tx.query<FundingSourceRow>(
        `UPDATE wallet_funding_sources SET status = 'removed', updated_at = $3
          WHERE id = $1 AND wallet_user_id = $2 AND status <> 'removed' RETURNING *`,
        [id, userId, now],
      );
      if (!updated.rows[0]) return source;
      const removed = fundingSourceFromRow(updated.rows[0]);
      await recordWalletEvent(
        tx,
        { id: removed.walletUserId, livemode: removed.livemode },
        "funding_source.removed",
        fundingSourceJson(removed),
        now,
        {
          status: source.status,
        },
      );
      return removed;
    });
  }

  /** The bank's answer to a verification. */
  async function completeVerification(op: BankOperation, outcome: BankOutcome): Promise<void> {
    const now = clock.now();
    await withTransaction(pool, async (tx) => {
      const updated = await tx.query<FundingSourceRow>(
        `UPDATE wallet_funding_sources SET status = $2, failure_code = $3, failure_message = $4, updated_at = $5
          WHERE id = $1 AND status = 'pending_verification' RETURNING *`,
        [
          op.fundingSourceId,
          outcome.status === "succeeded" ? "verified" : "verification_failed",
          outcome.status === "failed" ? outcome.code : null,
          outcome.status === "failed" ? outcome.message : null,
          now,
        ],
      );
      await markBankOperationFinal(tx, op.id, outcome, now);
      const row = updated.rows[0];
      if (!row) return; // removed meanwhile, or answered before
      const source = fundingSourceFromRow(row);
      await recordWalletEvent(
        tx,
        { id: source.walletUserId, livemode: source.livemode },
        outcome.status === "succeeded" ? "funding_source.verified" : "funding_source.verification_failed",
        fundingSourceJson(source),
        now,
        { status: "pending_verification" },
      );
    });
  }

  return { link, get, list, usable, remove, completeVerification };
}
