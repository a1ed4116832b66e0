import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { parseAmount } from "../http/amount.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { storedValueSandboxCardsPerIpHourMax, storedValueTestCardBalanceDefault } from "../limits.js";
import { walletError } from "../wallets/errors.js";
import { spendPeriods } from "../wallets/limits/spend.js";
import type { WalletServices } from "../wallets/service.js";
import type { SessionMeta } from "../wallets/users/sessions.js";
import type { StoredValueLimits } from "./config.js";
import { type CardKind, type CardStatus, cardNumberLength, luhnCheckDigit, magicRangePrefix } from "./model.js";
import type { CardSession, Issued, IssueInput, IssueOptions, Issuer } from "./service.js";

/**
 * The sandbox of stored-value cards (docs/stored-value.md, "Sandbox"): magic card numbers any wallet can add in test
 * mode with the secret 00000000, each add making a fresh test card in a scripted state, and the test helper that
 * makes a funded test card for a merchant. Magic numbers lie in the range 6288 0000 000… that is never issued
 * (newCardNumber skips it), so a real card never answers to one.
 *
 * Number: 6288 0000 000C 00SX — C the currency (0 USD, 1 EUR, 2 GBP, 3 CNY, 4 JPY), S the scenario, X the Luhn digit.
 */
export const magicCurrencies = ["USD", "EUR", "GBP", "CNY", "JPY"] as const;

export const magicScenarios = {
  1: { name: "success", status: "active", outcome: "an active card holding half its balance cap" },
  2: {
    name: "insufficient_balance",
    status: "active",
    outcome: "an active, empty card: payments fail insufficient_funds",
  },
  3: {
    name: "cap_exceeded",
    status: "active",
    outcome:
      "a card at its balance cap that spent its daily cap today: payments fail daily_limit_exceeded, a voucher redeemed onto it balance_cap_exceeded",
  },
  4: { name: "expired", status: "expired", outcome: "an expired, empty card: payments and loads fail card_inactive" },
  5: { name: "frozen", status: "frozen", outcome: "a frozen card holding half its cap: payments fail wallet_frozen" },
} as const satisfies Record<number, { name: string; status: CardStatus; outcome: string }>;

type ScenarioDigit = keyof typeof magicScenarios;

/** The magic number of a currency and scenario. */
export function magicCardNumber(currency: (typeof magicCurrencies)[number], scenario: ScenarioDigit): string {
  const body = `${magicRangePrefix}${magicCurrencies.indexOf(currency)}00${scenario}`;
  return body + luhnCheckDigit(body);
}

function parseMagic(number: string): { currency: string; scenario: ScenarioDigit } | undefined {
  if (number.length !== cardNumberLength || !number.startsWith(magicRangePrefix)) return undefined;
  const rest = number.slice(magicRangePrefix.length, -1); // C00S
  const currency = magicCurrencies[Number(rest[0])];
  const scenario = Number(rest[3]) as ScenarioDigit;
  if (!currency || rest.slice(1, 3) !== "00" || !(scenario in magicScenarios)) return undefined;
  if (luhnCheckDigit(number.slice(0, -1)) !== number.slice(-1)) return undefined;
  return { currency, scenario };
}

export interface CardSandboxDeps {
  pool: Pool;
  clock: Clock;
  wallets: WalletServices;
  limitsFor(currency: string): StoredValueLimits;
  issue(issuer: Issuer, input: IssueInput, answer?: AnswerRecorder<Issued>, options?: IssueOptions): Promise<Issued>;
}

