import type { Queryable } from "../db/pool.js";
import type { LedgerName } from "../ledger/model.js";
import type { StoredValueLimits } from "./config.js";

/**
 * `coffer verify`'s checks of stored value (docs/ledger.md, "Stored value"), from the rows alone, per ledger:
 *
 * - the float: per currency, the platform float account's net debit equals the initial value of every platform card,
 *   and no transfer but a platform card's issue touched it;
 * - breakage: each breakage account (per issuer and currency) holds exactly the breakage its cards say is held;
 * - every card has exactly one wallet account, of its own currency and ledger, shared with nothing;
 * - no card holds more than its balance cap plus what refunds brought back (refunds return a payer's own money and
 *   are not capped; every other way in is);
 * - no expired card keeps money available longer than storedValueExpiredMoneyLateMs after it moved (the worker moves
 *   it on); what is still held for offline codes settles or comes back first.
 */
export type StoredValueViolationKind =
  | "stored_value_float_mismatch"
  | "stored_value_breakage_mismatch"
  | "stored_value_card_account_invalid"
  | "stored_value_card_over_cap"
  | "stored_value_expired_card_holds_money";

export interface StoredValueCheckOptions {
  ledger: LedgerName | null;
  now: Date;
  limit: number;
  /** The balance caps per currency (COFFER_STORED_VALUE_LIMITS). */
  limits: ReadonlyMap<string, StoredValueLimits>;
  /** How long money may sit on an expired card before it counts as late. */
  lateMs: number;
}

