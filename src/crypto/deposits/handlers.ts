import type { PoolClient, Queryable } from "../../db/pool.js";
import { isApplied, type TransferResult } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import { recordWalletEvent, type WalletEventType } from "../../wallets/events.js";
import type { RunningChain } from "../chains.js";
import type { CryptoDeps, DepositHandler, DepositRecord, LedgerPlan } from "../deps.js";
import { type DepositRow, depositFromRow, depositJson } from "./model.js";

/**
 * What a deposit does to the books, per kind of address (docs/crypto.md, "Deposits"):
 *
 * - wallet: the user's wallet account in the asset. Seen: a pending credit custody → wallet (the wallet's `pending`
 *   shows it, it cannot be spent); confirmed: posted; orphaned: voided; reversed (it was available and its block
 *   left the chain): a posted transfer wallet → custody of what the wallet still has, up to the amount, and the rest
 *   as a loss (reorg_loss → custody), with an operator alert.
 * - hot: the operator funding the hot wallet (e.g. gas): custody ← platform_funds, the same lifecycle; a reversal
 *   takes it back from platform_funds whole.
 * - payment: the payments domain's handler (registered on the deposits service).
 *
 * Transfer ids derive from (deposit id, step, inclusion): a block retried after a crash moves money once, and a
 * transfer seen again after a reorg (inclusion + 1) gets new ones.
 */
export const depositTransferCode = "crypto_deposit";
export const depositReversalTransferCode = "crypto_deposit_reversal";
export const reorgLossTransferCode = "crypto_reorg_loss";
export const reorgRecoveryTransferCode = "crypto_reorg_recovery";
export const hotFundingTransferCode = "crypto_hot_funding";

export function creditTransferId(deposit: Pick<DepositRecord, "id" | "inclusion">): string {
  return transferIdFor(deposit.id, "credit", String(deposit.inclusion));
}

/** Throws unless every transfer of the plan is in the books (its submission is then rolled back, nothing moves). */
export function assertAllApplied(results: readonly TransferResult[], what: string): void {
  const refused = results.find((result) => !isApplied(result.code));
  if (refused) throw new Error(`the ledger refused ${what}: ${refused.code}`);
}

/** The deposit as the API shows it, read in the transaction that changes it (its new status and confirmations). */
async function depositObject(tx: Queryable, depositId: string): Promise<Record<string, unknown>> {
  const found = await tx.query<DepositRow & { cursor_number: string | null }>(
    `SELECT d.*, c.block_number AS cursor_number FROM crypto_deposits d
       LEFT JOIN crypto_chain_cursors c ON c.chain = d.chain WHERE d.id = $1`,
    [depositId],
  );
  const row = found.rows[0];
  if (!row) throw new Error(`deposit ${depositId} is not recorded before its handler writes`);
  return depositJson(depositFromRow(row), row.cursor_number === null ? null : BigInt(row.cursor_number));
}

export async function recordDepositEvent(
  tx: Queryable,
  deposit: DepositRecord,
  type: Extract<WalletEventType, `crypto_deposit.${string}`>,
  at: Date,
): Promise<void> {
  if (deposit.walletUserId === null) return;
  const user = { id: deposit.walletUserId, livemode: deposit.livemode };
  await recordWalletEvent(tx, user, type, await depositObject(tx, deposit.id), at);
}

export function recoveryTransferId(deposit: Pick<DepositRecord, "id" | "inclusion">): string {
  return transferIdFor(deposit.id, "recover", String(deposit.inclusion));
}

/**
 * Wallet deposits. A deposit mined again after a reversal that cost coffer a reorg loss first pays that loss back
 * (custody → reorg_loss) and credits the wallet only the rest: what the user spent of the first inclusion they keep,
 * and in all they are credited the amount once.
 */
