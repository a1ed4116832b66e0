import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, PoolClient, Queryable } from "../db/pool.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { type TransferInput, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import {
  storedValueBreakageGraceMs,
  storedValueBreakageReturnActiveMs,
  storedValueExpiryAttemptsMax,
  storedValueExpiryBatchMax,
  storedValueExpiryConcurrencyMax,
  storedValueExpiryLeaseMs,
} from "../limits.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { WalletServices } from "../wallets/service.js";
import type { StoredValueAccounts } from "./accounts.js";
import { storedValueError } from "./errors.js";
import { type CardStatus, cardFromRow, type StoredValueCard, type StoredValueCardRow } from "./model.js";

/**
 * Expiry and breakage (docs/stored-value.md, docs/adr/0027-stored-value-expiry-breakage-and-float.md).
 *
 * A card past its expires_at expires in one ledger submission: its available balance moves to its issuer's breakage
 * account (code sv_breakage) and the hook marks it expired and records stored_value_card.expired, so the money and
 * the status change together. A merchant's test-mode cards expire on the merchant's test clock.
 *
 * Money that reaches a card after it ended (a refund of one of its payments goes to its payer, the card) is moved on
 * by the same pass: an expired card's to breakage too, a claimed card's into the account wallet that claimed it.
 *
 * Cards are claimed with FOR UPDATE SKIP LOCKED and a lease (expiry_lease_until), so several workers share the work
 * and a card whose pass failed waits for the lease instead of being first in line again. Transfer ids derive from
 * the card and its account's balances as read, so two passes that read the same state move the money once.
 */
export interface ExpiryContext {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  wallets: WalletServices;
  testClocks: TestClocks;
  accounts: StoredValueAccounts;
  log?: Logger;
  recordCardEvent(
    tx: Queryable,
    type: "stored_value_card.expired" | "stored_value_card.breakage_returned",
    card: StoredValueCard,
    balance: bigint,
    at: Date,
    previous?: Record<string, unknown>,
  ): Promise<void>;
}

interface AccountState {
  accountId: bigint;
  creditsPosted: bigint;
  debitsPosted: bigint;
  debitsPending: bigint;
  available: bigint;
}

/** The ledger of a card's money moved on, or not: why. */
type Outcome = "done" | "nothing" | "raced";

const activeStatuses: CardStatus[] = ["active", "frozen"];

