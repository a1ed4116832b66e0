import type { Queryable } from "../../db/pool.js";
import { balanceOf } from "../../ledger/model.js";
import type { LedgerService } from "../../ledger/service.js";
import { type WalletErrorCode, walletError } from "../errors.js";

/**
 * The balance cap of a tier bounds what a wallet holds: its posted balance plus the top-ups on their way (money
 * the bank is already pulling must land). Checks of one wallet are serialized by a lock on its wallet_accounts row,
 * taken both when a top-up is created and inside the ledger hook of an incoming transfer, so two incoming amounts
 * can never both squeeze under the cap. A withdrawal returned by the bank is never refused: it is the user's money.
 */
export interface CapCheck {
  userId: string;
  currency: string;
  ledgerAccountId: bigint;
  cap: bigint;
  /** Money about to arrive that the ledger does not show yet (a new top-up); 0 when it is already posted. */
  adding: bigint;
}

export async function assertWithinCap(
  tx: Queryable,
  ledger: LedgerService,
  check: CapCheck,
  code: Extract<WalletErrorCode, "balance_cap_exceeded" | "recipient_unavailable"> = "balance_cap_exceeded",
): Promise<void> {
  await tx.query("SELECT 1 FROM wallet_accounts WHERE wallet_user_id = $1 AND currency = $2 FOR UPDATE", [
    check.userId,
    check.currency,
  ]);
  const account = await ledger.getAccount(check.ledgerAccountId, tx);
  if (!account) throw new Error(`wallet ledger account ${check.ledgerAccountId} is missing`);
  const incoming = await tx.query<{ total: bigint }>(
    `SELECT coalesce(sum(amount), 0) AS total FROM wallet_top_ups
      WHERE wallet_user_id = $1 AND currency = $2 AND status = 'pending'`,
    [check.userId, check.currency],
  );
  const total = balanceOf(account).posted + (incoming.rows[0]?.total ?? 0n) + check.adding;
  if (total > check.cap) {
    throw code === "balance_cap_exceeded"
      ? walletError(
          "balance_cap_exceeded",
          `This wallet may hold at most ${check.cap} (minor units) at its identity tier, top-ups on their way included.`,
          "amount",
        )
      : walletError("recipient_unavailable", undefined, "to");
  }
}
