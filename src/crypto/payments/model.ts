import { qrSvg } from "../../payments/qr.js";
import { toChecksumAddress as getAddress } from "../chain/address.js";

/**
 * Crypto payments (docs/crypto-payments.md): a payment of method "crypto" is paid by sending its asset to
 * an address of its own. Its record is the crypto_payment_details row; the payment row carries the same details as a
 * snapshot (payments.crypto, rewritten with every change by store.ts), which is what the API and events show.
 */

/** An unpaid crypto payment expires after this unless expires_in says otherwise (BTCPay's invoice default too). */
export const cryptoPaymentExpiryMsDefault = 15 * 60 * 1000;

/**
 * A payment whose whole amount was seen before its expiry waits for the confirmations instead of expiring (as
 * BTCPay's "processing" invoices do); while it waits, the expiry pass looks at it again this often, so a deposit
 * that a reorganisation drops ends it then.
 */
export const cryptoPaymentConfirmationRecheckMs = 30 * 1000;

/** What became of the money sent to a payment, beyond its status (BTCPay's "additional status"). */
export const cryptoPaymentOutcomes = ["paid", "underpaid", "overpaid", "paid_late"] as const;
export type CryptoPaymentOutcome = (typeof cryptoPaymentOutcomes)[number];

export const cryptoRefundStatuses = ["pending", "sent", "failed"] as const;
export type CryptoRefundStatus = (typeof cryptoRefundStatuses)[number];

/** Where the rate of a fiat-priced payment came from: none needed (priced in the asset), the sandbox, COFFER_CRYPTO_RATES. */
export type RateSource = "asset" | "fixed" | "configured";

/** payments.crypto: the details row as JSON (amounts as digit strings, times as Unix seconds). */
export interface PaymentCryptoSnapshot {
  chain: string;
  chain_id: number;
  asset: string;
  contract: string | null;
  decimals: number;
  address: string;
  amount: string;
  price_amount: string | null;
  price_currency: string | null;
  rate: string | null;
  rate_source: RateSource;
  confirmations_required: number;
  amount_received: string;
  amount_confirmed: string;
  amount_paid: string;
  amount_held: string;
  amount_refunded: string;
  outcome: CryptoPaymentOutcome | null;
  reorg_shortfall: string;
  refund_address: string | null;
  refund_status: CryptoRefundStatus | null;
  refund_amount: string | null;
  refund_network_fee: string | null;
  refund_tx_hash: string | null;
  refund_sent_at: number | null;
}

export interface CryptoPaymentDetails {
  paymentId: string;
  livemode: boolean;
  chain: string;
  chainId: number;
  asset: string;
  contract: string | null;
  decimals: number;
  address: string;
  amount: bigint;
  priceAmount: bigint | null;
  priceCurrency: string | null;
  rate: string | null;
  rateSource: RateSource;
  confirmationsRequired: number;
  amountReceived: bigint;
  amountConfirmed: bigint;
  amountPaid: bigint;
  amountHeld: bigint;
  amountRefunded: bigint;
  outcome: CryptoPaymentOutcome | null;
  reorgShortfall: bigint;
  refundAddress: string | null;
  refundStatus: CryptoRefundStatus | null;
  refundNumber: number;
  refundAmount: bigint | null;
  refundNetworkFee: bigint | null;
  refundTxHash: string | null;
}

export interface CryptoPaymentDetailsRow {
  payment_id: string;
  livemode: boolean;
  chain: string;
  chain_id: number;
  asset: string;
  contract: string | null;
  decimals: number;
  address: string;
  amount_crypto: string | bigint;
  price_amount: string | bigint | null;
  price_currency: string | null;
  rate: string | null;
  rate_source: RateSource;
  confirmations_required: number;
  amount_received: string | bigint;
  amount_confirmed: string | bigint;
  amount_paid: string | bigint;
  amount_held: string | bigint;
  amount_refunded: string | bigint;
  outcome: CryptoPaymentOutcome | null;
  reorg_shortfall: string | bigint;
  refund_address: string | null;
  refund_status: CryptoRefundStatus | null;
  refund_number: number;
  refund_amount: string | bigint | null;
  refund_network_fee: string | bigint | null;
  refund_tx_hash: string | null;
}

const bigOrNull = (value: string | bigint | null) => (value === null ? null : BigInt(value));

