import type { Queryable } from "../db/pool.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import { isId } from "../ids.js";
import { storeErrors } from "./errors.js";
import { type StoreRow, type TillRow, tillFromRow } from "./model.js";

/** Reads of stores and tills shared with the payments service (a payment taken at a till, the list's filters). */

/** A store of this merchant and mode; another merchant's or mode's id is as unknown as a made-up one. */
export async function findStoreRow(
  db: Queryable,
  scope: MerchantScope,
  id: string,
  lock = false,
): Promise<StoreRow | undefined> {
  if (!isId(id, "sto")) return undefined;
  const result = await db.query<StoreRow>(
    `SELECT * FROM stores WHERE id = $1 AND merchant_id = $2 AND livemode = $3${lock ? " FOR UPDATE" : ""}`,
    [id, scope.merchantId, scope.livemode],
  );
  return result.rows[0];
}

export async function findTillRow(
  db: Queryable,
  scope: MerchantScope,
  id: string,
  lock = false,
): Promise<TillRow | undefined> {
  if (!isId(id, "til")) return undefined;
  const result = await db.query<TillRow>(
    `SELECT * FROM tills WHERE id = $1 AND merchant_id = $2 AND livemode = $3${lock ? " FOR UPDATE" : ""}`,
    [id, scope.merchantId, scope.livemode],
  );
  return result.rows[0];
}

export interface TillOfPayment {
  id: string;
  storeId: string;
}

/**
 * The till a new payment is taken at: the merchant's own of this mode (else 404 like an unknown id), active (else
 * 409 till_inactive) and in the payment's currency (else 400 till_currency_mismatch). Nothing is written.
 */
export async function tillForPayment(
  db: Queryable,
  scope: MerchantScope,
  id: string,
  currency: string,
): Promise<TillOfPayment> {
  if (!isId(id, "til")) throw new ApiError("resource_not_found", "No such till.", "till");
  const result = await db.query<TillRow & { currency: string }>(
    `SELECT t.*, s.currency FROM tills t JOIN stores s ON s.id = t.store_id
      WHERE t.id = $1 AND t.merchant_id = $2 AND t.livemode = $3`,
    [id, scope.merchantId, scope.livemode],
  );
  const row = result.rows[0];
  if (!row) throw new ApiError("resource_not_found", "No such till.", "till");
  if (!row.active) throw storeErrors.toApiError("till_inactive", undefined, "till");
  if (row.currency !== currency) {
    throw storeErrors.toApiError(
      "till_currency_mismatch",
      `This till's store takes ${row.currency}; the payment is in ${currency}.`,
      "currency",
    );
  }
  return { id: row.id, storeId: row.store_id };
}

/** The till behind a scanned QR code's token, with its store's currency and merchant's name, in any mode. */
export async function tillByToken(db: Queryable, token: string) {
  const result = await db.query<TillRow & { currency: string; store_name: string; business_name: string }>(
    `SELECT t.*, s.currency, s.name AS store_name, m.business_name FROM tills t
       JOIN stores s ON s.id = t.store_id JOIN merchants m ON m.id = t.merchant_id
      WHERE t.token = $1`,
    [token],
  );
  const row = result.rows[0];
  return row
    ? { till: tillFromRow(row), currency: row.currency, storeName: row.store_name, merchantName: row.business_name }
    : undefined;
}