export function createWalletDepositHandler(deps: CryptoDeps): DepositHandler {
  const { accounts, wallets, clock, alerts, ledger, pool } = deps;

  async function accountsOf(deposit: DepositRecord, chain: RunningChain) {
    if (deposit.walletUserId === null) throw new Error(`wallet deposit ${deposit.id} has no wallet user`);
    // A balance cap is not checked: the money is on chain at the user's address already and cannot be refused, so
    // it is the user's. Crediting it above the cap keeps the books true to the chain; the cap still stops top-ups
    // and incoming transfers that coffer can refuse. A frozen wallet is credited too (freezing stops money leaving).
    const [custody, wallet, loss] = await Promise.all([
      accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "custody"),
      wallets.accounts.walletAccountId({ id: deposit.walletUserId, livemode: deposit.livemode }, deposit.asset),
      accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "reorg_loss"),
    ]);
    return { custody, wallet, loss };
  }

  /** How this inclusion splits: the reorg loss still owed is recovered first, the rest is the wallet's. */
  async function split(deposit: DepositRecord): Promise<{ credit: bigint; recover: bigint }> {
    const found = await pool.query<{ reorg_loss_outstanding: string }>(
      "SELECT reorg_loss_outstanding FROM crypto_deposits WHERE id = $1",
      [deposit.id],
    );
    const owed = BigInt(found.rows[0]?.reorg_loss_outstanding ?? 0);
    const recover = owed < deposit.amount ? owed : deposit.amount;
    return { credit: deposit.amount - recover, recover };
  }

  function eventAfter(deposit: DepositRecord, type: Parameters<typeof recordDepositEvent>[2], what: string) {
    return async (tx: PoolClient, results: TransferResult[], extra?: (tx: PoolClient) => Promise<void>) => {
      assertAllApplied(results, what);
      await extra?.(tx);
      await recordDepositEvent(tx, deposit, type, clock.now());
    };
  }

  /** Posts or voids this inclusion's holds. */
  async function resolve(deposit: DepositRecord, how: "post" | "void"): Promise<TransferInput[]> {
    const { credit, recover } = await split(deposit);
    const holds = [
      ...(credit > 0n ? [creditTransferId(deposit)] : []),
      ...(recover > 0n ? [recoveryTransferId(deposit)] : []),
    ];
    return holds.map((hold) =>
      how === "post"
        ? { id: transferIdFor(hold, "post"), postPendingId: hold, reference: deposit.id }
        : { id: transferIdFor(hold, "void"), voidPendingId: hold, reference: deposit.id },
    );
  }

  return {
    async seen(deposit, chain) {
      const [{ custody, wallet, loss }, { credit, recover }] = await Promise.all([
        accountsOf(deposit, chain),
        split(deposit),
      ]);
      const transfers: TransferInput[] = [];
      const hold = { pending: true, reference: deposit.id, debitAccountId: custody };
      if (credit > 0n) {
        transfers.push({
          ...hold,
          id: creditTransferId(deposit),
          creditAccountId: wallet,
          amount: credit,
          code: depositTransferCode,
        });
      }
      if (recover > 0n) {
        transfers.push({
          ...hold,
          id: recoveryTransferId(deposit),
          creditAccountId: loss,
          amount: recover,
          code: reorgRecoveryTransferCode,
        });
      }
      const write = eventAfter(deposit, "crypto_deposit.pending", `the pending credit of deposit ${deposit.id}`);
      return { transfers, write: (tx, results) => write(tx, results) };
    },

    async confirmed(deposit) {
      const { recover } = await split(deposit);
      const write = eventAfter(deposit, "crypto_deposit.available", `posting deposit ${deposit.id}`);
      return {
        transfers: await resolve(deposit, "post"),
        write: (tx, results) =>
          write(tx, results, async (inTx) => {
            if (recover === 0n) return;
            await inTx.query(
              "UPDATE crypto_deposits SET reorg_loss_outstanding = reorg_loss_outstanding - $2 WHERE id = $1",
              [deposit.id, String(recover)],
            );
          }),
      };
    },

    async orphaned(deposit) {
      const write = eventAfter(deposit, "crypto_deposit.orphaned", `voiding deposit ${deposit.id}`);
      return { transfers: await resolve(deposit, "void"), write: (tx, results) => write(tx, results) };
    },

    async reversed(deposit, chain) {
      const { custody, wallet, loss: lossAccount } = await accountsOf(deposit, chain);
      // What this inclusion credited the wallet (the rest of the amount recovered an earlier reorg loss).
      const credited = (await ledger.getTransfer(creditTransferId(deposit)))?.amount ?? 0n;
      // What the wallet can give back now; if the user spends meanwhile, the transfer is refused, the block's
      // submission rolls back and the next pass reads the balance again.
      const balance = await ledger.getBalance(wallet);
      const available = balance && balance.available > 0n ? balance.available : 0n;
      const fromWallet = available < credited ? available : credited;
      const loss = deposit.amount - fromWallet;
      const transfers: TransferInput[] = [];
      if (fromWallet > 0n) {
        transfers.push({
          id: transferIdFor(deposit.id, "reverse", String(deposit.inclusion)),
          debitAccountId: wallet,
          creditAccountId: custody,
          amount: fromWallet,
          code: depositReversalTransferCode,
          reference: deposit.id,
        });
      }
      if (loss > 0n) {
        transfers.push({
          id: transferIdFor(deposit.id, "reorg_loss", String(deposit.inclusion)),
          debitAccountId: lossAccount,
          creditAccountId: custody,
          amount: loss,
          code: reorgLossTransferCode,
          reference: deposit.id,
        });
      }
      if (transfers.length === 2) transfers[0]!.linked = true;
      const write = eventAfter(deposit, "crypto_deposit.reversed", `the reversal of deposit ${deposit.id}`);
      return {
        transfers,
        write: (tx, results) =>
          write(tx, results, async (inTx) => {
            await inTx.query(
              "UPDATE crypto_deposits SET reorg_loss_outstanding = reorg_loss_outstanding + $2 WHERE id = $1",
              [deposit.id, String(loss)],
            );
            await alerts.raise(inTx, {
              livemode: deposit.livemode,
              chain: deposit.chain,
              kind: "reorg_reversal",
              subject: deposit.id,
              details: {
                deposit: deposit.id,
                wallet_user: deposit.walletUserId,
                tx_hash: deposit.txHash,
                block_number: Number(deposit.blockNumber),
                asset: deposit.asset,
                amount: deposit.amount.toString(),
                taken_from_wallet: fromWallet.toString(),
                reorg_loss: loss.toString(),
              },
            });
          }),
      };
    },
  };
}

