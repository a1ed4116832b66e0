import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { parseAmount } from "../../http/amount.js";
import { ApiError } from "../../http/errors.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { keysetPage, type ListPage, type PageRequest } from "../../http/pagination.js";
import { isId, newId } from "../../ids.js";
import { isApplied } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import { walletError } from "../../wallets/errors.js";
import { recordWalletEvent } from "../../wallets/events.js";
import { consumeSpend, precheckSpend, releaseSpend, spendPeriods } from "../../wallets/limits/spend.js";
import { assertNotFrozen, assertPerPayment, limitsOf } from "../../wallets/limits/tiers.js";
import type { StepUpProof } from "../../wallets/stepup/service.js";
import { getWalletUser } from "../../wallets/users/store.js";
import { type Address, isChecksumAddress } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import type { AssetConfig } from "../config.js";
import { cryptoDepositError } from "../deposits/errors.js";
import type { CryptoDeps, LedgerPlan, OutgoingOutcome, OutgoingRequest } from "../deps.js";
import type { SentNotice, Signer } from "../signer/service.js";
import { cryptoWithdrawalError } from "./errors.js";
import {
  type AllowlistEntry,
  type AllowlistEntryRow,
  allowlistEntryFromRow,
  type CryptoWithdrawal,
  type CryptoWithdrawalRow,
  type CryptoWithdrawalStatus,
  cryptoWithdrawalFromRow,
  cryptoWithdrawalJson,
  withdrawalSelect,
} from "./model.js";

/**
 * Withdrawals of a wallet user's crypto balance to an external address (docs/crypto.md). At creation, in one ledger
 * submission: a linked pair of holds from the wallet — the amount toward custody, the asset's withdrawal fee toward
 * the fee income account — with the record, the signer queue's transaction and the crypto_withdrawal.created event.
 * The signer sends it from the hot wallet; confirmed, both holds are posted; failed (reverted, dropped, refused),
 * both are voided and the amount no longer counts against the limits. The gas is the signer's to book.
 *
 * Refused before anything is written: a destination that is not an EVM address or has a wrong EIP-55 checksum, one
 * of coffer's own custody addresses (that is an internal transfer), one off the allowlist when the wallet is
 * allowlist-only; amounts above the tier's limits; above the step-up threshold without a second factor.
 */
export interface CreateCryptoWithdrawalInput {
  asset: string;
  amount: unknown;
  toAddress: string;
  chain?: string;
  stepUp?: StepUpProof;
}

/** Addresses one wallet may keep on its allowlist. */
export const cryptoAllowlistEntriesMax = 50;

export type CryptoWithdrawals = ReturnType<typeof createCryptoWithdrawals>;

