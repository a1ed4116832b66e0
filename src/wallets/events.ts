import type { Queryable } from "../db/pool.js";
import { recordEvent } from "../events/outbox.js";

/**
 * Wallet-side events. Each is written in the transaction of the change it describes, for the wallet user it
 * concerns (merchant_id is null), with the object as the wallet API shows it.
 */
export type WalletEventType =
  | "wallet_user.created"
  | "wallet_user.frozen"
  | "wallet_user.unfrozen"
  | "wallet_user.tier_changed"
  | "wallet_user.locked"
  | "kyc_submission.created"
  | "kyc_submission.approved"
  | "kyc_submission.rejected"
  | "funding_source.created"
  | "funding_source.verified"
  | "funding_source.verification_failed"
  | "funding_source.removed"
  | "top_up.created"
  | "top_up.succeeded"
  | "top_up.failed"
  | "withdrawal.created"
  | "withdrawal.succeeded"
  | "withdrawal.failed"
  | "wallet_transfer.sent"
  | "wallet_transfer.received"
  | "crypto_deposit.pending"
  | "crypto_deposit.available"
  | "crypto_deposit.orphaned"
  | "crypto_deposit.reversed"
  | "crypto_deposit.dust"
  | "crypto_withdrawal.created"
  | "crypto_withdrawal.broadcast"
  | "crypto_withdrawal.confirmed"
  | "crypto_withdrawal.failed";

export async function recordWalletEvent(
  tx: Queryable,
  user: { id: string; livemode: boolean },
  type: WalletEventType,
  object: Record<string, unknown>,
  at: Date,
  previousAttributes?: Record<string, unknown>,
): Promise<void> {
  await recordEvent(
    tx,
    { type, merchantId: null, walletUserId: user.id, livemode: user.livemode, object, previousAttributes },
    at,
  );
}
