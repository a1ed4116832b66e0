import type { Queryable } from "../../db/pool.js";
import { type Payment, type PaymentRow, paymentFromRow } from "../../payments/model.js";
import type { CryptoPaymentDetails, CryptoPaymentDetailsRow, RateSource } from "./model.js";
import { detailsFromRow } from "./model.js";

/**
 * The rows of crypto payments. Every change of crypto_payment_details goes through updateDetails, one statement that
 * also rewrites the payment row's snapshot (payments.crypto) from the changed row, so the two never differ.
 */

/** payments.crypto, built from the details row `d` (what PaymentCryptoSnapshot describes). */
const snapshotSql = `jsonb_build_object(
  'chain', d.chain, 'chain_id', d.chain_id, 'asset', d.asset, 'contract', d.contract, 'decimals', d.decimals,
  'address', d.address, 'amount', d.amount_crypto::text, 'price_amount', d.price_amount::text,
  'price_currency', d.price_currency, 'rate', d.rate, 'rate_source', d.rate_source,
  'confirmations_required', d.confirmations_required, 'amount_received', d.amount_received::text,
  'amount_confirmed', d.amount_confirmed::text, 'amount_paid', d.amount_paid::text,
  'amount_held', d.amount_held::text, 'amount_refunded', d.amount_refunded::text, 'outcome', d.outcome,
  'reorg_shortfall', d.reorg_shortfall::text, 'refund_address', d.refund_address, 'refund_status', d.refund_status,
  'refund_amount', d.refund_amount::text, 'refund_network_fee', d.refund_network_fee::text,
  'refund_tx_hash', d.refund_tx_hash,
  'refund_sent_at', floor(extract(epoch FROM d.refund_sent_at))::bigint)`;

export interface NewDetails {
  paymentId: string;
  livemode: boolean;
  chain: string;
  chainId: number;
  asset: string;
  contract: string | null;
  decimals: number;
  address: string;
  amount: bigint;
  price: { amount: bigint; currency: string; rate: string } | null;
  rateSource: RateSource;
  confirmationsRequired: number;
  at: Date;
}

/** Writes a new payment's details and its snapshot; the payment row must exist (same transaction). */
export async function insertDetails(tx: Queryable, d: NewDetails): Promise<Payment> {
  await tx.query(
    `INSERT INTO crypto_payment_details (payment_id, livemode, chain, chain_id, asset, contract, decimals, address,
        amount_crypto, price_amount, price_currency, rate, rate_source, confirmations_required, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
    [
      d.paymentId,
      d.livemode,
      d.chain,
      d.chainId,
      d.asset,
      d.contract,
      d.decimals,
      d.address,
      String(d.amount),
      d.price ? String(d.price.amount) : null,
      d.price?.currency ?? null,
      d.price?.rate ?? null,
      d.rateSource,
      d.confirmationsRequired,
      d.at,
    ],
  );
  return updateDetails(tx, d.paymentId, {}, d.at);
}

export async function getDetails(
  db: Queryable,
  paymentId: string,
  lock = false,
): Promise<CryptoPaymentDetails | undefined> {
  const found = await db.query<CryptoPaymentDetailsRow>(
    `SELECT * FROM crypto_payment_details WHERE payment_id = $1${lock ? " FOR UPDATE" : ""}`,
    [paymentId],
  );
  return found.rows[0] && detailsFromRow(found.rows[0]);
}

/** Columns updateDetails may set. */
export type DetailsChange = Partial<{
  amount_received: bigint;
  amount_confirmed: bigint;
  amount_paid: bigint;
  amount_held: bigint;
  amount_refunded: bigint;
  outcome: string | null;
  reorg_shortfall: bigint;
  refund_address: string;
  refund_status: string;
  refund_number: number;
  refund_amount: bigint;
  refund_network_fee: bigint;
  refund_tx_hash: string | null;
  refund_requested_at: Date;
  refund_sent_at: Date;
}>;

/** Changes the details and rewrites the payment's snapshot in one statement; the payment as it is after. */
export async function updateDetails(
  tx: Queryable,
  paymentId: string,
  change: DetailsChange,
  at: Date,
): Promise<Payment> {
  const params: unknown[] = [paymentId, at];
  const sets = Object.entries(change).map(([column, value]) => {
    params.push(typeof value === "bigint" ? String(value) : value);
    return `${column} = $${params.length}`;
  });
  const updated = await tx.query<PaymentRow>(
    `WITH d AS (
       UPDATE crypto_payment_details SET ${[...sets, "updated_at = $2"].join(", ")}
        WHERE payment_id = $1 RETURNING *
     )
     UPDATE payments p SET crypto = ${snapshotSql}, updated_at = greatest(p.updated_at, $2)
       FROM d WHERE p.id = d.payment_id RETURNING p.*`,
    params,
  );
  const row = updated.rows[0];
  if (!row) throw new Error(`crypto payment ${paymentId} has no details`);
  return paymentFromRow(row);
}

export interface PaymentDeposit {
  depositId: string;
  inclusion: number;
  amount: bigint;
  onTime: boolean;
  state: "pending" | "confirmed" | "orphaned" | "reversed";
}

/** Records a deposit as the payment took it in; false when this inclusion was taken in before. */
export async function insertDeposit(
  tx: Queryable,
  paymentId: string,
  deposit: Omit<PaymentDeposit, "state">,
  at: Date,
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO crypto_payment_deposits (deposit_id, inclusion, payment_id, amount, on_time, state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT DO NOTHING`,
    [deposit.depositId, deposit.inclusion, paymentId, String(deposit.amount), deposit.onTime, at],
  );
  return inserted.rowCount === 1;
}

/** Moves a deposit from one state to the next; undefined when it was not in `from` (already moved). */
export async function moveDeposit(
  tx: Queryable,
  deposit: { depositId: string; inclusion: number },
  from: PaymentDeposit["state"],
  to: PaymentDeposit["state"],
  at: Date,
): Promise<PaymentDeposit | undefined> {
  const moved = await tx.query<{ amount: string; on_time: boolean }>(
    `UPDATE crypto_payment_deposits SET state = $4, updated_at = $5
      WHERE deposit_id = $1 AND inclusion = $2 AND state = $3 RETURNING amount, on_time`,
    [deposit.depositId, deposit.inclusion, from, to, at],
  );
  const row = moved.rows[0];
  return row && { ...deposit, amount: BigInt(row.amount), onTime: row.on_time, state: to };
}

/** What came while the payment could be paid: seen (pending or confirmed) and confirmed. */
export async function onTimeTotals(db: Queryable, paymentId: string): Promise<{ received: bigint; confirmed: bigint }> {
  const found = await db.query<{ received: string; confirmed: string }>(
    `SELECT coalesce(sum(amount) FILTER (WHERE state IN ('pending', 'confirmed')), 0)::text AS received,
            coalesce(sum(amount) FILTER (WHERE state = 'confirmed'), 0)::text AS confirmed
       FROM crypto_payment_deposits WHERE payment_id = $1 AND on_time`,
    [paymentId],
  );
  const row = found.rows[0]!;
  return { received: BigInt(row.received), confirmed: BigInt(row.confirmed) };
}

/** When the expiry pass should look at a payment next (null: never again); only while it is in `statuses`. */
export async function setDueAt(
  db: Queryable,
  paymentId: string,
  dueAt: Date | null,
  statuses: readonly string[],
): Promise<void> {
  await db.query("UPDATE payments SET due_at = $2 WHERE id = $1 AND status = ANY($3::text[])", [
    paymentId,
    dueAt,
    statuses,
  ]);
}