export function detailsFromRow(row: CryptoPaymentDetailsRow): CryptoPaymentDetails {
  return {
    paymentId: row.payment_id,
    livemode: row.livemode,
    chain: row.chain,
    chainId: row.chain_id,
    asset: row.asset,
    contract: row.contract,
    decimals: row.decimals,
    address: row.address,
    amount: BigInt(row.amount_crypto),
    priceAmount: bigOrNull(row.price_amount),
    priceCurrency: row.price_currency,
    rate: row.rate,
    rateSource: row.rate_source,
    confirmationsRequired: row.confirmations_required,
    amountReceived: BigInt(row.amount_received),
    amountConfirmed: BigInt(row.amount_confirmed),
    amountPaid: BigInt(row.amount_paid),
    amountHeld: BigInt(row.amount_held),
    amountRefunded: BigInt(row.amount_refunded),
    outcome: row.outcome,
    reorgShortfall: BigInt(row.reorg_shortfall),
    refundAddress: row.refund_address,
    refundStatus: row.refund_status,
    refundNumber: row.refund_number,
    refundAmount: bigOrNull(row.refund_amount),
    refundNetworkFee: bigOrNull(row.refund_network_fee),
    refundTxHash: row.refund_tx_hash,
  };
}

/**
 * EIP-681 payment request: `ethereum:<address>@<chainId>?value=<wei>` for the native coin,
 * `ethereum:<contract>@<chainId>/transfer?address=<address>&uint256=<amount>` for an ERC-20 token. Wallets that read
 * it fill in the recipient, the chain and the exact amount.
 */
export function eip681Uri(input: {
  address: string;
  chainId: number;
  contract: string | null;
  amount: bigint;
}): string {
  const to = getAddress(input.address);
  if (input.contract === null) return `ethereum:${to}@${input.chainId}?value=${input.amount}`;
  return `ethereum:${getAddress(input.contract)}@${input.chainId}/transfer?address=${to}&uint256=${input.amount}`;
}

/**
 * The `crypto` object of a payment as the API shows it. The amount still due is in the URI: what a payer who sent
 * part of it must add (the whole amount again once the payment ended). svg false: lists and events leave the
 * QR code's SVG out, as they do the payment's own.
 */
export function cryptoPaymentJson(
  snapshot: PaymentCryptoSnapshot,
  payment: { status: string; payerId: string | null; expiresAt: Date },
  options: { svg?: boolean } = {},
) {
  const amount = BigInt(snapshot.amount);
  const open = payment.status === "requires_payment" || payment.status === "processing";
  const received = BigInt(snapshot.amount_received);
  const due = open && received < amount ? amount - received : amount;
  const uri = eip681Uri({
    address: snapshot.address,
    chainId: snapshot.chain_id,
    contract: snapshot.contract,
    amount: due,
  });
  return {
    chain: snapshot.chain,
    chain_id: snapshot.chain_id,
    asset: snapshot.asset,
    contract: snapshot.contract === null ? null : getAddress(snapshot.contract),
    address: getAddress(snapshot.address),
    amount: snapshot.amount,
    amount_due: String(open ? due : 0n),
    price:
      snapshot.price_amount === null
        ? null
        : {
            amount: snapshot.price_amount,
            currency: snapshot.price_currency ?? "",
            rate: snapshot.rate ?? "",
            rate_source: snapshot.rate_source,
          },
    uri,
    qr: { payload: uri, svg: options.svg === false ? null : qrSvg(uri, `Send ${snapshot.asset}`) },
    amount_received: snapshot.amount_received,
    amount_confirmed: snapshot.amount_confirmed,
    amount_held: snapshot.amount_held,
    amount_refunded: snapshot.amount_refunded,
    confirmations_required: snapshot.confirmations_required,
    expires_at: Math.floor(payment.expiresAt.getTime() / 1000),
    outcome: snapshot.outcome,
    paid_with:
      payment.status === "succeeded" ? (payment.payerId === null ? ("chain" as const) : ("wallet" as const)) : null,
    reorg_shortfall: snapshot.reorg_shortfall,
    refund:
      snapshot.refund_status === null
        ? null
        : {
            address: snapshot.refund_address === null ? null : getAddress(snapshot.refund_address),
            status: snapshot.refund_status,
            amount: snapshot.refund_amount,
            network_fee: snapshot.refund_network_fee,
            tx_hash: snapshot.refund_tx_hash,
            sent_at: snapshot.refund_sent_at,
          },
  };
}
export type CryptoPaymentJson = ReturnType<typeof cryptoPaymentJson>;
