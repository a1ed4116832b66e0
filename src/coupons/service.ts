import { randomUUID } from "node:crypto";
import { parseAmount } from "../http/amount.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { balanceOf } from "../ledger/model.js";
import type { PaymentPromotions, PromotionStep } from "../payments/deps.js";
import { ledgerOf } from "../wallets/accounts.js";
import { createPromotionAccounts } from "./accounts.js";
import { createCashback } from "./cashback.js";
import type { PromotionContext, PromotionDeps } from "./context.js";
import { createCoupons } from "./coupons.js";
import { createDiscounts } from "./discounts.js";
import { couponErrors } from "./errors.js";

/**
 * Promotions (docs/coupons.md): coupons and promotion codes, discounts on payments, cashback rules, and the
 * platform's marketing account that platform promotions are funded from. createCouponService returns plain
 * functions for the routes and workers, and `promotions`, what the payment services call (registered with
 * payments.setPromotions in src/runtime/services.ts).
 */
export type CouponService = ReturnType<typeof createCouponService>;

export interface MarketingAccount {
  object: "marketing_account";
  livemode: boolean;
  currency: string;
  /** What platform promotions can still be funded with. */
  available: string;
  /** Everything operators moved in, ever. */
  funded: string;
}

export function createCouponService(deps: PromotionDeps) {
  const accounts = createPromotionAccounts(deps);
  const ctx: PromotionContext = { ...deps, accounts };
  const coupons = createCoupons(ctx);
  const discounts = createDiscounts(ctx);
  const cashback = createCashback(ctx, coupons.fundAndWrite);

  /** Joins the discount's and the cashback's parts of a refund into one step. */
  function joined(steps: PromotionStep[]): PromotionStep {
    return {
      transfers: steps.flatMap((s) => s.transfers),
      async commit(tx, at) {
        for (const step of steps) await step.commit(tx, at);
      },
    };
  }

  const promotions: PaymentPromotions = {
    planDiscount: discounts.planDiscount,
    forCharge: discounts.forCharge,
    async forRefund(payment, refund) {
      const steps: PromotionStep[] = [];
      if (payment.discount) steps.push(await discounts.forRefund(payment, refund));
      if (payment.cashbackAmount > 0n) steps.push(await cashback.forRefund(payment, refund));
      return joined(steps);
    },
    paymentSucceeded: cashback.paymentSucceeded,
  };

  // ---- the platform's marketing account (operators) -------------------------------------------------------------

  async function marketingAccounts(livemode: boolean): Promise<MarketingAccount[]> {
    const found = await deps.pool.query<{
      currency: string;
      credits_posted: bigint;
      debits_posted: bigint;
      debits_pending: bigint;
    }>(
      `SELECT m.currency, a.credits_posted, a.debits_posted, a.debits_pending
         FROM marketing_accounts m JOIN ledger_accounts a ON a.id = m.ledger_account_id
        WHERE m.purpose = 'marketing' AND m.ledger = $1 ORDER BY m.currency`,
      [ledgerOf(livemode)],
    );
    return found.rows.map((row) => ({
      object: "marketing_account" as const,
      livemode,
      currency: row.currency,
      available: String(BigInt(row.credits_posted) - BigInt(row.debits_posted) - BigInt(row.debits_pending)),
      funded: String(row.credits_posted),
    }));
  }

  /**
   * Moves money into the marketing account from the platform's marketing funding account (whose debit balance is
   * what the platform put into marketing). One ledger transfer; the answer is stored with it.
   */
  async function fundMarketing(
    input: { livemode: boolean; currency: string; amount: unknown },
    answer?: AnswerRecorder<MarketingAccount>,
  ): Promise<MarketingAccount> {
    const currency = deps.payments.payments.supportedCurrency(input.currency);
    const amount = parseAmount(input.amount);
    const marketing = await accounts.marketingAccountId(input.livemode, currency);
    const funding = await accounts.marketingFundingAccountId(input.livemode, currency);
    let funded: MarketingAccount | undefined;
    await deps.ledger.createTransfers(
      [
        {
          id: randomUUID(),
          debitAccountId: funding,
          creditAccountId: marketing,
          amount,
          code: "marketing_funding",
          reference: "platform:marketing",
        },
      ],
      async (tx, [result]) => {
        funded = undefined;
        if (result?.code !== "ok") return;
        const account = await deps.ledger.getAccount(marketing, tx);
        const balance = balanceOf(account!);
        funded = {
          object: "marketing_account",
          livemode: input.livemode,
          currency,
          available: String(balance.available),
          funded: String(account!.creditsPosted),
        };
        await answer?.(tx, funded);
      },
    );
    if (!funded) throw couponErrors.toApiError("budget_funds_insufficient", "The marketing account was not funded.");
    return funded;
  }

  return {
    ...coupons,
    changeByPayer: discounts.changeByPayer,
    releaseDue: discounts.releaseDue,
    createCashbackRule: cashback.createRule,
    getCashbackRule: cashback.getRule,
    listCashbackRules: cashback.listRules,
    updateCashbackRule: cashback.updateRule,
    deactivateCashbackRule: cashback.deactivateRule,
    listCashbacks: cashback.listCashbacks,
    creditDue: cashback.creditDue,
    refreshCashbackRules: cashback.refreshRules,
    marketingAccounts,
    fundMarketing,
    promotions,
  };
}
