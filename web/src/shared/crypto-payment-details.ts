/**
 * A crypto payment's `crypto` object, as the payment API and the hosted checkout's GET /v1/checkout/{id} give it
 * (src/payments/routes/schemas.ts): the checkout and the console show it.
 */
export interface CryptoPaymentDetails {
  chain: string;
  chain_id: number;
  asset: string;
  contract: string | null;
  /** The asset's decimals, when the API gives them; else coffer's currency table's (ETH 18, USDC 6). */
  decimals?: number;
  address: string;
  amount: string;
  amount_due: string;
  price: { amount: string; currency: string; rate: string; rate_source: "asset" | "fixed" | "configured" } | null;
  uri: string;
  qr: { payload: string; svg: string | null };
  amount_received: string;
  amount_confirmed: string;
  amount_held: string;
  amount_refunded: string;
  confirmations_required: number;
  expires_at: number;
  outcome: "paid" | "underpaid" | "overpaid" | "paid_late" | null;
  paid_with: "chain" | "wallet" | null;
  reorg_shortfall: string;
  refund: {
    address: string | null;
    status: "pending" | "sent" | "failed";
    amount: string | null;
    network_fee: string | null;
    tx_hash: string | null;
    sent_at: number | null;
  } | null;
}