export function createCardSandbox(deps: CardSandboxDeps) {
  const { pool, wallets } = deps;

  /**
   * A magic number with the sandbox secret: a fresh platform test card (open loop, funded from the test float like
   * any platform card) in the number's state, and a session on it. Anything else: undefined. Each add makes a card,
   * so one address adds at most storedValueSandboxCardsPerIpHourMax of them an hour.
   */
  async function magicCard(
    number: string,
    secret: string,
    meta: SessionMeta,
    secretExpected: string,
  ): Promise<CardSession | undefined> {
    const magic = parseMagic(number);
    if (!magic || secret !== secretExpected) return undefined;
    let limits: StoredValueLimits;
    try {
      limits = deps.limitsFor(magic.currency);
    } catch {
      return undefined; // a currency this coffer's cards do not hold
    }
    if (meta.ip) {
      const recent = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM stored_value_cards c JOIN wallet_sessions s ON s.wallet_user_id = c.wallet_user_id
          WHERE c.sandbox_magic AND NOT c.livemode AND c.issuer_merchant_id IS NULL AND c.created_at > $2 AND s.ip = $1`,
        [meta.ip, new Date(deps.clock.now().getTime() - 60 * 60 * 1000)],
      );
      if ((recent.rows[0]?.n ?? 0) >= storedValueSandboxCardsPerIpHourMax) {
        throw new ApiError(
          "rate_limited",
          `This address added ${storedValueSandboxCardsPerIpHourMax} magic test cards in the last hour; use one of them, or try later.`,
        );
      }
    }
    const scenario = magicScenarios[magic.scenario];
    const half = limits.balanceCap / 2n;
    const amount =
      scenario.name === "success" || scenario.name === "frozen"
        ? half
        : scenario.name === "cap_exceeded"
          ? limits.balanceCap
          : 0n;
    const issued = await deps.issue(
      { merchantId: null, livemode: false },
      { currency: magic.currency, amount: String(amount) },
      undefined,
      { magic: { number, status: scenario.status } },
    );
    if (issued.kind !== "card") throw new Error("a magic card is one card");
    const card = issued.card;
    return withTransaction(pool, async (tx) => {
      if (scenario.name === "cap_exceeded") {
        // Today's (and so this month's) spending already at the daily cap, counted as real spending is.
        const periods = spendPeriods(deps.clock.now());
        await tx.query(
          `INSERT INTO wallet_spend_counters (wallet_user_id, currency, period, spent)
           VALUES ($1, $2, $3, $5), ($1, $2, $4, $5)`,
          [card.walletUserId, card.currency, periods.day, periods.month, String(limits.daily)],
        );
      }
      const { token, session } = await wallets.sessions.create(tx, card.walletUserId, meta);
      return { token, session, card, balance: amount };
    });
  }

  /**
   * POST /v1/test_helpers/stored_value/cards: a funded test card for a merchant's tests. Closed loop (default): the
   * merchant's own card, its value from the sandbox bank (not the merchant's test balance). Open loop: a platform test
   * card funded from the test float, like the magic ones.
   */
  async function testCard(
    merchantId: string,
    input: {
      currency: string;
      balance?: unknown;
      kind?: CardKind;
      expires_at?: number;
      open_loop?: boolean;
      metadata?: Record<string, string>;
    },
    answer?: AnswerRecorder<Issued>,
  ): Promise<Issued> {
    const limits = deps.limitsFor(input.currency);
    let balance = storedValueTestCardBalanceDefault;
    if (balance > limits.balanceCap) balance = limits.balanceCap;
    if (input.balance !== undefined) balance = parseAmount(input.balance, { allowZero: true, param: "balance" });
    if (balance > limits.balanceCap) {
      throw walletError(
        "balance_cap_exceeded",
        `A ${input.currency} card holds at most ${limits.balanceCap} (minor units).`,
        "balance",
      );
    }
    const issueInput: IssueInput = {
      currency: input.currency,
      amount: String(balance),
      kind: input.kind,
      expires_at: input.expires_at,
      metadata: input.metadata,
    };
    return input.open_loop
      ? deps.issue({ merchantId: null, livemode: false }, issueInput, answer)
      : deps.issue({ merchantId, livemode: false }, issueInput, answer, { fundedBySandboxBank: true });
  }

  return { magicCard, testCard };
}
