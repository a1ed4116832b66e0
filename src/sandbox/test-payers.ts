import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { parseAmount } from "../http/amount.js";
import { ApiError } from "../http/errors.js";
import { isId } from "../ids.js";
import { isApplied } from "../ledger/errors.js";
import { balanceOf, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { sandboxPayerCacheEntriesMax, sandboxTestPayerBalanceDefault } from "../limits.js";
import type { PaymentSandboxHook, SandboxPaymentPlan } from "../payments/deps.js";
import type { Payment } from "../payments/model.js";
import type { Tier } from "../wallets/config.js";
import { walletError } from "../wallets/errors.js";
import { limitsOf, walletCurrency } from "../wallets/limits/tiers.js";
import type { WalletServices } from "../wallets/service.js";
import type { SessionMeta } from "../wallets/users/sessions.js";
import {
  type SandboxPayer,
  type SandboxPayerRow,
  sandboxPayerFromRow,
  type TestWalletUserJson,
  testWalletUserJson,
} from "./model.js";
import { type ScenarioName, scenarioCatalog, scenarioOfCode } from "./scenarios.js";
import type { TestClocks } from "./test-clock.js";

/**
 * Test payers: real test-mode wallet users with real balances in the test ledger, owned by the merchant that made
 * them. Their opening balance is one ledger transfer from the test ledger's sandbox bank settlement account (where
 * sandbox top-ups come from too) to the payer's wallet account, so `coffer verify --ledger test` sees ordinary
 * double entry. A payer is usable (ready) once that transfer is in, set in the same transaction.
 *
 * Scenario payers stand behind the magic payment codes: one per merchant, scenario and currency, made on first use.
 * Two first uses at once are serialized by an advisory lock on that key, so exactly one payer is made and funded.
 */
export interface SandboxDeps {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  wallets: WalletServices;
  testClocks: TestClocks;
}

export interface CreateTestPayerInput {
  currency: string;
  balance?: unknown;
  tier?: Tier;
  passwordFreeLimit?: unknown;
  email?: string;
  scenario?: ScenarioName;
}

export type TestPayers = ReturnType<typeof createTestPayers>;

const sandboxConnector = "sandbox";
const scenarioPayerAttemptsMax = 3; // a lost race to make the scenario payer is followed by finding the winner's

export function createTestPayers(deps: SandboxDeps) {
  const { pool, clock, ledger, wallets } = deps;

  async function find(db: Queryable, walletUserId: string): Promise<SandboxPayer | undefined> {
    if (!isId(walletUserId, "wal")) return undefined;
    const found = await db.query<SandboxPayerRow>("SELECT * FROM sandbox_payers WHERE wallet_user_id = $1", [
      walletUserId,
    ]);
    return found.rows[0] ? sandboxPayerFromRow(found.rows[0]) : undefined;
  }

  /** The merchant's own test payer, or 404 like any other object of another merchant. */
  async function ownedBy(merchantId: string, walletUserId: string, param = "wallet_user"): Promise<SandboxPayer> {
    const payer = await find(pool, walletUserId);
    if (!payer || payer.merchantId !== merchantId) {
      throw new ApiError("resource_not_found", "No such test wallet user.", param);
    }
    return payer;
  }

  /** Checks the whole request before anything is written: amounts, currency, the tier's balance cap. */
  function parseInput(input: CreateTestPayerInput) {
    const currency = walletCurrency(wallets.config, input.currency);
    const scenario = input.scenario ? scenarioCatalog[input.scenario] : undefined;
    const tier: Tier = input.tier ?? scenario?.state.tier ?? 1;
    const cap = limitsOf(wallets.config, { tier }, currency).balanceCap;
    // By default the usual opening balance, or as much as the tier may hold if that is less (bigints: no Math.min).
    let defaultBalance = scenario?.state.empty ? 0n : sandboxTestPayerBalanceDefault;
    if (defaultBalance > cap) defaultBalance = cap;
    const balance =
      input.balance === undefined ? defaultBalance : parseAmount(input.balance, { allowZero: true, param: "balance" });
    const passwordFreeLimit =
      input.passwordFreeLimit === undefined
        ? null
        : parseAmount(input.passwordFreeLimit, { allowZero: true, param: "password_free_limit" });
    if (balance > cap) {
      throw walletError(
        "balance_cap_exceeded",
        `A tier ${tier} wallet holds at most ${cap} (minor units of ${currency}).`,
        "balance",
      );
    }
    return { currency, tier, balance, passwordFreeLimit, frozen: scenario?.state.frozen ?? false };
  }

  /** Makes the wallet user and its sandbox row (not ready yet), in one transaction. */
  async function insertPayer(
    values: ReturnType<typeof parseInput> & {
      merchantId: string;
      kind: "payer" | "scenario";
      scenario: ScenarioName | null;
      email: string;
    },
    meta: SessionMeta | null,
  ) {
    return withTransaction(pool, async (tx) => {
      const { user, token } = await wallets.users.createTestModeUser(
        tx,
        {
          email: values.email,
          displayName: values.scenario ? `Test payer (${values.scenario})` : "Test payer",
          tier: values.tier,
          frozen: values.frozen,
        },
        meta,
      );
      const inserted = await tx.query<SandboxPayerRow>(
        `INSERT INTO sandbox_payers (wallet_user_id, merchant_id, kind, scenario, currency, opening_balance,
                                     password_free_limit, ready, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          user.id,
          values.merchantId,
          values.kind,
          values.scenario,
          values.currency,
          String(values.balance),
          values.passwordFreeLimit === null ? null : String(values.passwordFreeLimit),
          values.balance === 0n,
          clock.now(),
        ],
      );
      return { user, token, payer: sandboxPayerFromRow(inserted.rows[0]!) };
    });
  }

  /**
   * Opens the payer's wallet account and moves its opening balance there from the sandbox bank settlement account;
   * the payer becomes ready in the same transaction. Idempotent: the transfer id is the payer's.
   */
  async function fund(payer: SandboxPayer): Promise<SandboxPayer> {
    const wallet = await wallets.accounts.walletAccountId({ id: payer.walletUserId, livemode: false }, payer.currency);
    if (payer.openingBalance === 0n) return payer;
    const settlement = await wallets.accounts.settlementAccountId(false, payer.currency, sandboxConnector);
    const [result] = await ledger.createTransfers(
      [
        {
          id: transferIdFor(payer.walletUserId, "sandbox_opening_balance"),
          debitAccountId: settlement,
          creditAccountId: wallet,
          amount: payer.openingBalance,
          code: "sandbox_funding",
          reference: payer.walletUserId,
        },
      ],
      async (tx, [applied]) => {
        if (applied && isApplied(applied.code)) {
          await tx.query("UPDATE sandbox_payers SET ready = true WHERE wallet_user_id = $1", [payer.walletUserId]);
        }
      },
    );
    if (!result || !isApplied(result.code)) {
      throw new Error(`the test ledger refused the opening balance of ${payer.walletUserId}: ${result?.code}`);
    }
    return { ...payer, ready: true };
  }

  /** POST /v1/test_helpers/wallet_users: a funded test payer and a wallet session token to act as it. */
  async function create(
    merchantId: string,
    input: CreateTestPayerInput,
    meta: SessionMeta,
  ): Promise<TestWalletUserJson> {
    const values = parseInput(input);
    const email = input.email ?? `payer-${randomBytes(6).toString("hex")}@sandbox.coffer.test`;
    const made = await insertPayer(
      { ...values, merchantId, kind: "payer", scenario: input.scenario ?? null, email },
      meta,
    );
    const payer = await fund(made.payer);
    return testWalletUserJson(payer, made.user, await balance(payer), made.token!);
  }

  async function balance(payer: SandboxPayer): Promise<bigint> {
    const account = await wallets.accounts.walletAccountId({ id: payer.walletUserId, livemode: false }, payer.currency);
    const found = await ledger.getAccount(account);
    return found ? balanceOf(found).available : 0n;
  }

  async function findScenarioPayer(
    db: Queryable,
    merchantId: string,
    scenario: ScenarioName,
    currency: string,
  ): Promise<SandboxPayer | undefined> {
    const found = await db.query<SandboxPayerRow>(
      `SELECT * FROM sandbox_payers WHERE merchant_id = $1 AND kind = 'scenario' AND scenario = $2 AND currency = $3`,
      [merchantId, scenario, currency],
    );
    return found.rows[0] ? sandboxPayerFromRow(found.rows[0]) : undefined;
  }

  /**
   * The merchant's payer of a scenario in a currency, made and funded on first need. Two first uses at once are
   * settled by the unique index on (merchant, scenario, currency): the loser finds the winner's payer. Funding is
   * idempotent (the transfer id is the payer's), so both may fund; the money moves once. No lock is held across the
   * steps: each is its own transaction.
   */
  async function scenarioPayer(merchantId: string, scenario: ScenarioName, currency: string): Promise<string> {
    for (let attempt = 0; attempt < scenarioPayerAttemptsMax; attempt++) {
      const existing = await findScenarioPayer(pool, merchantId, scenario, currency);
      if (existing?.ready) return existing.walletUserId;
      let payer = existing;
      if (!payer) {
        try {
          payer = (
            await insertPayer(
              {
                ...parseInput({ currency, scenario }),
                merchantId,
                kind: "scenario",
                scenario,
                email: `${scenario.replace(/_/g, "-")}-${randomBytes(6).toString("hex")}@sandbox.coffer.test`,
              },
              null,
            )
          ).payer;
        } catch (error) {
          if ((error as { code?: string }).code === "23505") continue; // another request made it first
          throw error;
        }
      }
      return (await fund(payer)).walletUserId;
    }
    throw new Error(`the sandbox payer ${scenario} of ${merchantId} could not be made`);
  }

  /**
   * The payer's sandbox scenario, if it is a test payer with one. A ready payer's row never changes (reset deletes
   * it together with its wallet user, whose payments then cannot exist), so it is remembered; so is "not a test
   * payer", which no wallet user ever becomes later.
   */
  const scenarioCache = new Map<string, SandboxPayer | null>();
  async function scenarioOf(walletUserId: string, db: Queryable = pool) {
    let payer = scenarioCache.get(walletUserId);
    if (payer === undefined) {
      const found = await find(db, walletUserId);
      payer = found ?? null;
      if (!found || found.ready) {
        if (scenarioCache.size >= sandboxPayerCacheEntriesMax) scenarioCache.clear();
        scenarioCache.set(walletUserId, payer);
      }
    }
    return { payer, scenario: payer?.scenario ? scenarioCatalog[payer.scenario] : undefined };
  }

  /** What payments ask about test payers (see PaymentSandboxHook in src/payments/deps.ts). */
  const paymentHook: PaymentSandboxHook = {
    async payerForCode(merchantId, code, currency) {
      const scenario = scenarioOfCode(code);
      if (!scenario || !wallets.config.tiers.has(currency)) return undefined;
      return scenarioPayer(merchantId, scenario.name, currency);
    },

    async planFor(payerId: string, payment: Payment): Promise<SandboxPaymentPlan> {
      const { payer, scenario } = await scenarioOf(payerId);
      if (!payer) return { kind: "default" };
      if (scenario?.refusal === "limit_exceeded") {
        return {
          kind: "refuse",
          code: "limit_exceeded",
          message: "The payer's identity tier does not allow this payment (sandbox scenario limit_exceeded).",
        };
      }
      if (scenario?.refusal === "risk_declined") {
        return {
          kind: "refuse",
          code: "risk_declined",
          message: "coffer's risk checks refused the payment (sandbox scenario risk_declined).",
        };
      }
      if (payer.passwordFreeLimit !== null) {
        return { kind: payment.amount <= payer.passwordFreeLimit ? "charge" : "await_payer" };
      }
      return scenario ? { kind: scenario.codePath === "charge" ? "charge" : "await_payer" } : { kind: "default" };
    },

    async awaitingPayer(tx, payment) {
      if (!payment.payerId) return;
      const { scenario } = await scenarioOf(payment.payerId, tx);
      if (!scenario?.answer) return;
      const now = await deps.testClocks.now(payment.merchantId, false, tx);
      await tx.query(
        `INSERT INTO sandbox_payer_actions (payment_id, merchant_id, wallet_user_id, action, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING`,
        [
          payment.id,
          payment.merchantId,
          payment.payerId,
          scenario.answer.action,
          new Date(now.getTime() + scenario.answer.afterMs),
          clock.now(),
        ],
      );
    },

    async refundRefusal(payment) {
      if (!payment.payerId) return undefined;
      const { scenario } = await scenarioOf(payment.payerId);
      if (scenario?.refunds !== "declined") return undefined;
      return {
        code: "refund_declined",
        message: "The refund was declined (sandbox scenario refund_fails); nothing moved.",
      };
    },
  };

  return { create, ownedBy, find, scenarioPayer, paymentHook };
}