export function createCardExpiry(ctx: ExpiryContext) {
  const { pool, clock, ledger } = ctx;

  async function accountState(db: Queryable, card: StoredValueCard): Promise<AccountState | undefined> {
    const found = await db.query<{ id: bigint; credits_posted: string; debits_posted: string; debits_pending: string }>(
      `SELECT la.id, la.credits_posted::text, la.debits_posted::text, la.debits_pending::text
         FROM wallet_accounts wa JOIN ledger_accounts la ON la.id = wa.ledger_account_id
        WHERE wa.wallet_user_id = $1 AND wa.currency = $2`,
      [card.walletUserId, card.currency],
    );
    const row = found.rows[0];
    if (!row) return undefined;
    const creditsPosted = BigInt(row.credits_posted);
    const debitsPosted = BigInt(row.debits_posted);
    const debitsPending = BigInt(row.debits_pending);
    return {
      accountId: BigInt(row.id),
      creditsPosted,
      debitsPosted,
      debitsPending,
      available: creditsPosted - debitsPosted - debitsPending,
    };
  }

  /** The time a card lives in: its merchant's test clock for a merchant's test card, else the system clock. */
  function nowOf(card: StoredValueCard, db?: Queryable): Promise<Date> {
    return card.issuerMerchantId !== null && !card.livemode
      ? ctx.testClocks.now(card.issuerMerchantId, false, db)
      : Promise.resolve(clock.now());
  }

  /** A transfer moving what is available on the card to `to`, its id derived from the balances it was read with. */
  function moveOff(card: StoredValueCard, state: AccountState, to: bigint, code: "sv_breakage" | "sv_claim") {
    const version = `${state.creditsPosted}:${state.debitsPosted}:${state.debitsPending}`;
    return {
      id: transferIdFor(card.id, code, version),
      debitAccountId: state.accountId,
      creditAccountId: to,
      amount: state.available,
      code,
      reference: card.id,
    } satisfies TransferInput;
  }

  /** Expires an active or frozen card: its available balance to breakage, its status, its event, together. */
  async function expireOne(card: StoredValueCard): Promise<Outcome> {
    const now = await nowOf(card);
    if (card.expiresAt === null || card.expiresAt > now) return "nothing";
    const state = await accountState(pool, card);
    const amount = state && state.available > 0n ? state.available : 0n;
    const breakage = await ctx.accounts.breakageAccountId(card.livemode, card.issuerMerchantId, card.currency);
    const transfers = amount > 0n && state ? [moveOff(card, state, breakage, "sv_breakage")] : [];
    let outcome: Outcome = "raced";
    await ledger.createTransfers(transfers, async (tx, results) => {
      outcome = "raced";
      if (!results.every((r) => r.code === "ok")) return; // a payment moved the balance first: read it again
      const updated = await tx.query<StoredValueCardRow>(
        `UPDATE stored_value_cards
            SET status = 'expired', expired_at = $2, frozen_by = NULL, expiry_lease_until = NULL,
                breakage_amount = coalesce(breakage_amount, 0) + $3, updated_at = $2
          WHERE id = $1 AND status = ANY($4) AND expires_at <= $2
          RETURNING *`,
        [card.id, now, String(amount), activeStatuses],
      );
      // Unfrozen, reactivated or expired by another pass since it was read: this submission moves nothing.
      if (!updated.rows[0]) throw new Raced();
      await ctx.recordCardEvent(tx, "stored_value_card.expired", cardFromRow(updated.rows[0]), 0n, now, {
        status: card.status,
      });
      outcome = "done";
    });
    return outcome;
  }

  /**
   * Moves money that reached an ended card on: an expired card's to breakage (added to its breakage), a claimed
   * card's into the account wallet that claimed it. Nothing else changes on the card.
   */
  async function sweepOne(card: StoredValueCard): Promise<Outcome> {
    const state = await accountState(pool, card);
    if (!state || state.available <= 0n) return "nothing";
    let to: bigint;
    if (card.status === "expired") {
      to = await ctx.accounts.breakageAccountId(card.livemode, card.issuerMerchantId, card.currency);
    } else {
      const claimer =
        card.claimedBy === null ? undefined : await ctx.wallets.users.get(card.claimedBy).catch(() => undefined);
      // A voucher redeemed onto another card keeps what reaches it later: that card may have ended too.
      if (claimer?.kind !== "account") return "nothing";
      to = await ctx.wallets.accounts.walletAccountId(claimer, card.currency);
    }
    const code = card.status === "expired" ? "sv_breakage" : "sv_claim";
    const now = await nowOf(card);
    let outcome: Outcome = "raced";
    await ledger.createTransfers([moveOff(card, state, to, code)], async (tx, [result]) => {
      outcome = "raced";
      if (result?.code !== "ok") return;
      const updated = await tx.query(
        `UPDATE stored_value_cards
            SET breakage_amount = CASE WHEN status = 'expired' THEN coalesce(breakage_amount, 0) + $3 ELSE breakage_amount END,
                expiry_lease_until = NULL, updated_at = $2
          WHERE id = $1 AND status = $4`,
        [card.id, now, String(state.available), card.status],
      );
      if (updated.rowCount !== 1) throw new Raced();
      outcome = "done";
    });
    return outcome;
  }

  /** Claims due cards (expiring, or ended with money on them) for this pass, with a lease. */
  async function claim(kind: "expire" | "sweep", limit: number, onlyMerchant?: string) {
    const now = clock.now();
    const lease = new Date(now.getTime() + storedValueExpiryLeaseMs);
    const free = "(x.expiry_lease_until IS NULL OR x.expiry_lease_until <= $1)";
    const merchantOnly = onlyMerchant === undefined ? "" : "AND x.issuer_merchant_id = $4 AND NOT x.livemode";
    let candidates: string;
    if (kind === "expire") {
      const system = `SELECT x.id FROM stored_value_cards x
                       WHERE x.status IN ('active', 'frozen') AND x.expires_at <= $1 AND ${free} ${merchantOnly}
                       ORDER BY x.expires_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED`;
      // A merchant's test cards are due on its test clock, which may run ahead of the system's.
      const testClock = `SELECT x.id FROM test_clocks tc
                           JOIN stored_value_cards x ON x.issuer_merchant_id = tc.merchant_id AND NOT x.livemode
                          WHERE tc.offset_ms > 0 AND x.status IN ('active', 'frozen')
                            AND x.expires_at <= $1::timestamptz + tc.offset_ms * interval '1 millisecond'
                            AND ${free} ${merchantOnly}
                          ORDER BY x.expires_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED`;
      candidates = `c.id IN (${system}) OR c.id IN (${testClock})`;
    } else {
      candidates = `c.id IN (
        SELECT x.id FROM stored_value_cards x
          JOIN wallet_accounts wa ON wa.wallet_user_id = x.wallet_user_id AND wa.currency = x.currency
          JOIN ledger_accounts la ON la.id = wa.ledger_account_id
         WHERE x.status IN ('expired', 'closed')
           AND (x.status = 'expired' OR EXISTS (SELECT 1 FROM wallet_users u WHERE u.id = x.claimed_by AND u.kind = 'account'))
           AND la.credits_posted - la.debits_posted - la.debits_pending > 0 AND ${free} ${merchantOnly}
         LIMIT $3 FOR UPDATE OF x SKIP LOCKED)`;
    }
    const claimed = await pool.query<StoredValueCardRow>(
      `UPDATE stored_value_cards c SET expiry_lease_until = $2 WHERE ${candidates} RETURNING c.*`,
      [now, lease, limit, ...(onlyMerchant === undefined ? [] : [onlyMerchant])],
    );
    return claimed.rows.map(cardFromRow);
  }

  async function attempt(card: StoredValueCard, run: (card: StoredValueCard) => Promise<Outcome>): Promise<boolean> {
    for (let i = 0; i < storedValueExpiryAttemptsMax; i++) {
      try {
        const outcome = await run(card);
        if (outcome !== "raced") return outcome === "done";
      } catch (error) {
        if (!(error instanceof Raced)) throw error;
      }
      const fresh = await pool.query<StoredValueCardRow>("SELECT * FROM stored_value_cards WHERE id = $1", [card.id]);
      if (!fresh.rows[0]) return false;
      card = cardFromRow(fresh.rows[0]);
    }
    return false;
  }

  /**
   * One pass: expires due cards, then moves on money that reached ended cards; up to limit of each. Returns how many
   * cards it claimed. onlyMerchant: only that merchant's test cards (advance_time runs its merchant's due work).
   */
  async function runDue(limit = storedValueExpiryBatchMax, onlyMerchant?: string): Promise<number> {
    let claimed = 0;
    for (const kind of ["expire", "sweep"] as const) {
      const cards = await claim(kind, limit, onlyMerchant);
      claimed += cards.length;
      // Cards move their money in parallel submissions, so the ledger writes them in shared group commits instead
      // of one commit after another (each card's own steps stay in order).
      let next = 0;
      const lane = async () => {
        for (let card = cards[next++]; card; card = cards[next++]) {
          try {
            await attempt(card, kind === "expire" ? expireOne : sweepOne);
          } catch (error) {
            ctx.log?.error({ err: error, card: card.id }, "stored-value expiry failed; the lease retries it");
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(storedValueExpiryConcurrencyMax, cards.length) }, lane));
    }
    return claimed;
  }

  /**
   * An operator returns an expired card's breakage onto the card, within storedValueBreakageGraceMs of its expiry:
   * the card is active again for storedValueBreakageReturnActiveMs (its number and secret are the only proof of who
   * holds it, so the money goes back where the holder can reach it). Once per card.
   */
  async function refundBreakage(
    id: string,
    answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>,
  ): Promise<{ card: StoredValueCard; balance: bigint }> {
    const found = await pool.query<StoredValueCardRow>("SELECT * FROM stored_value_cards WHERE id = $1", [id]);
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such stored-value card.", "id");
    const card = cardFromRow(found.rows[0]);
    const now = await nowOf(card);
    const amount = card.breakageAmount ?? 0n;
    const graceEnds = card.expiredAt && new Date(card.expiredAt.getTime() + storedValueBreakageGraceMs);
    if (card.status !== "expired" || amount <= 0n || card.breakageRefundedAt !== null || !graceEnds) {
      throw storedValueError("breakage_refund_unavailable");
    }
    if (now > graceEnds) {
      throw storedValueError(
        "breakage_refund_unavailable",
        `The grace period for returning this card's breakage ended at ${graceEnds.toISOString()}.`,
      );
    }
    const from = await ctx.accounts.breakageAccountId(card.livemode, card.issuerMerchantId, card.currency);
    const to = await ctx.wallets.accounts.walletAccountId(
      { id: card.walletUserId, livemode: card.livemode },
      card.currency,
    );
    let out: { card: StoredValueCard; balance: bigint } | undefined;
    const [result] = await ledger.createTransfers(
      [
        {
          id: transferIdFor(card.id, "breakage_return"),
          debitAccountId: from,
          creditAccountId: to,
          amount,
          code: "sv_breakage_return",
          reference: card.id,
        },
      ],
      async (tx: PoolClient, [r]) => {
        out = undefined;
        if (r?.code !== "ok") return;
        const updated = await tx.query<StoredValueCardRow>(
          `UPDATE stored_value_cards
              SET status = 'active', expires_at = $2, breakage_amount = 0, breakage_refunded_at = $3, updated_at = $3
            WHERE id = $1 AND status = 'expired' AND breakage_refunded_at IS NULL AND breakage_amount = $4
            RETURNING *`,
          [card.id, new Date(now.getTime() + storedValueBreakageReturnActiveMs), now, String(amount)],
        );
        if (!updated.rows[0]) throw storedValueError("breakage_refund_unavailable");
        // A freeze the card had when it expired ended with it (an expired card is not frozen); it pays again.
        await tx.query(
          "UPDATE wallet_users SET frozen_at = NULL, frozen_reason = NULL, updated_at = $2 WHERE id = $1 AND frozen_at IS NOT NULL",
          [card.walletUserId, now],
        );
        const reactivated = cardFromRow(updated.rows[0]);
        await ctx.recordCardEvent(tx, "stored_value_card.breakage_returned", reactivated, amount, now, {
          status: "expired",
          breakage: String(amount),
        });
        out = { card: reactivated, balance: amount };
        await answer?.(tx, out);
      },
    );
    if (out) return out;
    // Another operator's return of the same breakage applied first (the transfer's id is the card's).
    if (result && (result.code === "exists" || result.code.startsWith("exists_with"))) {
      throw storedValueError("breakage_refund_unavailable");
    }
    throw new Error(`the ledger refused a breakage return: ${result?.code}`);
  }

  return { runDue, refundBreakage };
}

/** The card changed between the read and the submission: the submission is dropped and the card read again. */
class Raced extends Error {}
