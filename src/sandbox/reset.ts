import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { withLease } from "../db/leases.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { type Account, AccountFlags, type TransferInput, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { sandboxResetLeaseMs, sandboxResetPassesMax, sandboxResetWaitMs } from "../limits.js";
import type { WalletServices } from "../wallets/service.js";
import type { ResetCounts } from "./model.js";
import type { TestClocks } from "./test-clock.js";

/**
 * POST /v1/test_helpers/reset: wipes one merchant's test mode (docs/adr/0010-sandbox-reset.md). Ledger transfers
 * are immutable and `coffer verify` proves every balance from them, so the test ledger's history stays: open holds
 * of the merchant's test accounts and test payers are voided, and every remaining balance is moved back to the test
 * ledger's sandbox bank settlement account with an ordinary transfer (code sandbox_reset). Then the business rows go
 * in one transaction: payments, payment links, refunds, payouts, events and their webhook deliveries, scripted
 * answers, test payers and the test clock. Live rows, webhook endpoints and API keys are never touched, nor anything
 * of another merchant (a test payer that paid another merchant's payment keeps its wallet; only its tie to this
 * merchant goes).
 */
export type SandboxReset = ReturnType<typeof createSandboxReset>;

export function createSandboxReset(deps: {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  wallets: WalletServices;
  /** Told when a merchant's test clock row is deleted, so its remembered offset goes too. */
  testClocks?: Pick<TestClocks, "forget">;
}) {
  const { pool, ledger } = deps;

  async function ledgerAccountsOf(db: Queryable, merchantId: string, payers: string[]): Promise<bigint[]> {
    const found = await db.query<{ id: bigint }>(
      `SELECT ledger_account_id AS id FROM merchant_balance_accounts WHERE merchant_id = $1 AND NOT livemode
       UNION ALL
       SELECT ledger_account_id FROM wallet_accounts WHERE wallet_user_id = ANY($2::text[])`,
      [merchantId, payers],
    );
    return found.rows.map((r) => r.id);
  }

  /** Voids the holds of these accounts that nothing posted or voided yet. */
  async function voidOpenHolds(db: Queryable, accountIds: bigint[], resetId: string): Promise<void> {
    const open = await db.query<{ id: string }>(
      `SELECT t.id FROM ledger_transfers t
        WHERE t.flags & ${2} <> 0 AND (t.debit_account_id = ANY($1::bigint[]) OR t.credit_account_id = ANY($1::bigint[]))
          AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)`,
      [accountIds.map(String)],
    );
    if (open.rows.length === 0) return;
    // A void keeps its hold's code (the ledger refuses another one); the reference says who voided it.
    await ledger.createTransfers(
      open.rows.map((hold) => ({
        id: transferIdFor(resetId, "void", hold.id),
        voidPendingId: hold.id,
        reference: "sandbox_reset",
      })),
    );
  }

  /** Moves every non-zero posted balance back to the sandbox bank; true when all were zero already. */
  async function zeroBalances(accountIds: bigint[], resetId: string, pass: number): Promise<number> {
    const accounts = await ledger.getAccounts(accountIds);
    const transfers: TransferInput[] = [];
    for (const account of accounts) {
      const posted = account.creditsPosted - account.debitsPosted;
      if (posted === 0n) continue;
      const settlement = await deps.wallets.accounts.settlementAccountId(false, account.currency, "sandbox");
      transfers.push(zeroingTransfer(account, posted, settlement, `${resetId}:${pass}`));
    }
    if (transfers.length > 0) await ledger.createTransfers(transfers);
    return transfers.length;
  }

  function zeroingTransfer(account: Account, posted: bigint, settlement: bigint, key: string): TransferInput {
    // Merchant and wallet accounts are credit-normal: a positive balance goes back as a debit of the account.
    if ((account.flags & AccountFlags.creditsMustNotExceedDebits) !== 0 || posted < 0n) {
      throw new Error(`ledger account ${account.id} is not a credit-normal account with a balance`);
    }
    return {
      id: transferIdFor(key, String(account.id)),
      debitAccountId: account.id,
      creditAccountId: settlement,
      amount: posted,
      code: "sandbox_reset",
      reference: account.reference ?? undefined,
    };
  }

  async function deleteRows(
    merchantId: string,
    payers: string[],
  ): Promise<Omit<ResetCounts, "ledger_accounts_zeroed">> {
    return withTransaction(pool, async (tx) => {
      const count = async (sql: string, params: unknown[]) => (await tx.query(sql, params)).rowCount ?? 0;
      // Payers that paid another merchant's payment keep their wallet (that merchant's rows reference it).
      const kept = await tx.query<{ payer_id: string }>(
        `SELECT DISTINCT payer_id FROM payments WHERE payer_id = ANY($2::text[])
            AND (NOT (merchant_id = $1 AND NOT livemode) OR method = 'crypto')
         UNION
         -- a payer with a blockchain address keeps it: money may still arrive there, and its deposits and
         -- withdrawals are in the books (src/crypto)
         SELECT wallet_user_id FROM crypto_addresses WHERE wallet_user_id = ANY($2::text[])`,
        [merchantId, payers],
      );
      const keptIds = new Set(kept.rows.map((r) => r.payer_id));
      const removable = payers.filter((id) => !keptIds.has(id));
      const m = [merchantId];
      const mp = [merchantId, removable];
      const testPayments = "SELECT id FROM payments WHERE merchant_id = $1 AND NOT livemode";
      const doomedEvents =
        "SELECT id FROM events WHERE (merchant_id = $1 AND NOT livemode) OR wallet_user_id = ANY($2::text[])";

      const scripted = await count(
        "DELETE FROM sandbox_payer_actions WHERE merchant_id = $1 OR wallet_user_id = ANY($2::text[])",
        mp,
      );
      await count(
        `DELETE FROM payment_reminders WHERE payment_id IN (${testPayments}) OR wallet_user_id = ANY($2::text[])`,
        mp,
      );
      await count(
        `DELETE FROM wallet_payment_codes WHERE payment_id IN (${testPayments}) OR wallet_user_id = ANY($2::text[])`,
        mp,
      );
      // Promotions of the test mode (src/coupons): what references its payments, refunds, coupons and payers first.
      const testCashbacks = `SELECT id FROM cashbacks WHERE payment_id IN (${testPayments}) OR payer_id = ANY($2::text[])`;
      const testCoupons = "SELECT id FROM coupons WHERE merchant_id = $1 AND NOT livemode";
      const testRules = "SELECT id FROM cashback_rules WHERE merchant_id = $1 AND NOT livemode";
      await count(`DELETE FROM cashback_reversals WHERE cashback_id IN (${testCashbacks})`, mp);
      await count(`DELETE FROM cashbacks WHERE id IN (${testCashbacks})`, mp);
      await count(`DELETE FROM cashback_queue WHERE payment_id IN (${testPayments})`, m);
      await count(
        `DELETE FROM cashback_payer_months WHERE payer_id = ANY($2::text[]) OR rule_id IN (${testRules})`,
        mp,
      );
      await count(
        `DELETE FROM coupon_redemptions WHERE payment_id IN (${testPayments}) OR coupon_id IN (${testCoupons})`,
        m,
      );
      await count(
        `DELETE FROM coupon_payer_redemptions WHERE payer_id = ANY($2::text[]) OR coupon_id IN (${testCoupons})`,
        mp,
      );
      await count("DELETE FROM promotion_codes WHERE merchant_id = $1 AND NOT livemode", m);
      await count("DELETE FROM coupons WHERE merchant_id = $1 AND NOT livemode", m);
      await count("DELETE FROM cashback_rules WHERE merchant_id = $1 AND NOT livemode", m);
      const refunds = await count("DELETE FROM refunds WHERE merchant_id = $1 AND NOT livemode", m);
      // Disputes and support tickets of the test mode (their holds were voided with the accounts' other holds).
      const doomedTickets = `SELECT id FROM support_tickets WHERE (merchant_id = $1 AND NOT livemode)
          OR payment_id IN (${testPayments}) OR wallet_user_id = ANY($2::text[])`;
      await count(
        `DELETE FROM support_attachments WHERE ticket_id IN (${doomedTickets})
            OR dispute_id IN (SELECT id FROM disputes WHERE merchant_id = $1 AND NOT livemode)`,
        mp,
      );
      await count(`DELETE FROM support_ticket_messages WHERE ticket_id IN (${doomedTickets})`, mp);
      await count(`DELETE FROM support_tickets WHERE id IN (${doomedTickets})`, mp);
      await count("DELETE FROM disputes WHERE merchant_id = $1 AND NOT livemode", m);
      const payouts = await count("DELETE FROM payouts WHERE merchant_id = $1 AND NOT livemode", m);
      await count(
        `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN (${doomedEvents}))`,
        mp,
      );
      const deliveries = await count(`DELETE FROM webhook_deliveries WHERE event_id IN (${doomedEvents})`, mp);
      const events = await count(
        "DELETE FROM events WHERE (merchant_id = $1 AND NOT livemode) OR wallet_user_id = ANY($2::text[])",
        mp,
      );
      // Crypto payments stay: each has a custody address that may still receive money on chain, and the follower
      // must find the payment that money belongs to (src/crypto/payments).
      const payments = await count(
        "DELETE FROM payments WHERE merchant_id = $1 AND NOT livemode AND method <> 'crypto'",
        m,
      );
      await tx.query("DELETE FROM payment_links WHERE merchant_id = $1 AND NOT livemode", m);
      await tx.query("DELETE FROM tills WHERE merchant_id = $1 AND NOT livemode", m);
      await tx.query("DELETE FROM stores WHERE merchant_id = $1 AND NOT livemode", m);
      await deletePayerRows(tx, removable);
      // Kept payers lose their tie to this merchant and their sessions; their wallet stays for the other merchant.
      await tx.query(
        "UPDATE wallet_sessions SET revoked_at = $2 WHERE wallet_user_id = ANY($1::text[]) AND revoked_at IS NULL",
        [[...keptIds], deps.clock.now()],
      );
      await count("DELETE FROM sandbox_payers WHERE merchant_id = $1", m);
      const testPayers = await count("DELETE FROM wallet_users WHERE id = ANY($1::text[])", [removable]);
      const clocks = await count("DELETE FROM test_clocks WHERE merchant_id = $1", m);
      return {
        payments,
        refunds,
        payouts,
        events,
        webhook_deliveries: deliveries,
        test_payers: testPayers,
        scripted_answers: scripted,
        test_clocks: clocks,
      };
    });
  }

  /** Everything a test payer's wallet holds besides its ledger history, children before parents. */
  async function deletePayerRows(tx: Pick<Pool, "query">, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const p = [ids];
    const byUser = "wallet_user_id = ANY($1::text[])";
    await tx.query(
      `DELETE FROM wallet_bank_settlement_lines WHERE operation_id IN (SELECT id FROM wallet_bank_operations WHERE ${byUser})`,
      p,
    );
    for (const table of ["wallet_top_ups", "wallet_withdrawals", "wallet_bank_operations", "wallet_funding_sources"]) {
      await tx.query(`DELETE FROM ${table} WHERE ${byUser}`, p);
    }
    await tx.query(
      "DELETE FROM wallet_transfers WHERE sender_id = ANY($1::text[]) OR recipient_id = ANY($1::text[])",
      p,
    );
    for (const table of [
      "wallet_spend_counters",
      "wallet_accounts",
      "wallet_sessions",
      "wallet_passkeys",
      "wallet_challenges",
      "wallet_kyc_submissions",
      "wallet_verifications",
      "payment_reminders",
      "wallet_payment_codes",
    ]) {
      await tx.query(`DELETE FROM ${table} WHERE ${byUser}`, p);
    }
  }

  /**
   * Wipes a merchant's test mode; resets of one merchant run one at a time (a lease, src/db/leases.ts). No
   * connection is held across the steps: each reads or writes through the pool or the ledger on its own.
   */
  async function reset(merchantId: string): Promise<ResetCounts> {
    return withLease(
      pool,
      `sandbox_reset:${merchantId}`,
      { ttlMs: sandboxResetLeaseMs, waitMs: sandboxResetWaitMs },
      async () => {
        const payerRows = await pool.query<{ wallet_user_id: string }>(
          "SELECT wallet_user_id FROM sandbox_payers WHERE merchant_id = $1",
          [merchantId],
        );
        const payers = payerRows.rows.map((r) => r.wallet_user_id);
        const accountIds = await ledgerAccountsOf(pool, merchantId, payers);
        const resetId = randomUUID();
        let zeroed = 0;
        await voidOpenHolds(pool, accountIds, resetId);
        // Money that arrives while a pass runs is caught by the next pass.
        for (let pass = 0; pass < sandboxResetPassesMax; pass++) {
          const moved = await zeroBalances(accountIds, resetId, pass);
          zeroed += moved;
          if (moved === 0) break;
        }
        const deleted = await deleteRows(merchantId, payers);
        deps.testClocks?.forget(merchantId);
        deps.wallets.sessions.forgetUsers(payers);
        return { ...deleted, ledger_accounts_zeroed: zeroed };
      },
    );
  }

  return { reset };
}