export function createCryptoWithdrawals(deps: CryptoDeps & { signer: Signer }) {
  const { pool, clock, ledger, wallets } = deps;

  function parseDestination(value: string, param: string): Address {
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw cryptoWithdrawalError("crypto_address_invalid", undefined, param);
    if (!isChecksumAddress(value)) throw cryptoWithdrawalError("crypto_address_checksum_invalid", undefined, param);
    return value.toLowerCase() as Address;
  }

  /** The chain of the user's mode that carries the asset (the named one, if given). */
  function chainOf(livemode: boolean, asset: string, chainName?: string): { chain: RunningChain; asset: AssetConfig } {
    if (deps.chains.forMode(livemode).length === 0) throw cryptoDepositError("crypto_unavailable");
    const found = deps.chains.forAsset(livemode, asset, chainName);
    if (found) return found;
    if (chainName !== undefined) {
      throw cryptoDepositError(
        "crypto_asset_unsupported",
        `No chain named ${chainName.slice(0, 32)} of this mode carries ${asset.slice(0, 12)}.`,
        "chain",
      );
    }
    throw cryptoDepositError("crypto_asset_unsupported", undefined, "asset");
  }

  async function assertNotCustody(address: Address, param: string): Promise<void> {
    if (await deps.addresses.get(address)) throw cryptoWithdrawalError("crypto_address_is_custody", undefined, param);
  }

  /** answer: stores the request's answer (the pending withdrawal) with its holds (answerWithEffect). */
  async function create(
    userId: string,
    input: CreateCryptoWithdrawalInput,
    ip: string | null,
    answer?: AnswerRecorder<CryptoWithdrawal>,
  ): Promise<CryptoWithdrawal> {
    const user = await wallets.users.get(userId);
    const amount = parseAmount(input.amount);
    const to = parseDestination(input.toAddress, "to_address");
    const { chain, asset } = chainOf(user.livemode, input.asset, input.chain);
    assertNotFrozen(user);
    await assertNotCustody(to, "to_address");
    if ((await settings(userId)).allowlistOnly && !(await allowlisted(userId, to))) {
      throw cryptoWithdrawalError("crypto_address_not_allowlisted", undefined, "to_address");
    }
    const limits = limitsOf(wallets.config, user, asset.code);
    assertPerPayment(limits, amount);
    const now = clock.now();
    const spend = { userId: user.id, currency: asset.code, amount, periods: spendPeriods(now) };
    await precheckSpend(pool, spend, limits);
    await wallets.stepUp.require(user, amount, asset.code, input.stepUp, ip);
    const chainName = chain.config.name;
    const [wallet, custody, feeIncome] = await Promise.all([
      wallets.accounts.walletAccountId(user, asset.code),
      deps.accounts.accountId(user.livemode, chainName, asset.code, "custody"),
      deps.accounts.accountId(user.livemode, chainName, asset.code, "withdrawal_fee"),
    ]);
    // The hot wallet's address is derived inside the ledger hook: the seed is decrypted before, not there.
    await deps.keys.warm(user.livemode);

    const id = newId("cwd");
    const fee = asset.withdrawalFeeMinor;
    const holdId = transferIdFor(id, "hold");
    const feeHoldId = fee > 0n ? transferIdFor(id, "fee_hold") : null;
    const transfers: TransferInput[] = [
      {
        id: holdId,
        debitAccountId: wallet,
        creditAccountId: custody,
        amount,
        pending: true,
        linked: feeHoldId !== null,
        code: "crypto_withdrawal",
        reference: id,
      },
    ];
    if (feeHoldId) {
      transfers.push({
        id: feeHoldId,
        debitAccountId: wallet,
        creditAccountId: feeIncome,
        amount: fee,
        pending: true,
        code: "crypto_withdrawal_fee",
        reference: id,
      });
    }
    const request: OutgoingRequest = {
      chain: chainName,
      livemode: user.livemode,
      fromIndex: 0,
      to,
      asset: asset.code,
      amount,
      purpose: "withdrawal",
      purposeId: id,
    };
    const results = await wallets.spendQueue.run(user.id, async () => {
      await precheckSpend(pool, spend, limits);
      return ledger.createTransfers(transfers, async (tx, applied) => {
        if (!applied.every((result) => isApplied(result.code))) return;
        await assertStillActive(tx, user.id);
        await consumeSpend(tx, spend, limits);
        const outgoing = await deps.signer.enqueue(tx, request);
        await tx.query(
          `INSERT INTO crypto_withdrawals (id, wallet_user_id, livemode, chain, asset, amount, fee, to_address, status,
                                           outgoing_id, hold_transfer_id, fee_hold_transfer_id, spend_day, spend_month,
                                           created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12, $13, $14, $14)`,
          [
            id,
            user.id,
            user.livemode,
            chainName,
            asset.code,
            String(amount),
            String(fee),
            to,
            outgoing.id,
            holdId,
            feeHoldId,
            spend.periods.day,
            spend.periods.month,
            now,
          ],
        );
        const created = (await read(tx, id))!;
        await recordWalletEvent(tx, user, "crypto_withdrawal.created", cryptoWithdrawalJson(created), now);
        await answer?.(tx, created);
      });
    });
    if (results.some((result) => result.code === "exceeds_credits")) {
      throw walletError("insufficient_funds", undefined, "amount");
    }
    const refused = results.find((result) => !isApplied(result.code));
    if (refused) throw new Error(`the ledger refused crypto withdrawal ${id}: ${refused.code}`);
    return (await read(pool, id))!;
  }

  async function assertStillActive(tx: Queryable, userId: string): Promise<void> {
    const user = await getWalletUser(tx, userId);
    if (!user || user.frozenAt !== null) throw walletError("wallet_frozen");
  }

  async function read(db: Queryable, id: string): Promise<CryptoWithdrawal | undefined> {
    const found = await db.query<CryptoWithdrawalRow>(`${withdrawalSelect} WHERE w.id = $1`, [id]);
    return found.rows[0] && cryptoWithdrawalFromRow(found.rows[0]);
  }

  async function get(userId: string, id: string): Promise<CryptoWithdrawal> {
    const found = isId(id, "cwd") ? await read(pool, id) : undefined;
    if (!found || found.walletUserId !== userId) {
      throw new ApiError("resource_not_found", "No such crypto withdrawal.", "id");
    }
    return found;
  }

  async function list(userId: string, page: PageRequest): Promise<ListPage<CryptoWithdrawal>> {
    const listed = await keysetPage<CryptoWithdrawalRow>(pool, page, {
      from: `(${withdrawalSelect}) AS withdrawals`,
      scope: "wallet_user_id = $1",
      params: [userId],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return { ...listed, data: listed.data.map(cryptoWithdrawalFromRow) };
  }

  /** Every withdrawal, for operators, optionally of one status. */
  async function listAll(status: CryptoWithdrawalStatus | undefined, page: PageRequest) {
    const listed = await keysetPage<CryptoWithdrawalRow>(pool, page, {
      from: `(${withdrawalSelect}) AS withdrawals`,
      scope: "TRUE",
      filter: "$1::text IS NULL OR status = $1",
      params: [status ?? null],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return { ...listed, data: listed.data.map(cryptoWithdrawalFromRow) };
  }

  /** The current block of each chain the withdrawals are on, to count confirmations; null where the node is down. */
  async function heads(withdrawals: CryptoWithdrawal[]): Promise<Map<string, bigint | null>> {
    const names = [...new Set(withdrawals.filter((w) => w.blockNumber !== null).map((w) => w.chain))];
    const entries = await Promise.all(
      names.map(async (name) => {
        const head = await deps.chains
          .get(name)
          ?.connector.headNumber()
          .catch(() => null);
        return [name, head ?? null] as const;
      }),
    );
    return new Map(entries);
  }

  async function toJson(withdrawal: CryptoWithdrawal) {
    return cryptoWithdrawalJson(withdrawal, (await heads([withdrawal])).get(withdrawal.chain));
  }

  async function pageJson(page: ListPage<CryptoWithdrawal>) {
    const known = await heads(page.data);
    return { ...page, data: page.data.map((w) => cryptoWithdrawalJson(w, known.get(w.chain))) };
  }

  // ---- The signer's handler of purpose "withdrawal" ----

  async function sent(tx: Queryable, notice: SentNotice): Promise<void> {
    const before = await read(tx, notice.outgoing.purposeId);
    if (!before || (before.status !== "pending" && before.status !== "broadcast")) return;
    const now = clock.now();
    await tx.query(
      "UPDATE crypto_withdrawals SET status = 'broadcast', updated_at = $2 WHERE id = $1 AND status IN ('pending', 'broadcast')",
      [before.id, now],
    );
    const after = (await read(tx, before.id))!;
    await recordWalletEvent(
      tx,
      { id: after.walletUserId, livemode: after.livemode },
      "crypto_withdrawal.broadcast",
      cryptoWithdrawalJson(after),
      now,
      before.status === "pending" ? { status: "pending" } : { tx_hash: notice.outgoing.replacedHashes.at(-1) ?? null },
    );
  }

  async function settled(outcome: OutgoingOutcome, request: OutgoingRequest): Promise<LedgerPlan> {
    const withdrawal = await read(pool, request.purposeId);
    if (!withdrawal)
      throw new Error(`crypto withdrawal ${request.purposeId} of outgoing ${outcome.outgoingId} is missing`);
    const confirmed = outcome.status === "confirmed";
    const holds: [string, string][] = [["", withdrawal.holdTransferId]];
    if (withdrawal.feeHoldTransferId) holds.push(["_fee", withdrawal.feeHoldTransferId]);
    const transfers: TransferInput[] = holds.map(([suffix, hold]) =>
      confirmed
        ? { id: transferIdFor(withdrawal.id, `post${suffix}`), postPendingId: hold, reference: withdrawal.id }
        : { id: transferIdFor(withdrawal.id, `void${suffix}`), voidPendingId: hold, reference: withdrawal.id },
    );
    return {
      transfers,
      async write(tx, results) {
        const refused = results.find((result) => !isApplied(result.code));
        if (refused)
          throw new Error(`the ledger refused to resolve crypto withdrawal ${withdrawal.id}: ${refused.code}`);
        const now = clock.now();
        const updated = await tx.query(
          `UPDATE crypto_withdrawals SET status = $2, failure_code = $3, updated_at = $4, completed_at = $4
            WHERE id = $1 AND status IN ('pending', 'broadcast')`,
          [withdrawal.id, outcome.status, confirmed ? null : (outcome.failureCode ?? "rejected"), now],
        );
        if (updated.rowCount !== 1) throw new Error(`crypto withdrawal ${withdrawal.id} is no longer open`);
        const after = (await read(tx, withdrawal.id))!;
        const user = { id: after.walletUserId, livemode: after.livemode };
        if (!confirmed) {
          await releaseSpend(tx, {
            userId: after.walletUserId,
            currency: after.asset,
            amount: after.amount,
            periods: after.periods,
          });
          await deps.alerts.raise(tx, {
            livemode: after.livemode,
            chain: after.chain,
            kind: "withdrawal_failed",
            subject: `withdrawal:${after.id}`,
            details: {
              withdrawal: after.id,
              outgoing: outcome.outgoingId,
              failure_code: after.failureCode,
              tx_hash: outcome.txHash,
              asset: after.asset,
              amount: String(after.amount),
            },
          });
        }
        await recordWalletEvent(
          tx,
          user,
          confirmed ? "crypto_withdrawal.confirmed" : "crypto_withdrawal.failed",
          cryptoWithdrawalJson(after),
          now,
          { status: withdrawal.status },
        );
      },
    };
  }

  deps.signer.registerHandler("withdrawal", { sent, settled });

  // ---- Allowlist and settings ----

  async function settings(userId: string): Promise<{ allowlistOnly: boolean }> {
    const found = await pool.query<{ allowlist_only: boolean }>(
      "SELECT allowlist_only FROM crypto_withdrawal_settings WHERE wallet_user_id = $1",
      [userId],
    );
    return { allowlistOnly: found.rows[0]?.allowlist_only ?? false };
  }

  /** Turning allowlist-only off opens every destination again, so it needs a second factor; turning it on does not. */
  async function updateSettings(
    userId: string,
    input: { allowlistOnly: boolean; stepUp?: StepUpProof },
    ip: string | null,
    answer?: AnswerRecorder<{ allowlistOnly: boolean }>,
  ): Promise<{ allowlistOnly: boolean }> {
    const user = await wallets.users.get(userId);
    if (!input.allowlistOnly && (await settings(userId)).allowlistOnly)
      await wallets.stepUp.requireAlways(user, input.stepUp, ip, "Changes to where crypto may be withdrawn to");
    const updated = { allowlistOnly: input.allowlistOnly };
    await withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO crypto_withdrawal_settings (wallet_user_id, allowlist_only, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (wallet_user_id) DO UPDATE SET allowlist_only = EXCLUDED.allowlist_only,
                                                    updated_at = EXCLUDED.updated_at`,
        [userId, input.allowlistOnly, clock.now()],
      );
      await answer?.(tx, updated);
    });
    return updated;
  }

  async function allowlisted(userId: string, address: Address): Promise<boolean> {
    const found = await pool.query(
      "SELECT 1 FROM crypto_allowlist_entries WHERE wallet_user_id = $1 AND address = $2",
      [userId, address],
    );
    return found.rowCount === 1;
  }

  /** Adding a destination always needs a second factor, whatever later withdrawals to it will move. */
  async function addAllowlistEntry(
    userId: string,
    input: { address: string; label?: string; stepUp?: StepUpProof },
    ip: string | null,
    answer?: AnswerRecorder<AllowlistEntry>,
  ): Promise<AllowlistEntry> {
    const user = await wallets.users.get(userId);
    const address = parseDestination(input.address, "address");
    await assertNotCustody(address, "address");
    if (await allowlisted(userId, address)) {
      throw cryptoWithdrawalError("crypto_allowlist_entry_exists", undefined, "address");
    }
    await wallets.stepUp.requireAlways(user, input.stepUp, ip, "Changes to where crypto may be withdrawn to");
    return withTransaction(pool, async (tx) => {
      // The wallet user's row orders concurrent additions, so the count below holds.
      await tx.query("SELECT 1 FROM wallet_users WHERE id = $1 FOR UPDATE", [userId]);
      const count = await tx.query<{ count: bigint }>(
        "SELECT count(*) AS count FROM crypto_allowlist_entries WHERE wallet_user_id = $1",
        [userId],
      );
      if (Number(count.rows[0]!.count) >= cryptoAllowlistEntriesMax) {
        throw cryptoWithdrawalError(
          "crypto_allowlist_full",
          `An allowlist holds at most ${cryptoAllowlistEntriesMax} addresses; remove one first.`,
        );
      }
      const inserted = await tx.query<AllowlistEntryRow>(
        `INSERT INTO crypto_allowlist_entries (id, wallet_user_id, address, label, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING *`,
        [newId("cal"), userId, address, input.label ?? null, clock.now()],
      );
      if (!inserted.rows[0]) throw cryptoWithdrawalError("crypto_allowlist_entry_exists", undefined, "address");
      const entry = allowlistEntryFromRow(inserted.rows[0]);
      await answer?.(tx, entry);
      return entry;
    });
  }

  async function listAllowlist(userId: string): Promise<AllowlistEntry[]> {
    const found = await pool.query<AllowlistEntryRow>(
      "SELECT * FROM crypto_allowlist_entries WHERE wallet_user_id = $1 ORDER BY created_at DESC, id DESC",
      [userId],
    );
    return found.rows.map(allowlistEntryFromRow);
  }

  async function removeAllowlistEntry(userId: string, id: string): Promise<AllowlistEntry> {
    const deleted = isId(id, "cal")
      ? await pool.query<AllowlistEntryRow>(
          "DELETE FROM crypto_allowlist_entries WHERE id = $1 AND wallet_user_id = $2 RETURNING *",
          [id, userId],
        )
      : undefined;
    if (!deleted?.rows[0]) throw new ApiError("resource_not_found", "No such allowlist entry.", "id");
    return allowlistEntryFromRow(deleted.rows[0]);
  }

  // ---- Operators ----

  /**
   * Per chain and asset: the hot wallet, its balance on chain, custody as the ledger has it (every custody address),
   * the hot-wallet limit, the signer queue's open transactions and the next nonce. The node's figures are null
   * when it does not answer.
   */
  async function hotWalletReport() {
    const rows = [];
    for (const chain of deps.chains.all()) {
      const name = chain.config.name;
      const seed = await pool.query<{ hot_address: string }>(
        "SELECT hot_address FROM crypto_custody_seeds WHERE livemode = $1",
        [chain.livemode],
      );
      const hot = (seed.rows[0]?.hot_address ?? null) as Address | null;
      const counts = hot
        ? await pool.query<{ asset: string; status: string; count: bigint }>(
            `SELECT asset, status, count(*) AS count FROM crypto_outgoing_transactions
              WHERE chain = $1 AND from_address = $2 AND status IN ('queued', 'signed', 'sent')
              GROUP BY asset, status`,
            [name, hot],
          )
        : { rows: [] };
      const nextNonce = hot ? (await deps.signer.senderState(name, hot)).nextNonce : null;
      for (const asset of chain.config.assets) {
        const onChain = hot ? await chain.connector.balanceOf(hot, asset.code).catch(() => null) : null;
        const custodyId = await deps.accounts.existingAccountId(chain.livemode, name, asset.code, "custody");
        const custody = custodyId === undefined ? 0n : ((await ledger.getBalance(custodyId))?.posted ?? 0n);
        const count = (status: string) =>
          Number(counts.rows.find((row) => row.asset === asset.code && row.status === status)?.count ?? 0n);
        rows.push({
          chain: name,
          livemode: chain.livemode,
          asset: asset.code,
          hot_wallet_address: hot,
          on_chain_balance: onChain === null ? null : String(onChain),
          custody_ledger_balance: String(custody),
          hot_wallet_limit: String(asset.hotWalletLimitMinor),
          above_limit: onChain !== null && onChain > asset.hotWalletLimitMinor,
          queued: count("queued") + count("signed"),
          sent: count("sent"),
          next_nonce: nextNonce,
        });
      }
    }
    return rows;
  }

  return {
    create,
    get,
    list,
    listAll,
    toJson,
    pageJson,
    settings,
    updateSettings,
    addAllowlistEntry,
    listAllowlist,
    removeAllowlistEntry,
    hotWalletReport,
  };
}
