import { gather } from "../db/deferred-writes.js";
import type { Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import type { CreatedRange } from "../http/created-filter.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { type Metadata, metadataOf } from "../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { isId, newId } from "../ids.js";
import { isApplied } from "../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../ledger/model.js";
import {
  cashbackAttemptsMax,
  cashbackBatchMax,
  cashbackLeaseMs,
  cashbackRulesRefreshDelayMs,
  cashbackRulesSnapshotMs,
  couponNameLengthMax,
  percentBpsMax,
  timestampSecondsMax,
} from "../limits.js";
import type { PromotionStep } from "../payments/deps.js";
import type { Payment } from "../payments/model.js";
import { getPayment } from "../payments/store.js";
import { defaultStoredValueLimits } from "../stored-value/config.js";
import type { PromotionContext } from "./context.js";
import type { Owner } from "./coupons.js";
import {
  type Cashback,
  type CashbackRow,
  type CashbackRule,
  type CashbackRuleRow,
  cashbackFromRow,
  cashbackJson,
  cashbackMethods,
  cashbackRuleFromRow,
  cashbackRuleJson,
  funderOf,
  minAmount,
  monthOf,
  shareOf,
  walletTypes,
} from "./model.js";
import { nameAndMetadataChange } from "./renaming.js";

/**
 * Cashback (docs/coupons.md): a rule gives payers back a percent of what they paid, capped per payment and per payer
 * per month, from its budget, within its validity and for the payment methods and wallet types it names. The budget
 * moved into the rule's own ledger account when the rule was made, so every credit is a transfer from that account
 * to the payer's wallet (an account or a stored-value card) that the ledger itself keeps within the budget.
 *
 * A succeeded payment is queued in its own transaction when a rule of its merchant or the platform may cover it
 * (an in-memory view of which merchants have active rules, at most cashbackRulesSnapshotMs old, so a payment without
 * promotions costs no query); the cashback worker credits it soon after. Each credit's ledger hook takes the rule's
 * budget, the payer's month and the payment's cashback total with conditional updates, so racing credits and
 * refunds never pass a cap. A refund takes back the cashback's share in its own linked chain, after the refund's
 * money has reached the wallet, never more than the refund pays back.
 */
export interface CreateCashbackRuleInput {
  name: string;
  currency: string;
  percent_bps: number;
  max_per_payment?: unknown;
  max_per_payer_per_month?: unknown;
  budget: unknown;
  valid_from?: number;
  valid_until?: number;
  methods?: string[];
  wallet_types?: string[];
  metadata?: Metadata;
}

/** Thrown in a credit's hook when what it planned on changed: the worker plans again on its next pass. */
class StaleCredit extends Error {}

const ownerSql = "coalesce(merchant_id, '') = coalesce($1::text, '') AND livemode = $2";

export function createCashback(
  ctx: PromotionContext,
  fundAndWrite: <T>(
    owner: Owner,
    currency: string,
    budget: bigint,
    reference: string,
    write: (tx: Queryable, budgetAccountId: bigint) => Promise<T>,
  ) => Promise<T>,
) {
  const { pool, ledger } = ctx;
  const notFound = (param = "id") => new ApiError("resource_not_found", "No such cashback rule.", param);

  function nowFor(owner: Owner, db?: Queryable): Promise<Date> {
    return owner.merchantId === null
      ? Promise.resolve(ctx.clock.now())
      : ctx.testClocks.now(owner.merchantId, owner.livemode, db);
  }

  // ---- which merchants have active rules, in memory -------------------------------------------------------------

  let snapshot: { at: number; scopes: Set<string> } | undefined;
  let refreshing: Promise<void> | undefined;
  let refreshScheduled = false;
  const scopeKey = (merchantId: string | null, livemode: boolean) => `${merchantId ?? "*"}|${livemode}`;

  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const started = Date.now();
        const found = await pool.query<{ merchant_id: string | null; livemode: boolean }>(
          "SELECT DISTINCT merchant_id, livemode FROM cashback_rules WHERE active",
        );
        snapshot = { at: started, scopes: new Set(found.rows.map((r) => scopeKey(r.merchant_id, r.livemode))) };
      } catch {
        // Next time: a stale or missing view queues every succeeded payment, which is safe.
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  /** Whether a rule may cover the payment: exact when the view is fresh, yes when it is stale or not loaded yet. */
  function mayCover(payment: Payment): boolean {
    const view = snapshot;
    if (!view || Date.now() - view.at > cashbackRulesSnapshotMs) {
      // Read outside the payment's transaction, once its holder is done with the connection (a refresh from inside
      // it would be refused: ADR 0012); until then a stale view queues the payment, which is safe.
      if (!refreshing && !refreshScheduled) {
        refreshScheduled = true;
        setTimeout(() => {
          refreshScheduled = false;
          void refresh();
        }, cashbackRulesRefreshDelayMs).unref();
      }
      return true;
    }
    return (
      view.scopes.has(scopeKey(payment.merchantId, payment.livemode)) ||
      view.scopes.has(scopeKey(null, payment.livemode))
    );
  }

  async function paymentSucceeded(tx: Queryable, payment: Payment, at: Date): Promise<void> {
    if (!payment.payerId || !mayCover(payment)) return;
    await gather(tx, (writes) =>
      writes.insert({
        table: "cashback_queue",
        columns: [
          { name: "payment_id", type: "text" },
          { name: "queued_at", type: "timestamptz" },
        ],
        values: [payment.id, at],
      }),
    );
  }

  // ---- rules ----------------------------------------------------------------------------------------------------

  function checkName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > couponNameLengthMax) {
      throw new ApiError("parameter_invalid", `name is 1 to ${couponNameLengthMax} characters.`, "name");
    }
    return trimmed;
  }

  function checkTime(value: number | undefined, param: string): Date | null {
    if (value === undefined) return null;
    if (!Number.isInteger(value) || value < 0 || value > timestampSecondsMax) {
      throw new ApiError("parameter_invalid", `${param} is a time in Unix seconds.`, param);
    }
    return new Date(value * 1000);
  }

  function checkList<T extends string>(values: string[] | undefined, allowed: readonly T[], param: string): T[] {
    if (values === undefined) return [...allowed];
    const unique = [...new Set(values)];
    if (unique.length === 0 || unique.some((v) => !(allowed as readonly string[]).includes(v))) {
      throw new ApiError("parameter_invalid", `${param} is a list of ${allowed.join(", ")}.`, param);
    }
    return unique as T[];
  }

  async function createRule(owner: Owner, input: CreateCashbackRuleInput, answer?: AnswerRecorder<CashbackRule>) {
    const currency = ctx.payments.payments.supportedCurrency(input.currency);
    const name = checkName(input.name);
    if (!Number.isInteger(input.percent_bps) || input.percent_bps < 1 || input.percent_bps > percentBpsMax) {
      throw new ApiError(
        "parameter_invalid",
        `percent_bps is 1 to ${percentBpsMax} (basis points: 150 is 1.5 %).`,
        "percent_bps",
      );
    }
    const maxPerPayment =
      input.max_per_payment === undefined ? null : parseAmount(input.max_per_payment, { param: "max_per_payment" });
    const maxPerMonth =
      input.max_per_payer_per_month === undefined
        ? null
        : parseAmount(input.max_per_payer_per_month, { param: "max_per_payer_per_month" });
    const budget = parseAmount(input.budget, { param: "budget" });
    const validFrom = checkTime(input.valid_from, "valid_from");
    const validUntil = checkTime(input.valid_until, "valid_until");
    const now = await nowFor(owner);
    if (validUntil && (validUntil <= now || (validFrom && validUntil <= validFrom))) {
      throw new ApiError("parameter_invalid", "valid_until must be in the future and after valid_from.", "valid_until");
    }
    const methods = checkList(input.methods, cashbackMethods, "methods");
    const wallets = checkList(input.wallet_types, walletTypes, "wallet_types");
    const metadata = metadataOf(input.metadata);
    const id = newId("cbr");
    const created = await fundAndWrite(owner, currency, budget, `cashback_rule:${id}`, async (tx, account) => {
      const inserted = await tx.query<CashbackRuleRow>(
        `INSERT INTO cashback_rules (id, merchant_id, livemode, name, currency, percent_bps, max_per_payment,
                                     max_per_payer_per_month, budget, valid_from, valid_until, methods, wallet_types,
                                     budget_account_id, active, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, true, $15, $16, $16) RETURNING *`,
        [
          id,
          owner.merchantId,
          owner.livemode,
          name,
          currency,
          input.percent_bps,
          maxPerPayment === null ? null : String(maxPerPayment),
          maxPerMonth === null ? null : String(maxPerMonth),
          String(budget),
          validFrom,
          validUntil,
          methods,
          wallets,
          String(account),
          JSON.stringify(metadata),
          now,
        ],
      );
      const rule = cashbackRuleFromRow(inserted.rows[0]!);
      await recordEvent(
        tx,
        {
          type: "cashback_rule.created",
          merchantId: owner.merchantId,
          livemode: owner.livemode,
          object: cashbackRuleJson(rule),
        },
        now,
      );
      await answer?.(tx, rule);
      return rule;
    });
    // This process sees the new rule at once; others within cashbackRulesSnapshotMs.
    snapshot?.scopes.add(scopeKey(owner.merchantId, owner.livemode));
    return created;
  }

  async function findRule(db: Queryable, owner: Owner, id: string, lock = false): Promise<CashbackRule | undefined> {
    if (!isId(id, "cbr")) return undefined;
    const found = await db.query<CashbackRuleRow>(
      `SELECT * FROM cashback_rules WHERE id = $3 AND ${ownerSql}${lock ? " FOR UPDATE" : ""}`,
      [owner.merchantId, owner.livemode, id],
    );
    return found.rows[0] ? cashbackRuleFromRow(found.rows[0]) : undefined;
  }

  async function getRule(owner: Owner, id: string): Promise<CashbackRule> {
    const rule = await findRule(pool, owner, id);
    if (!rule) throw notFound();
    return rule;
  }

  async function listRules(
    owner: Owner,
    filter: { active?: boolean; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<CashbackRule>> {
    const rows = await keysetPage<CashbackRuleRow>(pool, page, {
      from: "cashback_rules",
      scope: ownerSql,
      filter: `($3::boolean IS NULL OR active = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)`,
      params: [
        owner.merchantId,
        owner.livemode,
        filter.active ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, cashbackRuleFromRow);
  }

  async function updateRule(
    owner: Owner,
    id: string,
    input: { name?: string; metadata?: Metadata },
    answer?: AnswerRecorder<CashbackRule>,
  ): Promise<CashbackRule> {
    return withTransaction(pool, async (tx) => {
      const rule = await findRule(tx, owner, id, true);
      if (!rule) throw notFound();
      const change = nameAndMetadataChange(rule, input, checkName);
      if (!change) {
        await answer?.(tx, rule);
        return rule;
      }
      const now = await nowFor(owner, tx);
      const updated = await tx.query<CashbackRuleRow>(
        "UPDATE cashback_rules SET name = $2, metadata = $3, updated_at = $4 WHERE id = $1 RETURNING *",
        [id, change.name, JSON.stringify(change.metadata), now],
      );
      const after = cashbackRuleFromRow(updated.rows[0]!);
      const previous = change.previous;
      await recordEvent(
        tx,
        {
          type: "cashback_rule.updated",
          merchantId: owner.merchantId,
          livemode: owner.livemode,
          object: cashbackRuleJson(after),
          previousAttributes: previous,
        },
        now,
      );
      await answer?.(tx, after);
      return after;
    });
  }

  /**
   * For good: no payment is credited from the rule any more, and what is left of its budget goes back to where it
   * came from (the merchant's balance, or the marketing account). Calling it again returns what refunds brought back.
   */
  async function deactivateRule(
    owner: Owner,
    id: string,
    answer?: AnswerRecorder<CashbackRule>,
  ): Promise<CashbackRule> {
    const rule = await findRule(pool, owner, id);
    if (!rule) throw notFound();
    const now = await nowFor(owner);
    const sweep = rule.budget - rule.amountCredited;
    const finish = async (tx: Queryable): Promise<CashbackRule> => {
      const updated = await tx.query<CashbackRuleRow>(
        `UPDATE cashback_rules SET active = false, deactivated_at = coalesce(deactivated_at, $2), updated_at = $2,
                budget = budget - $3
          WHERE id = $1 AND budget - amount_credited >= $3 RETURNING *`,
        [id, now, String(sweep)],
      );
      if (!updated.rows[0]) throw new ApiError("service_unavailable", "The rule changed; try again.");
      const after = cashbackRuleFromRow(updated.rows[0]);
      if (rule.active) {
        await recordEvent(
          tx,
          {
            type: "cashback_rule.deactivated",
            merchantId: owner.merchantId,
            livemode: owner.livemode,
            object: cashbackRuleJson(after),
          },
          now,
        );
      }
      await answer?.(tx, after);
      return after;
    };
    if (sweep <= 0n) return withTransaction(pool, finish);
    const destination =
      owner.merchantId === null
        ? await ctx.accounts.marketingAccountId(owner.livemode, rule.currency)
        : await ctx.payments.accounts.merchantAccountId(owner.merchantId, owner.livemode, rule.currency);
    let done: CashbackRule | undefined;
    const results = await ledger.createTransfers(
      [
        {
          id: transferIdFor(id, "sweep", String(rule.budget), String(rule.amountCredited)),
          debitAccountId: rule.budgetAccountId,
          creditAccountId: destination,
          amount: sweep,
          code: "promotion_return",
          reference: id,
        },
      ],
      async (tx, results) => {
        done = undefined;
        if (!results.every((r) => r.code === "ok")) return;
        done = await finish(tx);
      },
    );
    if (done) return done;
    if (results.every((r) => isApplied(r.code))) return getRule(owner, id);
    throw new ApiError("service_unavailable", "The rule's budget changed while it was being returned; try again.");
  }

  // ---- credits --------------------------------------------------------------------------------------------------

  async function listCashbacks(
    owner: Owner,
    filter: { rule?: string; payment?: string; created?: CreatedRange },
    page: PageRequest,
  ): Promise<ListPage<{ cashback: Cashback; fundedBy: "merchant" | "platform" }>> {
    if (filter.rule !== undefined && !(await findRule(pool, owner, filter.rule))) throw notFound("cashback_rule");
    // A merchant sees the cashback on its own payments (its rules' and the platform's); the platform its rules'.
    const rows = await keysetPage<CashbackRow & { rule_merchant_id: string | null }>(pool, page, {
      from: `(SELECT c.*, r.merchant_id AS rule_merchant_id FROM cashbacks c JOIN cashback_rules r ON r.id = c.rule_id)
             AS cashbacks`,
      scope:
        owner.merchantId === null
          ? "rule_merchant_id IS NULL AND livemode = $2 AND $1::text IS NULL"
          : "merchant_id = $1 AND livemode = $2",
      filter: `($3::text IS NULL OR rule_id = $3) AND ($4::text IS NULL OR payment_id = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)`,
      params: [
        owner.merchantId,
        owner.livemode,
        filter.rule ?? null,
        filter.payment ?? null,
        filter.created?.gte ?? null,
        filter.created?.lt ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, (row) => ({
      cashback: cashbackFromRow(row),
      fundedBy: row.rule_merchant_id === null ? "platform" : "merchant",
    }));
  }

  /** What a rule gives on this payment now, within its caps and what is left of its budget (0: nothing). */
  async function amountFor(rule: CashbackRule, payment: Payment): Promise<bigint> {
    // What a dispute holds (src/disputes) earns no cashback either.
    const disputed = (payment as { amountDisputed?: bigint }).amountDisputed ?? 0n;
    const paid = payment.amountCaptured - payment.amountRefunded - disputed;
    if (paid <= 0n) return 0n;
    let amount = (paid * BigInt(rule.percentBps)) / 10_000n;
    if (rule.maxPerPayment !== null && amount > rule.maxPerPayment) amount = rule.maxPerPayment;
    if (rule.maxPerPayerPerMonth !== null) {
      const used = await pool.query<{ amount: bigint }>(
        "SELECT amount FROM cashback_payer_months WHERE rule_id = $1 AND payer_id = $2 AND month = $3",
        [rule.id, payment.payerId, monthOf(payment.paidAt!)],
      );
      const left = rule.maxPerPayerPerMonth - (used.rows[0]?.amount ?? 0n);
      if (amount > left) amount = left;
    }
    const budgetLeft = rule.budget - rule.amountCredited;
    if (amount > budgetLeft) amount = budgetLeft;
    return amount > 0n ? amount : 0n;
  }

  /**
   * A prepaid card takes cashback up to its balance cap and no further (only refunds may pass it, docs/stored-value.md),
   * and only while active: an ended card's money goes to breakage, so it earns none.
   */
  async function cardCapOf(payment: Payment): Promise<bigint | undefined> {
    const card = await pool.query<{ status: string }>(
      "SELECT status FROM stored_value_cards WHERE wallet_user_id = $1",
      [payment.payerId],
    );
    if (card.rows[0]?.status !== "active") return 0n;
    const limits = (ctx.wallets.config.cardLimits ?? defaultStoredValueLimits()).get(payment.currency);
    return limits?.balanceCap ?? 0n;
  }

  async function creditOne(rule: CashbackRule, payment: Payment, cardCap: bigint | undefined): Promise<void> {
    let amount = await amountFor(rule, payment);
    if (amount === 0n) return;
    const payerId = payment.payerId!;
    const wallet = await ctx.wallets.accounts.walletAccountId(
      { id: payerId, livemode: payment.livemode },
      payment.currency,
    );
    if (cardCap !== undefined) {
      const account = await ledger.getAccount(wallet);
      const room = cardCap - (account ? account.creditsPosted - account.debitsPosted : 0n);
      amount = minAmount(amount, room);
      if (amount <= 0n) return;
    }
    const id = newId("cb");
    const month = monthOf(payment.paidAt!);
    await ledger.createTransfers(
      [
        {
          id: transferIdFor(rule.id, payment.id, "cashback"),
          debitAccountId: rule.budgetAccountId,
          creditAccountId: wallet,
          amount,
          code: "cashback",
          reference: id,
        },
      ],
      async (tx, [result]) => {
        if (result?.code !== "ok") return; // exists: credited by an earlier pass that died before its queue row went
        if (cardCap !== undefined) {
          // The card's balance after this credit (the batch holds its account): a load in between would pass the cap.
          const card = await tx.query<{ balance: bigint }>(
            "SELECT credits_posted - debits_posted AS balance FROM ledger_accounts WHERE id = $1",
            [String(wallet)],
          );
          if (BigInt(card.rows[0]!.balance) > cardCap) throw new StaleCredit();
        }
        const at = await ctx.testClocks.now(payment.merchantId, payment.livemode, tx);
        // The payment as it was planned on: a refund since would make the amount too large.
        const counted = await tx.query(
          `UPDATE payments SET cashback_amount = cashback_amount + $2
            WHERE id = $1 AND status = 'succeeded' AND amount_refunded = $3`,
          [payment.id, String(amount), String(payment.amountRefunded)],
        );
        if (counted.rowCount !== 1) throw new StaleCredit();
        const budget = await tx.query(
          `UPDATE cashback_rules SET amount_credited = amount_credited + $2, updated_at = $3
            WHERE id = $1 AND active AND amount_credited + $2 <= budget`,
          [rule.id, String(amount), at],
        );
        if (budget.rowCount !== 1) throw new StaleCredit();
        const monthly = await tx.query(
          `INSERT INTO cashback_payer_months (rule_id, payer_id, month, amount) VALUES ($1, $2, $3, $4)
           ON CONFLICT (rule_id, payer_id, month) DO UPDATE SET amount = cashback_payer_months.amount + EXCLUDED.amount
            WHERE $5::numeric IS NULL OR cashback_payer_months.amount + EXCLUDED.amount <= $5::numeric
           RETURNING amount`,
          [
            rule.id,
            payerId,
            month,
            String(amount),
            rule.maxPerPayerPerMonth === null ? null : String(rule.maxPerPayerPerMonth),
          ],
        );
        if (monthly.rows.length !== 1) throw new StaleCredit();
        const inserted = await tx.query<CashbackRow>(
          `INSERT INTO cashbacks (id, rule_id, payment_id, merchant_id, livemode, payer_id, currency, amount, created_at,
                                  updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
          [
            id,
            rule.id,
            payment.id,
            payment.merchantId,
            payment.livemode,
            payerId,
            payment.currency,
            String(amount),
            at,
          ],
        );
        await recordEvent(
          tx,
          {
            type: "cashback.credited",
            merchantId: payment.merchantId,
            walletUserId: payerId,
            livemode: payment.livemode,
            object: cashbackJson(cashbackFromRow(inserted.rows[0]!), funderOf(rule)),
          },
          at,
        );
      },
    );
  }

  /** The rules that cover a succeeded payment (paid from their start on) and have not credited it yet. */
  async function rulesFor(payment: Payment, walletType: string): Promise<CashbackRule[]> {
    const found = await pool.query<CashbackRuleRow>(
      `SELECT * FROM cashback_rules r
        WHERE active AND livemode = $1 AND currency = $2 AND (merchant_id = $3 OR merchant_id IS NULL)
          AND $4 = ANY(methods) AND $5 = ANY(wallet_types)
          AND coalesce(valid_from, created_at) <= $6 AND (valid_until IS NULL OR valid_until > $6)
          AND NOT EXISTS (SELECT 1 FROM cashbacks c WHERE c.rule_id = r.id AND c.payment_id = $7)
        ORDER BY created_at, id`,
      [payment.livemode, payment.currency, payment.merchantId, payment.method, walletType, payment.paidAt, payment.id],
    );
    return found.rows.map(cashbackRuleFromRow);
  }

  /** Credits one queued payment from every rule that covers it. False when a credit must be tried again. */
  async function creditPayment(paymentId: string): Promise<boolean> {
    const payment = await getPayment(pool, paymentId);
    if (payment?.status !== "succeeded" || !payment.payerId || !payment.paidAt) return true;
    const payer = await pool.query<{ kind: string }>("SELECT kind FROM wallet_users WHERE id = $1", [payment.payerId]);
    const walletType = payer.rows[0]?.kind === "card" ? "stored_value" : "account";
    const rules = await rulesFor(payment, walletType);
    const cardCap = walletType === "stored_value" && rules.length > 0 ? await cardCapOf(payment) : undefined;
    for (const rule of rules) {
      try {
        await creditOne(rule, await freshPayment(payment.id), cardCap);
      } catch (error) {
        if (error instanceof StaleCredit) return false;
        throw error;
      }
    }
    return true;
  }

  async function freshPayment(id: string): Promise<Payment> {
    const payment = await getPayment(pool, id);
    if (!payment) throw new Error(`payment ${id} vanished`);
    return payment;
  }

  /**
   * The cashback worker's pass: leases queued payments (so several workers share them), credits each, and deletes
   * its queue row. A payment whose credit lost a race is tried again on the next pass; one that keeps failing is
   * dropped after cashbackAttemptsMax tries (and logged). Returns how many payments were done.
   */
  async function creditDue(limit = cashbackBatchMax): Promise<number> {
    const now = ctx.clock.now();
    const leased = await pool.query<{ id: string; payment_id: string; attempts: number }>(
      `UPDATE cashback_queue SET leased_until = $2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM cashback_queue WHERE leased_until IS NULL OR leased_until < $3
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, payment_id, attempts`,
      [limit, new Date(now.getTime() + cashbackLeaseMs), now],
    );
    let done = 0;
    for (const row of leased.rows) {
      let finished = false;
      try {
        finished = await creditPayment(row.payment_id);
      } catch (error) {
        ctx.log.error({ err: error, payment: row.payment_id }, "cashback credit failed");
      }
      if (finished || row.attempts >= cashbackAttemptsMax) {
        if (!finished) ctx.log.error({ payment: row.payment_id }, "cashback dropped after too many attempts");
        await pool.query("DELETE FROM cashback_queue WHERE id = $1", [row.id]);
        done++;
      } else {
        await pool.query("UPDATE cashback_queue SET leased_until = NULL WHERE id = $1", [row.id]);
      }
    }
    if (leased.rows.length > 0 || !snapshot || Date.now() - snapshot.at > cashbackRulesSnapshotMs) await refresh();
    return done;
  }

  // ---- refunds --------------------------------------------------------------------------------------------------

  /** A refund's part: each cashback's share back from the payer's wallet to its rule's budget. */
  async function forRefund(
    payment: Payment,
    refund: { id: string; amount: bigint; completes: boolean },
  ): Promise<PromotionStep> {
    const found = await pool.query<CashbackRow & { budget_account_id: bigint; rule_merchant_id: string | null }>(
      `SELECT c.*, r.budget_account_id, r.merchant_id AS rule_merchant_id FROM cashbacks c JOIN cashback_rules r ON r.id = c.rule_id
        WHERE c.payment_id = $1 ORDER BY c.created_at, c.id`,
      [payment.id],
    );
    if (found.rows.length === 0) return { transfers: [], commit: async () => {} };
    const wallet = await ctx.wallets.accounts.walletAccountId(
      { id: payment.payerId!, livemode: payment.livemode },
      payment.currency,
    );
    // Never more than the refund pays back, so the reversal is always covered by the refund before it in the chain.
    let room = refund.amount;
    const shares: { cashback: Cashback; share: bigint; ruleId: string; fundedBy: "merchant" | "platform" }[] = [];
    const transfers: TransferInput[] = [];
    for (const row of found.rows) {
      const cashback = cashbackFromRow(row);
      const left = cashback.amount - cashback.amountReversed;
      const proportional = shareOf(cashback.amount, refund.amount, payment.amountCaptured);
      let share = refund.completes ? left : minAmount(proportional, left);
      if (share > room) share = room;
      if (share <= 0n) continue;
      room -= share;
      shares.push({ cashback, share, ruleId: row.rule_id, fundedBy: funderOf({ merchantId: row.rule_merchant_id }) });
      transfers.push({
        id: transferIdFor(refund.id, "cashback_reversal", cashback.id),
        debitAccountId: wallet,
        creditAccountId: BigInt(row.budget_account_id),
        amount: share,
        code: "cashback_reversal",
        reference: refund.id,
      });
    }
    return {
      transfers,
      async commit(tx, at) {
        for (const { cashback, share, ruleId, fundedBy } of shares) {
          const changed = await tx.query<CashbackRow>(
            `UPDATE cashbacks SET amount_reversed = amount_reversed + $2, updated_at = $3
              WHERE id = $1 AND amount_reversed = $4 RETURNING *`,
            [cashback.id, String(share), at, String(cashback.amountReversed)],
          );
          if (!changed.rows[0]) throw new Error(`cashback ${cashback.id} changed during a refund`);
          await tx.query(
            "UPDATE cashback_rules SET amount_credited = amount_credited - $2, updated_at = $3 WHERE id = $1",
            [ruleId, String(share), at],
          );
          await tx.query(
            "INSERT INTO cashback_reversals (id, cashback_id, refund_id, amount, created_at) VALUES ($1, $2, $3, $4, $5)",
            [newId("cbv"), cashback.id, refund.id, String(share), at],
          );
          await recordEvent(
            tx,
            {
              type: "cashback.reversed",
              merchantId: payment.merchantId,
              walletUserId: payment.payerId,
              livemode: payment.livemode,
              object: cashbackJson(cashbackFromRow(changed.rows[0]), fundedBy),
              previousAttributes: { amount_reversed: String(cashback.amountReversed) },
            },
            at,
          );
        }
      },
    };
  }

  return {
    createRule,
    getRule,
    listRules,
    updateRule,
    deactivateRule,
    listCashbacks,
    paymentSucceeded,
    creditDue,
    forRefund,
    refreshRules: refresh,
  };
}