/** The operator's own money sent to the hot wallet (gas for sweeps and withdrawals): custody ← platform_funds. */
export function createHotWalletDepositHandler(deps: CryptoDeps): DepositHandler {
  const { accounts, alerts, log } = deps;

  async function accountsOf(deposit: DepositRecord, chain: RunningChain) {
    const [custody, funds] = await Promise.all([
      accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "custody"),
      accounts.accountId(deposit.livemode, chain.config.name, deposit.asset, "platform_funds"),
    ]);
    return { custody, funds };
  }

  /** No wallet user or merchant to tell: the operators see it in the ops list and the log. */
  function plan(deposit: DepositRecord, transfers: TransferInput[], step: string): LedgerPlan {
    return {
      transfers,
      async write(_tx, results) {
        assertAllApplied(results, `${step} of hot-wallet funding ${deposit.id}`);
        log.info(
          { deposit: deposit.id, asset: deposit.asset, amount: deposit.amount.toString() },
          `hot wallet ${step}`,
        );
      },
    };
  }

  return {
    async seen(deposit, chain) {
      const { custody, funds } = await accountsOf(deposit, chain);
      const hold: TransferInput = {
        id: creditTransferId(deposit),
        debitAccountId: custody,
        creditAccountId: funds,
        amount: deposit.amount,
        pending: true,
        code: hotFundingTransferCode,
        reference: deposit.id,
      };
      return plan(deposit, [hold], "funding seen");
    },
    async confirmed(deposit) {
      const hold = creditTransferId(deposit);
      return plan(deposit, [{ id: transferIdFor(hold, "post"), postPendingId: hold, reference: deposit.id }], "funded");
    },
    async orphaned(deposit) {
      const hold = creditTransferId(deposit);
      const transfers = [{ id: transferIdFor(hold, "void"), voidPendingId: hold, reference: deposit.id }];
      return plan(deposit, transfers, "funding orphaned");
    },
    async reversed(deposit, chain) {
      const { custody, funds } = await accountsOf(deposit, chain);
      return {
        transfers: [
          {
            id: transferIdFor(deposit.id, "reverse", String(deposit.inclusion)),
            debitAccountId: funds,
            creditAccountId: custody,
            amount: deposit.amount,
            code: depositReversalTransferCode,
            reference: deposit.id,
          },
        ],
        async write(tx, results) {
          assertAllApplied(results, `the reversal of hot-wallet funding ${deposit.id}`);
          await alerts.raise(tx, {
            livemode: deposit.livemode,
            chain: deposit.chain,
            kind: "reorg_reversal",
            subject: deposit.id,
            details: {
              deposit: deposit.id,
              hot_wallet: deposit.address,
              tx_hash: deposit.txHash,
              block_number: Number(deposit.blockNumber),
              asset: deposit.asset,
              amount: deposit.amount.toString(),
            },
          });
        },
      };
    },
  };
}
