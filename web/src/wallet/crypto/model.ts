/** The wallet API's crypto objects, as far as these pages read them (the route files under src/crypto). */

/** GET /v1/wallet/crypto/address: one address, and per chain and asset what a sender needs. */
export interface CryptoAddress {
  object: "crypto_address";
  livemode: boolean;
  address: string;
  assets: CryptoAsset[];
}

export interface CryptoAsset {
  chain: string;
  chain_id: number;
  asset: string;
  contract: string | null;
  decimals: number;
  confirmations_required: number;
  minimum_deposit: string;
  uri: string;
  qr_svg: string;
  /** The withdrawal fee charged on top of a withdrawal's amount, when the API tells it in advance. */
  withdrawal_fee?: string;
}

export type DepositStatus = "pending" | "available" | "orphaned" | "reversed" | "dust";

export interface CryptoDeposit {
  id: string;
  object: "crypto_deposit";
  livemode: boolean;
  status: DepositStatus;
  chain: string;
  asset: string;
  amount: string;
  address: string;
  from_address: string;
  tx_hash: string;
  log_index: number;
  block_number: number;
  confirmations: number;
  confirmations_required: number;
  created: number;
  available_at: number | null;
}

export type WithdrawalStatus = "pending" | "broadcast" | "confirmed" | "failed";

export interface CryptoWithdrawal {
  id: string;
  object: "crypto_withdrawal";
  livemode: boolean;
  status: WithdrawalStatus;
  chain: string;
  asset: string;
  amount: string;
  fee: string;
  to_address: string;
  tx_hash: string | null;
  nonce: number | null;
  block_number: number | null;
  confirmations: number | null;
  failure_code: string | null;
  created: number;
  completed: number | null;
}

export interface AllowlistEntry {
  id: string;
  object: "crypto_allowlist_entry";
  address: string;
  label: string | null;
  created: number;
}

export interface WithdrawalSettings {
  object: "crypto_withdrawal_settings";
  allowlist_only: boolean;
}

export interface TestDeposit {
  object: "crypto_test_deposit";
  tx_hash: string;
  address: string;
  asset: string;
  amount: string;
  deposit: CryptoDeposit | null;
}

export interface TestChain {
  object: "crypto_test_chain";
  chain: string;
  head: number;
}

export interface ReservesProof {
  object: "reserves_proof";
  report: { id: string; livemode: boolean; ok: boolean; created_at: number };
  data: {
    asset: string;
    included: boolean;
    root: string | null;
    total: string;
    leaf: { wallet_user_id: string; balance: string; nonce: string; hash: string } | null;
    path: { side: "left" | "right"; hash: string; sum: string }[];
  }[];
}

/** The sandbox test helpers mine at most this many blocks per call (src/crypto/deposits/service.ts). */
export const sandboxMineBlocksMax = 100;

/** How often an open page asks again while a deposit or withdrawal waits for blocks. */
export const cryptoPollMs = 3_000;

/** Assets the address serves, each once (the first chain carrying it), in the API's order. */
export function assetsOf(address: CryptoAddress): CryptoAsset[] {
  const seen = new Set<string>();
  return address.assets.filter((asset) => {
    if (seen.has(asset.asset)) return false;
    seen.add(asset.asset);
    return true;
  });
}
