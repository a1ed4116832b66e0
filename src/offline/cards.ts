import type { Queryable } from "../db/pool.js";
import { ApiError } from "../http/errors.js";
import { storedValueErrors } from "../stored-value/errors.js";

/**
 * What an offline certificate needs of a stored-value card (src/stored-value): whose it is, whether it may pay, its
 * currency, its expiry and its issuer. Read here, not through the stored-value service, so the offline domain does
 * not depend on it: a card is a wallet user of kind card, and its certificate is a wallet user's certificate with
 * the card's limits on top.
 */
export interface CardForCertificate {
  id: string;
  currency: string;
  /** A shop's card (closed loop) pays that merchant only: its certificate names it. null: a platform card. */
  issuerMerchantId: string | null;
  expiresAt: Date | null;
}

/**
 * The card a session may take offline: its own card only (a card session is the card's wallet user). Any other
 * session, and an unknown id, answer 404 alike; a card that cannot pay (frozen, expired, closed) answers
 * card_inactive, as paying with it would.
 */
export async function cardForCertificate(
  db: Queryable,
  walletUserId: string,
  cardId: string,
  now: Date,
): Promise<CardForCertificate> {
  const found = await db.query<{
    id: string;
    currency: string;
    issuer_merchant_id: string | null;
    status: string;
    expires_at: Date | null;
  }>(
    `SELECT id, currency, issuer_merchant_id, status, expires_at FROM stored_value_cards
      WHERE id = $1 AND wallet_user_id = $2`,
    [cardId, walletUserId],
  );
  const card = found.rows[0];
  if (!card) throw new ApiError("resource_not_found", "No such stored-value card.", "id");
  if (card.status !== "active" || (card.expires_at !== null && card.expires_at <= now)) {
    throw storedValueErrors.toApiError("card_inactive", undefined, "id");
  }
  return {
    id: card.id,
    currency: card.currency,
    issuerMerchantId: card.issuer_merchant_id,
    expiresAt: card.expires_at,
  };
}