export async function verifyStoredValue(
  db: Queryable,
  options: StoredValueCheckOptions,
): Promise<{ kind: StoredValueViolationKind; message: string }[]> {
  const { ledger, limit } = options;
  const out: { kind: StoredValueViolationKind; message: string }[] = [];
  const ledgerOfCard = "CASE WHEN c.livemode THEN 'live' ELSE 'test' END";

  // 1. The float. Per ledger and currency: the float account's net debit, the platform cards' initial values, and
  // what the float account moved that was not a platform card's issue.
  const float = await db.query(
    `WITH floats AS (
       SELECT sa.ledger, sa.currency, la.id, la.debits_posted - la.credits_posted AS net, la.debits_pending + la.credits_pending AS pending
         FROM stored_value_accounts sa JOIN ledger_accounts la ON la.id = sa.ledger_account_id
        WHERE sa.purpose = 'float' AND ($1::text IS NULL OR sa.ledger = $1)
     ), issued AS (
       SELECT ${ledgerOfCard} AS ledger, c.currency, sum(c.initial_value) AS initial
         FROM stored_value_cards c WHERE c.issuer_merchant_id IS NULL
        GROUP BY 1, 2
     ), stray AS (
       SELECT f.ledger, f.currency, count(*) AS n
         FROM floats f JOIN ledger_transfers t ON t.debit_account_id = f.id OR t.credit_account_id = f.id
         LEFT JOIN wallet_accounts wa ON wa.ledger_account_id = t.credit_account_id
         LEFT JOIN stored_value_cards c ON c.wallet_user_id = wa.wallet_user_id AND c.issuer_merchant_id IS NULL
        WHERE t.code <> 'sv_issue' OR t.debit_account_id <> f.id OR c.id IS NULL OR t.reference IS DISTINCT FROM c.id
        GROUP BY 1, 2
     )
     SELECT coalesce(f.ledger, i.ledger) AS ledger, coalesce(f.currency, i.currency) AS currency,
            coalesce(f.net, 0) AS net, coalesce(f.pending, 0) AS pending, coalesce(i.initial, 0) AS initial,
            coalesce(s.n, 0) AS stray
       FROM floats f
       FULL JOIN (SELECT * FROM issued WHERE $1::text IS NULL OR ledger = $1) i
         ON i.ledger = f.ledger AND i.currency = f.currency
       LEFT JOIN stray s ON s.ledger = f.ledger AND s.currency = f.currency
      WHERE coalesce(f.net, 0) <> coalesce(i.initial, 0) OR coalesce(f.pending, 0) <> 0 OR coalesce(s.n, 0) > 0
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of float.rows) {
    out.push({
      kind: "stored_value_float_mismatch",
      message:
        `${r.ledger} ${r.currency}: the float account's net debit ${r.net} ≠ platform cards' initial value ${r.initial}` +
        (Number(r.stray) > 0 ? `, and ${r.stray} of its transfers are not a platform card's issue` : "") +
        (String(r.pending) !== "0" ? `, and it has pending transfers (${r.pending})` : ""),
    });
  }

  // 2. Breakage: each breakage account holds the sum of its issuer's cards' breakage_amount in its ledger and currency.
  const breakage = await db.query(
    `WITH accounts AS (
       SELECT sa.ledger, sa.currency, coalesce(sa.issuer_merchant_id, '') AS issuer,
              la.credits_posted - la.debits_posted AS held
         FROM stored_value_accounts sa JOIN ledger_accounts la ON la.id = sa.ledger_account_id
        WHERE sa.purpose = 'breakage' AND ($1::text IS NULL OR sa.ledger = $1)
     ), cards AS (
       SELECT ${ledgerOfCard} AS ledger, c.currency, coalesce(c.issuer_merchant_id, '') AS issuer,
              sum(coalesce(c.breakage_amount, 0)) AS held
         FROM stored_value_cards c GROUP BY 1, 2, 3
     )
     SELECT coalesce(a.ledger, c.ledger) AS ledger, coalesce(a.currency, c.currency) AS currency,
            coalesce(a.issuer, c.issuer) AS issuer, coalesce(a.held, 0) AS account, coalesce(c.held, 0) AS cards
       FROM accounts a
       FULL JOIN (SELECT * FROM cards WHERE $1::text IS NULL OR ledger = $1) c
         ON c.ledger = a.ledger AND c.currency = a.currency AND c.issuer = a.issuer
      WHERE coalesce(a.held, 0) <> coalesce(c.held, 0)
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of breakage.rows) {
    out.push({
      kind: "stored_value_breakage_mismatch",
      message: `${r.ledger} ${r.currency} ${r.issuer || "platform"}: the breakage account holds ${r.account}, its cards' breakage says ${r.cards}`,
    });
  }

  // 3. A card's money is one wallet account of its own: its wallet user is a card of its mode, with exactly one
  // wallet account, in its currency and ledger, which no other wallet user's row names.
  const accounts = await db.query(
    `SELECT c.id, u.kind, u.livemode AS user_livemode, count(wa.ledger_account_id) AS accounts,
            count(*) FILTER (WHERE wa.currency <> c.currency OR la.currency <> c.currency
                               OR la.ledger <> ${ledgerOfCard} OR la.code <> 'wallet') AS wrong,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM wallet_accounts o
                                            WHERE o.ledger_account_id = wa.ledger_account_id
                                              AND o.wallet_user_id <> wa.wallet_user_id)) AS shared
       FROM stored_value_cards c
       JOIN wallet_users u ON u.id = c.wallet_user_id
       LEFT JOIN wallet_accounts wa ON wa.wallet_user_id = c.wallet_user_id
       LEFT JOIN ledger_accounts la ON la.id = wa.ledger_account_id
      WHERE $1::text IS NULL OR ${ledgerOfCard} = $1
      GROUP BY c.id, u.kind, u.livemode, c.livemode
     HAVING u.kind <> 'card' OR u.livemode <> c.livemode OR count(wa.ledger_account_id) <> 1
         OR count(*) FILTER (WHERE wa.currency <> c.currency OR la.currency <> c.currency
                               OR la.ledger <> ${ledgerOfCard} OR la.code <> 'wallet') > 0
         OR count(*) FILTER (WHERE EXISTS (SELECT 1 FROM wallet_accounts o
                                            WHERE o.ledger_account_id = wa.ledger_account_id
                                              AND o.wallet_user_id <> wa.wallet_user_id)) > 0
      LIMIT $2`,
    [ledger, limit],
  );
  for (const r of accounts.rows) {
    out.push({
      kind: "stored_value_card_account_invalid",
      message:
        `card ${r.id}: wallet user of kind ${r.kind} (livemode ${r.user_livemode}), ${r.accounts} wallet account(s), ` +
        `${r.wrong} of another currency, ledger or code, ${r.shared} shared with another wallet user`,
    });
  }

  // 4. Caps: a card's posted balance ≤ its currency's cap + what refunds credited to it.
  const currencies = [...options.limits.keys()];
  const caps = currencies.map((c) => String(options.limits.get(c)!.balanceCap));
  const overCap = await db.query(
    `SELECT c.id, c.currency, la.credits_posted - la.debits_posted AS balance, cap.amount AS cap,
            coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                       WHERE t.credit_account_id = la.id AND t.code = 'refund'), 0) AS refunded
       FROM stored_value_cards c
       JOIN unnest($3::text[], $4::numeric[]) AS cap(currency, amount) ON cap.currency = c.currency
       JOIN wallet_accounts wa ON wa.wallet_user_id = c.wallet_user_id AND wa.currency = c.currency
       JOIN ledger_accounts la ON la.id = wa.ledger_account_id
      WHERE ($1::text IS NULL OR ${ledgerOfCard} = $1)
        AND la.credits_posted - la.debits_posted > cap.amount
        AND la.credits_posted - la.debits_posted > cap.amount
            + coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                         WHERE t.credit_account_id = la.id AND t.code = 'refund'), 0)
      LIMIT $2`,
    [ledger, limit, currencies, caps],
  );
  for (const r of overCap.rows) {
    out.push({
      kind: "stored_value_card_over_cap",
      message: `card ${r.id}: holds ${r.balance} ${r.currency}, above its cap ${r.cap} plus the ${r.refunded} refunds brought back`,
    });
  }

  // 5. An expired card holds nothing available, but for money that moved less than lateMs ago (a refund, or an
  // offline hold voided: the worker moves it on). Money still held for offline codes is not the card's to keep.
  const late = await db.query(
    `SELECT c.id, c.currency, la.credits_posted - la.debits_posted - la.debits_pending AS balance, c.expired_at
       FROM stored_value_cards c
       JOIN wallet_accounts wa ON wa.wallet_user_id = c.wallet_user_id AND wa.currency = c.currency
       JOIN ledger_accounts la ON la.id = wa.ledger_account_id
      WHERE c.status = 'expired' AND ($1::text IS NULL OR ${ledgerOfCard} = $1)
        AND la.credits_posted - la.debits_posted - la.debits_pending > 0
        AND NOT EXISTS (SELECT 1 FROM ledger_transfers t
                         WHERE (t.credit_account_id = la.id OR t.debit_account_id = la.id)
                           AND t.created_at > $3::timestamptz - make_interval(secs => $4::double precision / 1000))
      LIMIT $2`,
    [ledger, limit, options.now, options.lateMs],
  );
  for (const r of late.rows) {
    out.push({
      kind: "stored_value_expired_card_holds_money",
      message: `card ${r.id}: expired at ${(r.expired_at as Date).toISOString()} and still holds ${r.balance} ${r.currency}`,
    });
  }
  return out;
}
