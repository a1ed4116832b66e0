import type { Queryable } from "../db/pool.js";

/**
 * GET /v1/ops/stored_value/float: per ledger and currency, the platform's float account (what it put on platform
 * cards: its net debit), the value platform cards hold now (their posted balances: what the platform owes their
 * holders), and the platform's breakage (what expired platform cards left, held for a possible return). How these
 * relate is what `coffer verify` proves (docs/ledger.md, "Stored value"). Read from the rows on every call: an
 * operator's page, not a hot path (one pass over the platform cards).
 */
export interface FloatLine {
  livemode: boolean;
  currency: string;
  floatBalance: bigint;
  outstanding: bigint;
  breakage: bigint;
  /** Platform cards that can still pay or be loaded (active or frozen). */
  cards: number;
}

export async function floatReport(db: Queryable): Promise<FloatLine[]> {
  const result = await db.query<{
    ledger: "test" | "live";
    currency: string;
    float_balance: string;
    outstanding: string;
    breakage: string;
    cards: number;
  }>(
    `WITH floats AS (
       SELECT sa.ledger, sa.currency, la.debits_posted - la.credits_posted AS float_balance
         FROM stored_value_accounts sa JOIN ledger_accounts la ON la.id = sa.ledger_account_id
        WHERE sa.purpose = 'float'
     ), breakage AS (
       SELECT sa.ledger, sa.currency, la.credits_posted - la.debits_posted AS breakage
         FROM stored_value_accounts sa JOIN ledger_accounts la ON la.id = sa.ledger_account_id
        WHERE sa.purpose = 'breakage' AND sa.issuer_merchant_id IS NULL
     ), cards AS (
       SELECT CASE WHEN c.livemode THEN 'live' ELSE 'test' END AS ledger, c.currency,
              sum(la.credits_posted - la.debits_posted) AS outstanding,
              count(*) FILTER (WHERE c.status IN ('active', 'frozen'))::int AS cards
         FROM stored_value_cards c
         JOIN wallet_accounts wa ON wa.wallet_user_id = c.wallet_user_id AND wa.currency = c.currency
         JOIN ledger_accounts la ON la.id = wa.ledger_account_id
        WHERE c.issuer_merchant_id IS NULL
        GROUP BY 1, 2
     ), keys AS (
       SELECT ledger, currency FROM floats UNION SELECT ledger, currency FROM breakage
       UNION SELECT ledger, currency FROM cards
     )
     SELECT k.ledger, k.currency, coalesce(f.float_balance, 0)::text AS float_balance,
            coalesce(c.outstanding, 0)::text AS outstanding, coalesce(b.breakage, 0)::text AS breakage,
            coalesce(c.cards, 0) AS cards
       FROM keys k
       LEFT JOIN floats f ON f.ledger = k.ledger AND f.currency = k.currency
       LEFT JOIN breakage b ON b.ledger = k.ledger AND b.currency = k.currency
       LEFT JOIN cards c ON c.ledger = k.ledger AND c.currency = k.currency
      ORDER BY k.ledger, k.currency`,
  );
  return result.rows.map((r) => ({
    livemode: r.ledger === "live",
    currency: r.currency,
    floatBalance: BigInt(r.float_balance),
    outstanding: BigInt(r.outstanding),
    breakage: BigInt(r.breakage),
    cards: r.cards,
  }));
}

export function floatLineJson(line: FloatLine) {
  return {
    object: "stored_value_float" as const,
    livemode: line.livemode,
    currency: line.currency,
    float_balance: String(line.floatBalance),
    outstanding: String(line.outstanding),
    breakage: String(line.breakage),
    cards: line.cards,
  };
}
