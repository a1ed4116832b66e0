import { hash } from "@node-rs/argon2";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, PoolClient, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import { authErrors, type MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { cursorUnknown, keysetPage, type ListPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { balanceOf, type TransferInput, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import { storedValueBatchCountMax } from "../limits.js";
import type { Payment } from "../payments/model.js";
import type { PaymentServices } from "../payments/service.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import { verifyPassword } from "../security/passwords.js";
import { ledgerOf, walletAccountFlags } from "../wallets/accounts.js";
import { walletError } from "../wallets/errors.js";
import { limitsOf } from "../wallets/limits/tiers.js";
import type { WalletServices } from "../wallets/service.js";
import { unixSeconds } from "../wallets/time.js";
import type { WalletUser } from "../wallets/users/model.js";
import type { SessionMeta } from "../wallets/users/sessions.js";
import { createStoredValueAccounts } from "./accounts.js";
import type { StoredValueLimits } from "./config.js";
import { defaultStoredValueLimits } from "./config.js";
import { storedValueError } from "./errors.js";
import { createCardExpiry } from "./expiry.js";
import { floatReport } from "./float.js";
import {
  type CardKind,
  type CardStatus,
  cardFromRow,
  cardJson,
  cardNumberHash,
  isCardNumber,
  newCardNumber,
  newCardSecret,
  normalizeCardNumber,
  type StoredValueCard,
  type StoredValueCardRow,
  walletCardJson,
} from "./model.js";
import { createCardSandbox } from "./sandbox.js";

export interface StoredValueDeps {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  wallets: WalletServices;
  payments: PaymentServices;
  testClocks: TestClocks;
  /** cardNumberKeyFrom(masterKey): the key card numbers are hashed with. */
  numberKey: Buffer;
  log?: Logger;
}

export interface CardSession {
  token: string;
  session: { expiresAt: Date; lastSeenAt: Date };
  card: StoredValueCard;
  balance: bigint;
}

/** Who issues: a merchant in one mode, or the platform (ops) in one mode. */
export interface Issuer {
  merchantId: string | null;
  livemode: boolean;
}

export interface IssueInput {
  currency: string;
  amount: unknown;
  count?: number;
  kind?: CardKind;
  expires_at?: number;
  metadata?: Record<string, string>;
}

/** How sandbox cards are issued (src/stored-value/sandbox.ts): test mode, one card. */
export interface IssueOptions {
  /** The value comes from the sandbox bank's settlement account, not the merchant's test balance. */
  fundedBySandboxBank?: boolean;
  /** A magic sandbox number: the card is made with that number, the sandbox secret, and this status. */
  magic?: { number: string; status: "active" | "frozen" | "expired" };
}

/** The secret of every magic sandbox card number (docs/stored-value.md, "Sandbox"). */
export const magicCardSecret = "00000000";

export type Issued =
  | { kind: "card"; card: StoredValueCard; balance: bigint; number: string; secret: string }
  | {
      kind: "batch";
      id: string;
      livemode: boolean;
      count: number;
      currency: string;
      amount: bigint;
      rows: { number: string; secret: string; cardId: string }[];
    };

/**
 * Card secrets are random digits, checked online under lockout, so their argon2id is lighter than a password's
 * (OWASP's 19 MiB would make a batch of 1000 cards take most of a minute): 4 MiB, 2 passes. A stolen hash still
 * costs ~10^8 argon2id evaluations per card to reverse.
 */
const secretHashOptions = { algorithm: 2, memoryCost: 4096, timeCost: 2, parallelism: 1 } as const;
export function hashCardSecret(secret: string): Promise<string> {
  return hash(secret, secretHashOptions);
}

type CardEventType =
  | "stored_value_card.issued"
  | "stored_value_card.loaded"
  | "stored_value_card.frozen"
  | "stored_value_card.unfrozen"
  | "stored_value_card.expired"
  | "stored_value_card.claimed"
  | "stored_value_card.breakage_returned";

export type StoredValueService = ReturnType<typeof createStoredValueService>;

export function createStoredValueService(deps: StoredValueDeps) {
  const { pool, ledger, wallets } = deps;
  const accounts = createStoredValueAccounts(deps);
  const notFound = (param = "id") => new ApiError("resource_not_found", "No such stored-value card.", param);

  function limitsFor(currency: string): StoredValueLimits {
    const limits = (wallets.config.cardLimits ?? defaultStoredValueLimits()).get(currency);
    if (!limits) {
      throw walletError(
        "currency_not_supported",
        `Stored-value cards hold ${[...(wallets.config.cardLimits ?? defaultStoredValueLimits()).keys()].join(", ")}; not ${currency.slice(0, 12)}.`,
        "currency",
      );
    }
    return limits;
  }

  function nowFor(issuer: Issuer, db?: Queryable): Promise<Date> {
    return issuer.merchantId === null
      ? Promise.resolve(deps.clock.now())
      : deps.testClocks.now(issuer.merchantId, issuer.livemode, db);
  }

  /** The available balance of cards' wallet accounts, by wallet user id. */
  async function balancesOf(db: Queryable, cards: readonly StoredValueCard[]): Promise<Map<string, bigint>> {
    if (cards.length === 0) return new Map();
    const result = await db.query<{ wallet_user_id: string; available: string }>(
      `SELECT wa.wallet_user_id, (la.credits_posted - la.debits_posted - la.debits_pending)::text AS available
         FROM wallet_accounts wa JOIN ledger_accounts la ON la.id = wa.ledger_account_id
        WHERE wa.wallet_user_id = ANY($1) AND wa.currency = ANY($2)`,
      [cards.map((c) => c.walletUserId), [...new Set(cards.map((c) => c.currency))]],
    );
    return new Map(result.rows.map((r) => [r.wallet_user_id, BigInt(r.available)]));
  }
  async function balanceOfCard(card: StoredValueCard, db: Queryable = pool): Promise<bigint> {
    return (await balancesOf(db, [card])).get(card.walletUserId) ?? 0n;
  }
  async function walletAccountOf(card: StoredValueCard): Promise<bigint> {
    return wallets.accounts.walletAccountId({ id: card.walletUserId, livemode: card.livemode }, card.currency);
  }

  async function recordCardEvent(
    tx: Queryable,
    type: CardEventType,
    card: StoredValueCard,
    balance: bigint,
    at: Date,
    previous?: Record<string, unknown>,
  ) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: card.issuerMerchantId,
        walletUserId: card.walletUserId,
        livemode: card.livemode,
        object: cardJson(card, balance),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  // ---- issuing -------------------------------------------------------------------------------------------------

  function parseIssue(input: IssueInput, now: Date) {
    const limits = limitsFor(input.currency);
    const kind: CardKind = input.kind ?? "gift_card";
    const amount = parseAmount(input.amount, { allowZero: kind === "gift_card", max: limits.balanceCap });
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > storedValueBatchCountMax) {
      throw new ApiError("parameter_invalid", `count is 1 to ${storedValueBatchCountMax}.`, "count");
    }
    let expiresAt: Date | null = null;
    if (input.expires_at !== undefined) {
      expiresAt = new Date(input.expires_at * 1000);
      if (expiresAt <= now) throw new ApiError("parameter_invalid", "expires_at must be in the future.", "expires_at");
    }
    return { kind, amount, count, expiresAt, metadata: input.metadata ?? {}, limits };
  }

  /**
   * Issues count cards of amount each, funded by the issuer: the merchant's balance, or the platform's float
   * account. The cards' wallet users and ledger accounts are made first (in one transaction, a constant number of
   * statements); then one ledger submission moves all the value (linked: all or nothing) and its hook writes the
   * cards, the batch and the event with the money. Refused for lack of funds, the prepared wallet users are removed
   * again (their empty ledger accounts stay, as ledger rows do).
   */
  async function issue(
    issuer: Issuer,
    input: IssueInput,
    answer?: AnswerRecorder<Issued>,
    options: IssueOptions = {},
  ): Promise<Issued> {
    const now = await nowFor(issuer);
    const parsed = parseIssue(input, now);
    const { kind, amount, count, metadata } = parsed;
    const magic = options.magic;
    if ((magic || options.fundedBySandboxBank) && (issuer.livemode || count !== 1)) {
      throw new Error("sandbox cards are single test-mode cards");
    }
    // A magic expired card is born expired (and empty): its expiry is its issue.
    const expiresAt = magic?.status === "expired" ? now : parsed.expiresAt;
    const currency = input.currency;
    const source = options.fundedBySandboxBank
      ? await wallets.accounts.settlementAccountId(false, currency, "sandbox")
      : issuer.merchantId === null
        ? await accounts.floatAccountId(issuer.livemode, currency)
        : await deps.payments.accounts.merchantAccountId(issuer.merchantId, issuer.livemode, currency);
    const total = amount * BigInt(count);
    if (issuer.merchantId !== null && total > 0n && !options.fundedBySandboxBank) {
      const account = await ledger.getAccount(source);
      if (!account || balanceOf(account).available < total) {
        throw walletError(
          "insufficient_funds",
          `Issuing ${count} × ${amount} needs ${total} ${currency} of your available balance.`,
          "amount",
        );
      }
    }
    const cards = Array.from({ length: count }, () => ({
      id: newId("svc"),
      userId: newId("wal"),
      number: magic?.number ?? newCardNumber(),
      secret: magic ? magicCardSecret : newCardSecret(),
    }));
    const status: CardStatus = magic?.status ?? "active";
    const hashes = await Promise.all(cards.map((c) => hashCardSecret(c.secret)));
    const ledgerAccountIds = await withTransaction(pool, async (tx) => {
      // A frozen card's wallet user is frozen with it: the spend path checks that, with the money.
      await tx.query(
        `INSERT INTO wallet_users (id, livemode, kind, password_hash, locale, tier, frozen_at, frozen_reason, created_at, updated_at)
         SELECT u.id, $3, 'card', u.h, 'en', 0, $5, $6, $4, $4 FROM unnest($1::text[], $2::text[]) AS u(id, h)`,
        [
          cards.map((c) => c.userId),
          hashes,
          issuer.livemode,
          now,
          status === "frozen" ? now : null,
          status === "frozen" ? "The card was frozen by its issuer or an operator." : null,
        ],
      );
      const created = await ledger.createAccounts(
        tx,
        cards.map((c) => ({
          ledger: ledgerOf(issuer.livemode),
          currency,
          code: "wallet",
          flags: walletAccountFlags,
          reference: c.userId,
        })),
      );
      await tx.query(
        `INSERT INTO wallet_accounts (wallet_user_id, currency, ledger_account_id, created_at)
         SELECT u.id, $3, u.a, $4 FROM unnest($1::text[], $2::bigint[]) AS u(id, a)`,
        [cards.map((c) => c.userId), created.map((a) => String(a.id)), currency, now],
      );
      return created.map((a) => a.id);
    });
    const batchId = count > 1 ? newId("svb") : null;
    const transfers: TransferInput[] =
      amount === 0n
        ? []
        : cards.map((c, i) => ({
            id: transferIdFor(c.id, "issue"),
            debitAccountId: source,
            creditAccountId: ledgerAccountIds[i]!,
            amount,
            code: "sv_issue",
            reference: c.id,
            linked: i < cards.length - 1,
          }));
    let issued: Issued | undefined;
    const results = await ledger.createTransfers(transfers, async (tx, results) => {
      issued = undefined;
      if (!results.every((r) => r.code === "ok")) return;
      if (batchId) {
        await tx.query(
          `INSERT INTO stored_value_batches (id, livemode, issuer_merchant_id, kind, currency, amount, count, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [batchId, issuer.livemode, issuer.merchantId, kind, currency, String(amount), count, now],
        );
      }
      const inserted = await tx.query<StoredValueCardRow>(
        `INSERT INTO stored_value_cards (id, wallet_user_id, livemode, issuer_merchant_id, kind, currency, number_hash,
                                         last4, status, initial_value, expires_at, batch_id, metadata, created_at, updated_at,
                                         frozen_by, expired_at, breakage_amount, sandbox_magic)
         SELECT u.id, u.uid, $3, $4, $5, $6, u.h, u.l4, $14, $7, $8, $9, $10, $11, $11,
                CASE WHEN $14 = 'frozen' THEN 'operator' END, CASE WHEN $14 = 'expired' THEN $11::timestamptz END,
                CASE WHEN $14 = 'expired' THEN 0 END, $15
           FROM unnest($1::text[], $2::text[], $12::bytea[], $13::text[]) AS u(id, uid, h, l4)
         RETURNING *`,
        [
          cards.map((c) => c.id),
          cards.map((c) => c.userId),
          issuer.livemode,
          issuer.merchantId,
          kind,
          currency,
          String(amount),
          expiresAt,
          batchId,
          JSON.stringify(metadata),
          now,
          cards.map((c) => cardNumberHash(deps.numberKey, issuer.livemode, c.number)),
          cards.map((c) => c.number.slice(-4)),
          status,
          magic !== undefined,
        ],
      );
      if (batchId) {
        const batch: Issued = {
          kind: "batch",
          id: batchId,
          livemode: issuer.livemode,
          count,
          currency,
          amount,
          rows: cards.map((c) => ({ number: c.number, secret: c.secret, cardId: c.id })),
        };
        await recordEvent(
          tx,
          {
            type: "stored_value_card_batch.issued",
            merchantId: issuer.merchantId,
            livemode: issuer.livemode,
            object: batchJson(batch, false),
          },
          now,
        );
        issued = batch;
      } else {
        const card = cardFromRow(inserted.rows[0]!);
        await recordCardEvent(tx, "stored_value_card.issued", card, amount, now);
        issued = { kind: "card", card, balance: amount, number: cards[0]!.number, secret: cards[0]!.secret };
      }
      await answer?.(tx, issued);
    });
    if (issued) return issued;
    await withTransaction(pool, async (tx) => {
      const ids = cards.map((c) => c.userId);
      await tx.query("DELETE FROM wallet_accounts WHERE wallet_user_id = ANY($1)", [ids]);
      await tx.query("DELETE FROM wallet_users WHERE id = ANY($1) AND kind = 'card'", [ids]);
    });
    if (results.some((r) => r.code === "exceeds_credits")) {
      throw walletError("insufficient_funds", `Issuing ${count} × ${amount} needs ${total} ${currency}.`, "amount");
    }
    throw new Error(`the ledger refused issuing cards: ${results.map((r) => r.code).join(", ")}`);
  }

  // ---- reading -------------------------------------------------------------------------------------------------

  async function cardsByIds(db: Queryable, rows: StoredValueCardRow[]) {
    const cards = rows.map(cardFromRow);
    const balances = await balancesOf(db, cards);
    return cards.map((card) => ({ card, balance: balances.get(card.walletUserId) ?? 0n }));
  }

  /** A card of this issuer and mode; another issuer's or mode's card is as unknown as a made-up id (404). */
  async function findIssued(db: Queryable, issuer: Issuer, id: string, lock = false): Promise<StoredValueCard> {
    const found = await db.query<StoredValueCardRow>(
      `SELECT * FROM stored_value_cards WHERE id = $1 AND livemode = $2
          AND coalesce(issuer_merchant_id, '') = coalesce($3, '')${lock ? " FOR UPDATE" : ""}`,
      [id, issuer.livemode, issuer.merchantId],
    );
    if (!found.rows[0]) throw notFound();
    return cardFromRow(found.rows[0]);
  }

  async function get(issuer: Issuer, id: string) {
    const card = await findIssued(pool, issuer, id);
    return { card, balance: await balanceOfCard(card) };
  }

  async function list(
    issuer: Issuer | { platformAndMerchants: true },
    filter: { status?: CardStatus; batch?: string; last4?: string; livemode?: boolean },
    page: PageRequest,
  ): Promise<ListPage<{ card: StoredValueCard; balance: bigint }>> {
    const all = "platformAndMerchants" in issuer;
    const rows = await keysetPage<StoredValueCardRow>(pool, page, {
      from: "stored_value_cards",
      scope: all
        ? "($1::boolean IS NULL OR livemode = $1) AND $2::text IS NULL"
        : "livemode = $1 AND coalesce(issuer_merchant_id, '') = coalesce($2, '')",
      filter: `($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR batch_id = $4)
               AND ($5::text IS NULL OR last4 = $5)`,
      params: [
        all ? (filter.livemode ?? null) : issuer.livemode,
        all ? null : issuer.merchantId,
        filter.status ?? null,
        filter.batch ?? null,
        filter.last4 ?? null,
      ],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return { ...rows, data: await cardsByIds(pool, rows.data) };
  }

  /** The card's ledger movements, newest first, named by what they were. */
  async function transactions(card: StoredValueCard, page: PageRequest) {
    const accountId = await wallets.accounts.existingWalletAccountId(card.walletUserId, card.currency);
    if (accountId === undefined) {
      if (page.cursor) throw cursorUnknown(page);
      return { object: "list" as const, data: [], has_more: false };
    }
    const bound = page.cursor ? await transferSeqOf(accountId, page) : undefined;
    const result = await ledger.listAccountTransfers(accountId, {
      limit: page.limit,
      ...(page.cursor?.direction === "before" ? { endingBefore: bound } : { startingAfter: bound }),
    });
    return {
      object: "list" as const,
      has_more: result.hasMore,
      data: result.data.map((t) => {
        const incoming = t.creditAccountId === accountId;
        return {
          id: t.id,
          object: "stored_value_card_transaction" as const,
          type: movementType(t.code ?? "", incoming),
          amount: `${incoming ? "" : "-"}${t.amount}`,
          reference: t.reference ?? null,
          created: unixSeconds(t.createdAt),
        };
      }),
    };
  }
  /**
   * The cursor's place in the card's history: only a transaction of this card's own account counts, so another
   * card's (or anyone's) transfer id answers like an unknown one (cursorUnknown).
   */
  async function transferSeqOf(accountId: bigint, page: PageRequest): Promise<bigint> {
    const id = page.cursor!.id;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw cursorUnknown(page);
    const found = await pool.query<{ seq: bigint }>(
      "SELECT seq FROM ledger_transfers WHERE id = $1 AND (debit_account_id = $2 OR credit_account_id = $2)",
      [id, String(accountId)],
    );
    if (!found.rows[0]) throw cursorUnknown(page);
    return BigInt(found.rows[0].seq);
  }

  // ---- loading -------------------------------------------------------------------------------------------------

  /**
   * Checks of money arriving on a card, in the ledger hook (the batch holds the card's account lock, so loads of
   * one card are serialized): the card is active, its balance stays within its cap, and today's loads are counted
   * with a conditional upsert that refuses the one past loads_per_day.
   */
  async function checkIncoming(
    tx: PoolClient,
    card: StoredValueCard,
    accountId: bigint,
    now: Date,
    countLoad: boolean,
  ) {
    const limits = limitsFor(card.currency);
    const current = await tx.query<{ status: CardStatus; expires_at: Date | null }>(
      "SELECT status, expires_at FROM stored_value_cards WHERE id = $1",
      [card.id],
    );
    const row = current.rows[0];
    if (row?.status !== "active" || (row.expires_at !== null && row.expires_at <= now)) {
      throw storedValueError("card_inactive");
    }
    const account = await ledger.getAccount(accountId, tx);
    if (!account || balanceOf(account).posted > limits.balanceCap) {
      throw walletError(
        "balance_cap_exceeded",
        `A ${card.currency} card may hold at most ${limits.balanceCap} (minor units).`,
        "amount",
      );
    }
    if (!countLoad) return;
    const counted = await tx.query(
      `INSERT INTO stored_value_load_counters (card_id, day, loads) VALUES ($1, $2::date, 1)
       ON CONFLICT (card_id, day) DO UPDATE SET loads = stored_value_load_counters.loads + 1
        WHERE stored_value_load_counters.loads + 1 <= $3
       RETURNING loads`,
      [card.id, now.toISOString().slice(0, 10), limits.loadsPerDay],
    );
    if (counted.rowCount === 0 || limits.loadsPerDay === 0) throw storedValueError("card_loads_exceeded");
  }

  function assertLoadable(card: StoredValueCard, now: Date, amount: bigint) {
    if (card.status !== "active" || (card.expiresAt !== null && card.expiresAt <= now)) {
      throw storedValueError("card_inactive");
    }
    const limits = limitsFor(card.currency);
    if (amount > limits.balanceCap) {
      throw walletError(
        "balance_cap_exceeded",
        `A ${card.currency} card may hold at most ${limits.balanceCap}.`,
        "amount",
      );
    }
  }

  async function moveOnto(
    card: StoredValueCard,
    transfer: { id: string; debitAccountId: bigint; amount: bigint; code: string; reference: string },
    now: Date,
    inHook: (tx: PoolClient) => Promise<void>,
    countLoad = true,
  ) {
    const accountId = await walletAccountOf(card);
    let done = false;
    const [result] = await ledger.createTransfers([{ ...transfer, creditAccountId: accountId }], async (tx, [r]) => {
      done = false;
      if (r?.code !== "ok") return;
      await checkIncoming(tx, card, accountId, now, countLoad);
      await inHook(tx);
      done = true;
    });
    return { result: result!, done };
  }

  /** Cash-in at the counter: the merchant's balance pays onto one of its own cards. */
  async function loadByMerchant(
    scope: MerchantScope,
    id: string,
    amountInput: unknown,
    answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>,
  ) {
    const issuer = { merchantId: scope.merchantId, livemode: scope.livemode };
    const card = await findIssued(pool, issuer, id);
    const amount = parseAmount(amountInput);
    const now = await nowFor(issuer);
    assertLoadable(card, now, amount);
    const source = await deps.payments.accounts.merchantAccountId(scope.merchantId, scope.livemode, card.currency);
    let out: { card: StoredValueCard; balance: bigint } | undefined;
    const { result } = await moveOnto(
      card,
      { id: transferIdFor(newId("svc"), "load"), debitAccountId: source, amount, code: "sv_load", reference: card.id },
      now,
      async (tx) => {
        const balance = await balanceOfCard(card, tx);
        await recordCardEvent(tx, "stored_value_card.loaded", card, balance, now);
        out = { card, balance };
        await answer?.(tx, out);
      },
    );
    if (out) return out;
    if (result.code === "exceeds_credits")
      throw walletError("insufficient_funds", "Your available balance is below the amount.", "amount");
    throw new Error(`the ledger refused a card load: ${result.code}`);
  }

  async function findByNumber(db: Queryable, number: string, livemode: boolean): Promise<StoredValueCard | undefined> {
    const found = await db.query<StoredValueCardRow>(
      "SELECT * FROM stored_value_cards WHERE livemode = $1 AND number_hash = $2 AND NOT sandbox_magic",
      [livemode, cardNumberHash(deps.numberKey, livemode, number)],
    );
    return found.rows[0] && cardFromRow(found.rows[0]);
  }

  /** An account wallet pays onto a card (POST /v1/wallet/cards/load): the account's spend limits and the card's caps. */
  async function loadFromAccount(
    userId: string,
    input: { number: string; amount: unknown },
    answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>,
  ) {
    const user = await wallets.users.get(userId);
    if (user.kind === "card") throw storedValueError("card_session_not_allowed");
    const number = normalizeCardNumber(input.number);
    const card = isCardNumber(number) ? await findByNumber(pool, number, user.livemode) : undefined;
    if (!card) throw notFound("number");
    const amount = parseAmount(input.amount);
    const now = deps.clock.now();
    assertLoadable(card, now, amount);
    const auth = await wallets.spend.authorize(userId, { amount, currency: card.currency, user });
    const accountId = await walletAccountOf(card);
    let out: { card: StoredValueCard; balance: bigint } | undefined;
    const [result] = await wallets.spend.exclusive(auth, () =>
      ledger.createTransfers(
        [
          {
            id: transferIdFor(newId("svc"), "load"),
            debitAccountId: auth.walletAccountId,
            creditAccountId: accountId,
            amount,
            code: "sv_load",
            reference: card.id,
          },
        ],
        async (tx, [r]) => {
          out = undefined;
          if (r?.code !== "ok") return;
          await checkIncoming(tx, card, accountId, now, true);
          await wallets.spend.commit(tx, auth);
          const balance = await balanceOfCard(card, tx);
          await recordCardEvent(tx, "stored_value_card.loaded", card, balance, now);
          out = { card, balance };
          await answer?.(tx, out);
        },
      ),
    );
    if (out) return out;
    if (result?.code === "exceeds_credits") throw walletError("insufficient_funds", undefined, "amount");
    throw new Error(`the ledger refused a card load: ${result?.code}`);
  }

  // ---- freezing ------------------------------------------------------------------------------------------------

  async function setFrozen(
    who: { issuer: Issuer } | { operator: true },
    id: string,
    frozen: boolean,
    answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>,
  ) {
    const operator = "operator" in who;
    return withTransaction(pool, async (tx) => {
      const card = operator
        ? await (async () => {
            const found = await tx.query<StoredValueCardRow>(
              "SELECT * FROM stored_value_cards WHERE id = $1 FOR UPDATE",
              [id],
            );
            if (!found.rows[0]) throw notFound();
            return cardFromRow(found.rows[0]);
          })()
        : await findIssued(tx, who.issuer, id, true);
      const now = operator ? deps.clock.now() : await nowFor(who.issuer, tx);
      const balance = await balanceOfCard(card, tx);
      const wanted: CardStatus = frozen ? "frozen" : "active";
      if (card.status === wanted) {
        await answer?.(tx, { card, balance });
        return { card, balance };
      }
      if (card.status !== (frozen ? "active" : "frozen")) throw storedValueError("card_inactive");
      // A merchant does not lift a freeze the platform's operators put on its card.
      if (!frozen && !operator && card.frozenBy === "operator") {
        throw authErrors.toApiError(
          "permission_denied",
          "An operator froze this card; only an operator can unfreeze it.",
        );
      }
      const updated = await tx.query<StoredValueCardRow>(
        `UPDATE stored_value_cards SET status = $2, frozen_by = $3, updated_at = $4 WHERE id = $1 RETURNING *`,
        [card.id, wanted, frozen ? (operator ? "operator" : "merchant") : null, now],
      );
      // The wallet user's freeze is what the spend path checks, atomically with the money (consumeSpend).
      await tx.query(`UPDATE wallet_users SET frozen_at = $2, frozen_reason = $3, updated_at = $4 WHERE id = $1`, [
        card.walletUserId,
        frozen ? now : null,
        frozen ? "The card was frozen by its issuer or an operator." : null,
        now,
      ]);
      const after = cardFromRow(updated.rows[0]!);
      await recordCardEvent(
        tx,
        frozen ? "stored_value_card.frozen" : "stored_value_card.unfrozen",
        after,
        balance,
        now,
        {
          status: card.status,
        },
      );
      await answer?.(tx, { card: after, balance });
      return { card: after, balance };
    });
  }

  // ---- the holder's side ---------------------------------------------------------------------------------------

  /**
   * Opens a card session from a number and a secret. A wrong number and a wrong secret answer the same 401 and
   * cost the same time; walletLoginFailuresMax wrong secrets lock the card for walletLockoutMs like a password.
   */
  async function signIn(input: { number: string; secret: string }, meta: SessionMeta): Promise<CardSession> {
    const number = normalizeCardNumber(input.number);
    const now = deps.clock.now();
    const candidates = isCardNumber(number)
      ? (
          await pool.query<StoredValueCardRow & { password_hash: string; locked_until: Date | null }>(
            `SELECT c.*, u.password_hash, u.locked_until FROM stored_value_cards c JOIN wallet_users u ON u.id = c.wallet_user_id
              WHERE NOT c.sandbox_magic AND ((c.livemode AND c.number_hash = $1) OR (NOT c.livemode AND c.number_hash = $2))`,
            [cardNumberHash(deps.numberKey, true, number), cardNumberHash(deps.numberKey, false, number)],
          )
        ).rows
      : [];
    const magic = await sandbox.magicCard(number, input.secret, meta, magicCardSecret);
    if (magic) return magic;
    if (candidates.length === 0) {
      await verifyPassword(undefined, input.secret);
      throw storedValueError("card_credentials_invalid");
    }
    for (const row of candidates) {
      const user = await wallets.users.get(row.wallet_user_id);
      wallets.users.assertNotLocked(user, now);
      if (await verifyPassword(row.password_hash, input.secret)) {
        const card = cardFromRow(row);
        return withTransaction(pool, async (tx) => {
          await tx.query("UPDATE wallet_users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [user.id]);
          const { token, session } = await wallets.sessions.create(tx, user.id, meta);
          return { token, session, card, balance: await balanceOfCard(card, tx) };
        });
      }
      await wallets.users.recordAuthFailure(user.id, meta.ip);
    }
    throw storedValueError("card_credentials_invalid");
  }

  async function merchantNameOf(card: StoredValueCard): Promise<string | null> {
    if (card.issuerMerchantId === null) return null;
    const found = await pool.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
      card.issuerMerchantId,
    ]);
    return found.rows[0]?.business_name ?? null;
  }

  /** A card its session's holder may see: its own card, or one the caller's account claimed. Else 404. */
  async function visibleCard(userId: string, id: string): Promise<StoredValueCard> {
    const found = await pool.query<StoredValueCardRow>(
      "SELECT * FROM stored_value_cards WHERE id = $1 AND (wallet_user_id = $2 OR claimed_by = $2)",
      [id, userId],
    );
    if (!found.rows[0]) throw notFound();
    return cardFromRow(found.rows[0]);
  }

  async function walletCard(userId: string, id: string) {
    const card = await visibleCard(userId, id);
    return walletCardJson(card, await balanceOfCard(card), await merchantNameOf(card));
  }
  async function walletCardOfSession(card: StoredValueCard, balance: bigint) {
    return walletCardJson(card, balance, await merchantNameOf(card));
  }

  async function walletTransactions(userId: string, id: string, page: PageRequest) {
    return transactions(await visibleCard(userId, id), page);
  }

  /** Verifies a card's number and secret (claiming, redeeming): the same 401 for either wrong. */
  async function proveCard(card: StoredValueCard | undefined, number: string, secret: string, ip: string | null) {
    if (!card || card.sandboxMagic) {
      await verifyPassword(undefined, secret);
      throw storedValueError("card_credentials_invalid");
    }
    const user = await wallets.users.get(card.walletUserId);
    wallets.users.assertNotLocked(user, deps.clock.now());
    const matches = normalizeCardNumber(number);
    const numberOk = cardNumberHash(deps.numberKey, card.livemode, matches).equals(
      (await pool.query<{ number_hash: Buffer }>("SELECT number_hash FROM stored_value_cards WHERE id = $1", [card.id]))
        .rows[0]!.number_hash,
    );
    const ok = await verifyPassword(user.passwordHash, secret);
    if (!numberOk || !ok) {
      if (numberOk) await wallets.users.recordAuthFailure(user.id, ip);
      throw storedValueError("card_credentials_invalid");
    }
    return user;
  }

  /**
   * Moves a platform card's whole balance into the caller's account wallet and closes the card. A merchant's gift
   * card stays spendable at that merchant only: it cannot be claimed (card_not_accepted).
   */
  async function claim(
    userId: string,
    id: string,
    input: { number: string; secret: string },
    ip: string | null,
    answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>,
  ) {
    const account = await wallets.users.get(userId);
    if (account.kind === "card") throw storedValueError("card_session_not_allowed");
    const found = await pool.query<StoredValueCardRow>(
      "SELECT * FROM stored_value_cards WHERE id = $1 AND livemode = $2",
      [id, account.livemode],
    );
    const card = found.rows[0] && cardFromRow(found.rows[0]);
    await proveCard(card, input.number, input.secret, ip);
    if (!card) throw notFound();
    if (card.issuerMerchantId !== null) {
      throw storedValueError(
        "card_not_accepted",
        "A merchant's card is spendable at that merchant only; it cannot be claimed into a wallet.",
      );
    }
    if (card.status !== "active") throw storedValueError("card_inactive");
    const balance = await balanceOfCard(card);
    const from = await walletAccountOf(card);
    const to = await wallets.accounts.walletAccountId(account, card.currency);
    const cap = limitsOf(wallets.config, account, card.currency).balanceCap;
    const now = deps.clock.now();
    let out: { card: StoredValueCard; balance: bigint } | undefined;
    const transfers: TransferInput[] =
      balance === 0n
        ? []
        : [
            {
              id: transferIdFor(card.id, "claim"),
              debitAccountId: from,
              creditAccountId: to,
              amount: balance,
              code: "sv_claim",
              reference: card.id,
            },
          ];
    const results = await ledger.createTransfers(transfers, async (tx, results) => {
      out = undefined;
      if (!results.every((r) => r.code === "ok")) return;
      if (balance > 0n) {
        const after = await ledger.getAccount(to, tx);
        if (after && balanceOf(after).posted > cap) {
          throw walletError(
            "balance_cap_exceeded",
            "Your wallet's balance cap leaves no room for this card's balance.",
            "id",
          );
        }
      }
      const updated = await tx.query<StoredValueCardRow>(
        `UPDATE stored_value_cards SET status = 'closed', claimed_by = $2, updated_at = $3 WHERE id = $1 AND status = 'active' RETURNING *`,
        [card.id, account.id, now],
      );
      if (!updated.rows[0]) throw storedValueError("card_inactive");
      // Its sessions end: the card holds nothing and pays no more.
      await wallets.sessions.revokeAllBut(card.walletUserId, null, tx);
      const closed = cardFromRow(updated.rows[0]);
      await recordCardEvent(tx, "stored_value_card.claimed", closed, 0n, now);
      out = { card: closed, balance: 0n };
      await answer?.(tx, out);
    });
    if (out) return out;
    if (results.some((r) => r.code === "exceeds_credits" || r.code.startsWith("exists"))) {
      throw storedValueError("card_inactive", "The card's balance changed or it was claimed already; try again.");
    }
    throw new Error(`the ledger refused a claim: ${results.map((r) => r.code).join(", ")}`);
  }

  /**
   * Redeems a voucher (code: its number and secret, 24 digits) into the caller's wallet or card, once. The
   * transfer's id is derived from the voucher, so parallel redemptions move its value once: the one that applied
   * closes the voucher in its hook, the others find the transfer exists. A merchant's voucher loads only that
   * merchant's cards (closed loop); a platform voucher loads any card or account wallet.
   */
  async function redeemVoucher(
    userId: string,
    code: string,
    ip: string | null,
    answer?: AnswerRecorder<{ redeemed: bigint; card: StoredValueCard }>,
  ) {
    const user = await wallets.users.get(userId);
    const digits = normalizeCardNumber(code);
    const number = digits.slice(0, 16);
    const secret = digits.slice(16);
    const voucher =
      /^[0-9]{17,40}$/.test(digits) && isCardNumber(number)
        ? await findByNumber(pool, number, user.livemode)
        : undefined;
    if (voucher?.kind !== "voucher") {
      await verifyPassword(undefined, secret);
      throw storedValueError("voucher_invalid", undefined, "code");
    }
    try {
      await proveCard(voucher, number, secret, ip);
    } catch (error) {
      if (error instanceof ApiError && error.code === "card_credentials_invalid")
        throw storedValueError("voucher_invalid", undefined, "code");
      throw error;
    }
    if (voucher.status === "closed") throw storedValueError("voucher_already_redeemed", undefined, "code");
    const now = deps.clock.now();
    if (voucher.status !== "active" || (voucher.expiresAt !== null && voucher.expiresAt <= now))
      throw storedValueError("card_inactive", undefined, "code");
    const callerCard =
      user.kind === "card"
        ? (
            await pool.query<StoredValueCardRow>("SELECT * FROM stored_value_cards WHERE wallet_user_id = $1", [
              user.id,
            ])
          ).rows[0]
        : undefined;
    const target = callerCard && cardFromRow(callerCard);
    if (voucher.issuerMerchantId !== null && target?.issuerMerchantId !== voucher.issuerMerchantId) {
      throw storedValueError(
        "card_not_accepted",
        "This voucher loads only cards of the merchant that issued it.",
        "code",
      );
    }
    if (target && target.currency !== voucher.currency)
      throw storedValueError("card_currency_mismatch", undefined, "code");
    const value = await balanceOfCard(voucher);
    // Emptied by a redemption that committed since the status was read.
    if (value === 0n) throw storedValueError("voucher_already_redeemed", undefined, "code");
    const from = await walletAccountOf(voucher);
    const to = target ? await walletAccountOf(target) : await wallets.accounts.walletAccountId(user, voucher.currency);
    const accountCap = target ? undefined : limitsOf(wallets.config, user, voucher.currency).balanceCap;
    let out: { redeemed: bigint; card: StoredValueCard } | undefined;
    const [result] = await ledger.createTransfers(
      [
        {
          id: transferIdFor(voucher.id, "redeem"),
          debitAccountId: from,
          creditAccountId: to,
          amount: value,
          code: "sv_redeem",
          reference: voucher.id,
        },
      ],
      async (tx, [r]) => {
        out = undefined;
        if (r?.code !== "ok") return;
        if (target) await checkIncoming(tx, target, to, now, true);
        else {
          const after = await ledger.getAccount(to, tx);
          if (after && balanceOf(after).posted > accountCap!)
            throw walletError("balance_cap_exceeded", undefined, "code");
        }
        const updated = await tx.query<StoredValueCardRow>(
          `UPDATE stored_value_cards SET status = 'closed', claimed_by = $2, updated_at = $3 WHERE id = $1 AND status = 'active' RETURNING *`,
          [voucher.id, user.id, now],
        );
        if (!updated.rows[0]) throw storedValueError("voucher_already_redeemed", undefined, "code");
        const closed = cardFromRow(updated.rows[0]);
        await recordCardEvent(tx, "stored_value_card.claimed", closed, 0n, now);
        if (target) await recordCardEvent(tx, "stored_value_card.loaded", target, await balanceOfCard(target, tx), now);
        out = { redeemed: value, card: closed };
        await answer?.(tx, out);
      },
    );
    if (out) return out;
    if (
      result &&
      (result.code === "exists" || result.code.startsWith("exists_with") || result.code === "exceeds_credits")
    ) {
      throw storedValueError("voucher_already_redeemed", undefined, "code");
    }
    throw new Error(`the ledger refused a voucher redemption: ${result?.code}`);
  }

  // ---- paying ----------------------------------------------------------------------------------------------------

  /**
   * The closed-loop check of the payment path (src/payments/charge.ts asks it before any money moves): a card pays
   * only while active and unexpired, and a merchant's card only at that merchant. Frozen is also enforced with the
   * money (the card's wallet user is frozen with it, which the spend hook checks).
   */
  async function assertPayable(
    user: Pick<WalletUser, "id" | "kind">,
    payment: Pick<Payment, "merchantId" | "livemode">,
  ) {
    if (user.kind !== "card") return;
    const found = await pool.query<StoredValueCardRow>("SELECT * FROM stored_value_cards WHERE wallet_user_id = $1", [
      user.id,
    ]);
    const card = found.rows[0] && cardFromRow(found.rows[0]);
    if (!card) throw storedValueError("card_inactive");
    if (card.issuerMerchantId !== null && card.issuerMerchantId !== payment.merchantId) {
      throw storedValueError("card_not_accepted", undefined, "id");
    }
    const now = await deps.testClocks.now(payment.merchantId, payment.livemode);
    if (card.status !== "active" || (card.expiresAt !== null && card.expiresAt <= now)) {
      throw storedValueError("card_inactive", undefined, "id");
    }
  }

  const expiry = createCardExpiry({
    pool,
    clock: deps.clock,
    ledger,
    wallets,
    testClocks: deps.testClocks,
    accounts,
    log: deps.log,
    recordCardEvent,
  });
  const sandbox = createCardSandbox({ pool, clock: deps.clock, wallets, limitsFor, issue });

  return {
    accounts,
    limitsFor,
    issue,
    /** The expiry worker's pass (src/runtime/workers.ts); advance_time runs it for one merchant's test cards. */
    expireDue: expiry.runDue,
    refundBreakage: expiry.refundBreakage,
    float: () => floatReport(pool),
    testCard: sandbox.testCard,
    get,
    list,
    transactions,
    findIssued,
    loadByMerchant,
    loadFromAccount,
    freeze: (issuer: Issuer, id: string, answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>) =>
      setFrozen({ issuer }, id, true, answer),
    unfreeze: (issuer: Issuer, id: string, answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>) =>
      setFrozen({ issuer }, id, false, answer),
    opsFreeze: (id: string, frozen: boolean, answer?: AnswerRecorder<{ card: StoredValueCard; balance: bigint }>) =>
      setFrozen({ operator: true }, id, frozen, answer),
    signIn,
    walletCard,
    walletCardOfSession,
    walletTransactions,
    claim,
    redeemVoucher,
    assertPayable,
    balanceOfCard,
    recordCardEvent,
  };
}

/** What a ledger movement of a card was, from its transfer code. */
function movementType(code: string, incoming: boolean) {
  switch (code) {
    case "sv_issue":
      return "issue" as const;
    case "sv_load":
      return "load" as const;
    case "sv_claim":
      return "claim" as const;
    case "sv_redeem":
      return incoming ? ("load" as const) : ("redeem" as const);
    case "sv_breakage":
      return "breakage" as const;
    case "sv_breakage_return":
      return "breakage_return" as const;
    case "payment":
      return "payment" as const;
    case "refund":
      return "refund" as const;
    default:
      return "other" as const;
  }
}

/** The batch as its one answer shows it; with reveal false (its event), without the numbers and secrets. */
export function batchJson(batch: Extract<Issued, { kind: "batch" }>, reveal: boolean) {
  return {
    object: "stored_value_card_batch" as const,
    id: batch.id,
    livemode: batch.livemode,
    count: batch.count,
    currency: batch.currency,
    amount: String(batch.amount),
    cards_csv: reveal
      ? `number,secret,card_id\n${batch.rows.map((r) => `${r.number},${r.secret},${r.cardId}`).join("\n")}\n`
      : null,
  };
}
