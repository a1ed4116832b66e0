import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AmountString, amountSchema } from "../http/amount.js";
import { authErrors, authOf, guardFor, merchantScope, requireAuth, requireMerchant } from "../http/auth.js";
import { type AnswerRecorder, answerWithEffect } from "../http/idempotency.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import { CurrencyCode, IdParams, Metadata } from "../payments/routes/schemas.js";
import { sandboxError } from "../sandbox/errors.js";
import { operationsTag, sessionMeta, walletTag } from "../wallets/schemas.js";
import { unixSeconds } from "../wallets/time.js";
import { floatLineJson } from "./float.js";
import { cardJson, cardKinds, cardStatuses, type StoredValueCard, type WalletCardJson } from "./model.js";
import { batchJson, type CardSession, type Issued, type StoredValueService } from "./service.js";

/**
 * The stored-value API (docs/stored-value.md): the merchant's cards (secret keys, restricted keys with the
 * stored_value scope, console sessions), the holder's side in the wallet API (a card session, or an account
 * claiming or loading a card), and the operators' platform cards. Another issuer's card is a 404 like an unknown id.
 */
const Closed = { additionalProperties: false } as const;
const tags = ["stored_value"];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], description });

const CardSchema = Type.Object(
  {
    id: Type.String({ description: "svc_…" }),
    object: Type.Literal("stored_value_card"),
    livemode: Type.Boolean(),
    kind: literals(cardKinds, "gift_card or voucher (a voucher is redeemed whole, once)."),
    currency: Type.String(),
    balance: AmountString,
    initial_value: AmountString,
    last4: Type.String({ description: "The last four digits of the card number (the number is never stored)." }),
    status: literals(cardStatuses, "active, frozen, expired, or closed (claimed, redeemed, or emptied)."),
    closed_loop: Type.Boolean({ description: "true: spendable at its issuing merchant only." }),
    issuer: Type.Object(
      {
        type: Type.Unsafe<"merchant" | "platform">({ type: "string", enum: ["merchant", "platform"] }),
        merchant: Nullable(Type.String()),
      },
      Closed,
    ),
    batch: Nullable(Type.String({ description: "svb_… when issued in a batch." })),
    expires_at: Nullable(Type.Integer({ description: "Unix seconds." })),
    breakage: Nullable(
      Type.String({
        pattern: AmountString.pattern,
        description:
          "What the card's expiry moved to its issuer's breakage account and is held there now (\"0\" once an operator returned it); null for a card that never expired.",
      }),
    ),
    metadata: Type.Record(Type.String(), Type.String()),
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "StoredValueCard", ...Closed },
);

const IssuedCardSchema = Type.Object(
  {
    ...CardSchema.properties,
    number: Nullable(
      Type.String({
        description: "The 16-digit card number: shown in this answer only (null on an idempotent replay).",
      }),
    ),
    secret: Nullable(
      Type.String({ description: "The card's secret (PIN): shown in this answer only (null on a replay)." }),
    ),
  },
  { $id: "StoredValueIssuedCard", ...Closed },
);

const BatchSchema = Type.Object(
  {
    object: Type.Literal("stored_value_card_batch"),
    id: Type.String({ description: "svb_…" }),
    livemode: Type.Boolean(),
    count: Type.Integer(),
    currency: Type.String(),
    amount: AmountString,
    cards_csv: Nullable(
      Type.String({
        description:
          "number,secret,card_id lines, one per card: shown in this answer only (null on an idempotent replay and in events).",
      }),
    ),
  },
  { $id: "StoredValueCardBatch", ...Closed },
);

const TransactionSchema = Type.Object(
  {
    id: Type.String({ description: "The ledger transfer's id." }),
    object: Type.Literal("stored_value_card_transaction"),
    type: literals(
      ["issue", "load", "payment", "refund", "claim", "redeem", "breakage", "breakage_return", "other"],
      "What moved the money.",
    ),
    amount: Type.String({ pattern: "^-?(0|[1-9][0-9]*)$", description: "Signed: negative leaves the card." }),
    reference: Nullable(Type.String({ description: "The object behind it (pay_…, re_…, svc_…)." })),
    created: Type.Integer(),
  },
  { $id: "StoredValueCardTransaction", ...Closed },
);

const WalletCardSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_card"),
    livemode: Type.Boolean(),
    kind: literals(cardKinds, "gift_card or voucher."),
    currency: Type.String(),
    balance: AmountString,
    last4: Type.String(),
    status: literals(cardStatuses, "active, frozen, expired or closed."),
    closed_loop: Type.Boolean(),
    merchant: Nullable(Type.Object({ name: Type.String() }, Closed)),
    expires_at: Nullable(Type.Integer()),
    created: Type.Integer(),
  },
  { $id: "WalletCard", ...Closed },
);

const CardSessionSchema = Type.Object(
  {
    object: Type.Literal("wallet_card_session"),
    token: Type.String({ description: "wst_…: send as Authorization: Bearer." }),
    expires_at: Type.Integer(),
    card: Type.Ref(WalletCardSchema),
  },
  { $id: "WalletCardSession", ...Closed },
);

const IssueBody = Type.Object(
  {
    currency: CurrencyCode,
    amount: amountSchema({ allowZero: true, description: 'Each card\'s initial value ("0" allowed for gift cards).' }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "1 to 1000; default 1." })),
    kind: Type.Optional(literals(cardKinds, "gift_card (default) or voucher.")),
    expires_at: Type.Optional(Type.Integer({ minimum: 0, maximum: 253402300799, description: "Unix seconds." })),
    metadata: Type.Optional(Metadata),
  },
  Closed,
);
const OpsIssueBody = Type.Object(
  { ...IssueBody.properties, livemode: Type.Boolean({ description: "Which ledger the platform card is issued in." }) },
  Closed,
);
const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    status: Type.Optional(literals(cardStatuses, "Only cards in this status.")),
    batch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    last4: Type.Optional(Type.String({ pattern: "^[0-9]{4}$" })),
  },
  Closed,
);
const OpsListQuery = Type.Object({ ...ListQuery.properties, livemode: Type.Optional(Type.Boolean()) }, Closed);
const TxQuery = Type.Object({ ...listQueryProperties }, Closed);
const LoadBody = Type.Object({ amount: amountSchema() }, Closed);
const Credentials = {
  number: Type.String({ minLength: 1, maxLength: 32, description: "The 16-digit card number (spaces allowed)." }),
  secret: Type.String({ minLength: 1, maxLength: 64, description: "The card's secret (PIN)." }),
};
const CredentialsBody = Type.Object(Credentials, Closed);
const WalletLoadBody = Type.Object({ number: Credentials.number, amount: amountSchema() }, Closed);
const RedeemBody = Type.Object(
  {
    code: Type.String({
      minLength: 1,
      maxLength: 80,
      description: "The voucher's number followed by its secret (24 digits; spaces and dashes are ignored).",
    }),
  },
  Closed,
);
const RedeemedSchema = Type.Object(
  {
    object: Type.Literal("voucher_redemption"),
    voucher: Type.String({ description: "svc_… of the voucher, now closed." }),
    amount: AmountString,
    currency: Type.String(),
  },
  { $id: "VoucherRedemption", ...Closed },
);

const SignedAmount = (description: string) =>
  Type.String({ pattern: "^-?(0|[1-9][0-9]*)$", description: `${description} Minor units, signed.` });
const FloatSchema = Type.Object(
  {
    object: Type.Literal("stored_value_float"),
    livemode: Type.Boolean(),
    currency: Type.String(),
    float_balance: SignedAmount(
      "The platform float account's net debit: the value it put on platform cards (coffer verify proves it equals their initial values).",
    ),
    outstanding: SignedAmount("What platform cards hold now (posted balances): owed to their holders."),
    breakage: SignedAmount("What expired platform cards left, held in the platform's breakage account."),
    cards: Type.Integer({ description: "Platform cards that are active or frozen." }),
  },
  { $id: "StoredValueFloat", ...Closed },
);
const TestCardBody = Type.Object(
  {
    currency: CurrencyCode,
    balance: Type.Optional(
      amountSchema({
        allowZero: true,
        description: "The card's value in minor units (default 10000, or the currency's balance cap if lower).",
      }),
    ),
    kind: Type.Optional(literals(cardKinds, "gift_card (default) or voucher.")),
    expires_at: Type.Optional(Type.Integer({ minimum: 0, maximum: 253402300799, description: "Unix seconds." })),
    open_loop: Type.Optional(
      Type.Boolean({
        description:
          "false (default): your own closed-loop card, funded by the sandbox bank. true: a platform test card, spendable at every merchant.",
      }),
    ),
    metadata: Type.Optional(Metadata),
  },
  Closed,
);
const EmptyBody = Type.Object({}, Closed);

type CardAnswer = { card: StoredValueCard; balance: bigint };
const cardOut = (v: CardAnswer) => cardJson(v.card, v.balance);

/** The answer of an issue: the numbers and secrets in the response, never in the stored idempotent replay. */
function issuedJson(issued: Issued, reveal: boolean) {
  if (issued.kind === "batch") return batchJson(issued, reveal);
  return {
    ...cardJson(issued.card, issued.balance),
    number: reveal ? issued.number : null,
    secret: reveal ? issued.secret : null,
  };
}

async function respondIssued(
  request: FastifyRequest,
  reply: FastifyReply,
  issue: (record: AnswerRecorder<Issued>) => Promise<Issued>,
) {
  // The replay kept for the Idempotency-Key leaves the secrets out: they are shown once, in this answer.
  const answer = answerWithEffect(request, reply, 201, (v: Issued) => issuedJson(v, false));
  let recorded = false;
  const issued = await issue(async (tx, value) => {
    await answer.record(tx, value);
    recorded = true;
  });
  reply.code(201);
  if (recorded && request.idempotencyHold) request.idempotencyHold.answeredWithEffect = true;
  return issuedJson(issued, true);
}

function operator(request: FastifyRequest, roles: ("admin" | "reviewer" | "support")[]) {
  const auth = authOf(request, "operator");
  if (!roles.includes(auth.role))
    throw authErrors.toApiError("permission_denied", `The ${auth.role} role cannot do this.`);
  return auth;
}

function sessionJson(session: CardSession, card: WalletCardJson) {
  return {
    object: "wallet_card_session" as const,
    token: session.token,
    expires_at: unixSeconds(session.session.expiresAt),
    card,
  };
}

export const storedValueRoutes: FastifyPluginAsyncTypebox<{ storedValue: StoredValueService }> = async (
  app,
  { storedValue },
) => {
  for (const schema of [
    CardSchema,
    IssuedCardSchema,
    BatchSchema,
    TransactionSchema,
    WalletCardSchema,
    CardSessionSchema,
    RedeemedSchema,
    FloatSchema,
  ]) {
    app.addSchema(schema);
  }
  const cardRef = Type.Ref(CardSchema);
  const issuedRef = Type.Union([Type.Ref(IssuedCardSchema), Type.Ref(BatchSchema)]);
  const walletCardRef = Type.Ref(WalletCardSchema);
  const scopeOf = (request: FastifyRequest, access: "read" | "write") => {
    const scope = merchantScope(request, "stored_value", access);
    return { merchantId: scope.merchantId, livemode: scope.livemode };
  };

  // ---- merchant ----
  app.post(
    "/v1/stored_value/cards",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stored_value", "write"),
      schema: {
        tags,
        summary: "Issue stored-value cards",
        description:
          "Issues one card (the answer carries its number and secret, shown once) or a batch of up to 1000 (the answer carries a CSV of numbers and secrets, shown once). The value comes from your balance: insufficient_funds when it does not hold count × amount. Your cards are closed loop: spendable at your business only.",
        body: IssueBody,
        response: { 201: issuedRef },
      },
    },
    async (request, reply) =>
      respondIssued(request, reply, (record) => storedValue.issue(scopeOf(request, "write"), request.body, record)),
  );

  app.get(
    "/v1/stored_value/cards",
    {
      preHandler: requireMerchant("stored_value", "read"),
      schema: {
        tags,
        summary: "List your stored-value cards",
        description: "Newest first.",
        querystring: ListQuery,
        response: { 200: listOf(cardRef) },
      },
    },
    async (request) => {
      const page = await storedValue.list(scopeOf(request, "read"), request.query, pageRequest(request.query));
      return { ...page, data: page.data.map(cardOut) };
    },
  );

  app.get(
    "/v1/stored_value/cards/:id",
    {
      preHandler: requireMerchant("stored_value", "read"),
      schema: { tags, summary: "Retrieve a stored-value card", params: IdParams, response: { 200: cardRef } },
    },
    async (request) => cardOut(await storedValue.get(scopeOf(request, "read"), request.params.id)),
  );

  app.get(
    "/v1/stored_value/cards/:id/transactions",
    {
      preHandler: requireMerchant("stored_value", "read"),
      schema: {
        tags,
        summary: "A card's transactions",
        description: "Its ledger movements, newest first.",
        params: IdParams,
        querystring: TxQuery,
        response: { 200: listOf(Type.Ref(TransactionSchema)) },
      },
    },
    async (request) => {
      const { card } = await storedValue.get(scopeOf(request, "read"), request.params.id);
      return storedValue.transactions(card, pageRequest(request.query));
    },
  );

  app.post(
    "/v1/stored_value/cards/:id/load",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stored_value", "write"),
      schema: {
        tags,
        summary: "Load a card (cash-in at the counter)",
        description: "Your balance pays the amount onto one of your cards, within its balance cap and loads per day.",
        params: IdParams,
        body: LoadBody,
        response: { 200: cardRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, cardOut);
      return answer.respond(
        await storedValue.loadByMerchant(
          scopeOf(request, "write"),
          request.params.id,
          request.body.amount,
          answer.record,
        ),
      );
    },
  );

  for (const [action, frozen] of [
    ["freeze", true],
    ["unfreeze", false],
  ] as const) {
    app.post(
      `/v1/stored_value/cards/:id/${action}`,
      {
        config: { idempotent: true },
        preHandler: requireMerchant("stored_value", "write"),
        schema: {
          tags,
          summary: frozen ? "Freeze a card" : "Unfreeze a card",
          description: frozen
            ? "A frozen card can neither pay nor be loaded."
            : "A card an operator froze stays frozen until an operator unfreezes it.",
          params: IdParams,
          response: { 200: cardRef },
        },
      },
      async (request, reply) => {
        const answer = answerWithEffect(request, reply, 200, cardOut);
        const scope = scopeOf(request, "write");
        const result = frozen
          ? await storedValue.freeze(scope, request.params.id, answer.record)
          : await storedValue.unfreeze(scope, request.params.id, answer.record);
        return answer.respond(result);
      },
    );
  }

  // ---- wallet ----
  const wallet = requireAuth("wallet");
  app.post(
    "/v1/wallet/cards",
    {
      schema: {
        tags: [walletTag],
        summary: "Add a card (sign in with its number and secret)",
        description:
          "No sign-up: the answer is a card session (Bearer wst_…) for balance, history, scanning and confirming payments and payment codes. A wrong number or secret answers 401 card_credentials_invalid alike; five wrong secrets in a row lock the card for 15 minutes (403 account_locked).",
        body: CredentialsBody,
        response: { 201: Type.Ref(CardSessionSchema) },
      },
    },
    async (request, reply) => {
      const session = await storedValue.signIn(request.body, sessionMeta(request));
      reply.code(201);
      return sessionJson(session, await storedValue.walletCardOfSession(session.card, session.balance));
    },
  );

  app.get(
    "/v1/wallet/cards/:id",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "A card, as its holder sees it",
        params: IdParams,
        response: { 200: walletCardRef },
      },
    },
    async (request) => storedValue.walletCard(authOf(request, "wallet").walletUserId, request.params.id),
  );

  app.get(
    "/v1/wallet/cards/:id/transactions",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "A card's transactions",
        params: IdParams,
        querystring: TxQuery,
        response: { 200: listOf(Type.Ref(TransactionSchema)) },
      },
    },
    async (request) =>
      storedValue.walletTransactions(
        authOf(request, "wallet").walletUserId,
        request.params.id,
        pageRequest(request.query),
      ),
  );

  app.post(
    "/v1/wallet/cards/:id/claim",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Claim a card into your account wallet",
        description:
          "With an account session: the card's balance moves into your wallet and the card is closed. A merchant's card (closed loop) cannot be claimed.",
        params: IdParams,
        body: CredentialsBody,
        response: { 200: walletCardRef },
      },
    },
    async (request) => {
      const userId = authOf(request, "wallet").walletUserId;
      await storedValue.claim(userId, request.params.id, request.body, request.ip);
      return storedValue.walletCard(userId, request.params.id);
    },
  );

  app.post(
    "/v1/wallet/cards/load",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Load a card from your account wallet",
        description: "Counts against your wallet's limits; the card's balance cap and loads per day apply.",
        body: WalletLoadBody,
        response: { 200: walletCardRef },
      },
    },
    async (request) => {
      const loaded = await storedValue.loadFromAccount(authOf(request, "wallet").walletUserId, request.body);
      return storedValue.walletCardOfSession(loaded.card, loaded.balance);
    },
  );

  app.post(
    "/v1/wallet/vouchers/redeem",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Redeem a voucher",
        description:
          "The voucher's whole value moves into your wallet (an account session) or onto your card (a card session), once. A merchant's voucher loads only that merchant's cards.",
        body: RedeemBody,
        response: { 200: Type.Ref(RedeemedSchema) },
      },
    },
    async (request) => {
      const redeemed = await storedValue.redeemVoucher(
        authOf(request, "wallet").walletUserId,
        request.body.code,
        request.ip,
      );
      return {
        object: "voucher_redemption" as const,
        voucher: redeemed.card.id,
        amount: String(redeemed.redeemed),
        currency: redeemed.card.currency,
      };
    },
  );

  // ---- ops ----
  const ops = requireAuth("operator");
  app.get(
    "/v1/ops/stored_value/cards",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "List every stored-value card",
        querystring: OpsListQuery,
        response: { 200: listOf(cardRef) },
      },
    },
    async (request) => {
      operator(request, ["admin", "reviewer", "support"]);
      const page = await storedValue.list({ platformAndMerchants: true }, request.query, pageRequest(request.query));
      return { ...page, data: page.data.map(cardOut) };
    },
  );

  app.post(
    "/v1/ops/stored_value/cards",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Issue platform cards",
        description: "Open loop (spendable at every merchant), funded from the platform's float account.",
        body: OpsIssueBody,
        response: { 201: issuedRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin"]);
      const { livemode, ...input } = request.body;
      return respondIssued(request, reply, (record) =>
        storedValue.issue({ merchantId: null, livemode }, input, record),
      );
    },
  );

  for (const [action, frozen] of [
    ["freeze", true],
    ["unfreeze", false],
  ] as const) {
    app.post(
      `/v1/ops/stored_value/cards/:id/${action}`,
      {
        preHandler: ops,
        config: { idempotent: true },
        schema: {
          tags: [operationsTag],
          summary: frozen ? "Freeze any card" : "Unfreeze any card",
          params: IdParams,
          response: { 200: cardRef },
        },
      },
      async (request, reply) => {
        operator(request, ["admin", "support"]);
        const answer = answerWithEffect(request, reply, 200, cardOut);
        return answer.respond(await storedValue.opsFreeze(request.params.id, frozen, answer.record));
      },
    );
  }

  app.post(
    "/v1/ops/stored_value/cards/:id/breakage_refund",
    {
      preHandler: ops,
      config: { idempotent: true },
      schema: {
        tags: [operationsTag],
        summary: "Return an expired card's breakage",
        description:
          "Within the grace period after a card expired, moves what its expiry took to breakage back onto the card, which is active again for 30 days (its number and secret are the holder's only proof, so the money goes where they can reach it). Once per card; otherwise 409 breakage_refund_unavailable.",
        params: IdParams,
        body: Type.Optional(EmptyBody),
        response: { 200: cardRef },
      },
    },
    async (request, reply) => {
      operator(request, ["admin", "support"]);
      const answer = answerWithEffect(request, reply, 200, cardOut);
      return answer.respond(await storedValue.refundBreakage(request.params.id, answer.record));
    },
  );

  app.get(
    "/v1/ops/stored_value/float",
    {
      preHandler: ops,
      schema: {
        tags: [operationsTag],
        summary: "The platform's float",
        description:
          "Per mode and currency: the float account, what platform cards hold, and the platform's breakage. Every line at once (one per mode and currency).",
        response: {
          200: Type.Object(
            {
              object: Type.Literal("list"),
              data: Type.Array(Type.Ref(FloatSchema)),
              has_more: Type.Boolean(),
            },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      operator(request, ["admin", "reviewer", "support"]);
      const lines = await storedValue.float();
      return { object: "list" as const, data: lines.map(floatLineJson), has_more: false };
    },
  );

  // ---- sandbox ----
  const requireTestMode = guardFor(
    ["secret_key", "console"],
    async (request: FastifyRequest) => {
      testScope(request);
    },
    "test mode only; a restricted key needs stored_value: write",
  );
  app.post(
    "/v1/test_helpers/stored_value/cards",
    {
      preHandler: requireMerchant("stored_value", "write"),
      preValidation: requireTestMode,
      config: { idempotent: true },
      schema: {
        tags: ["test_helpers"],
        summary: "Create a funded test card",
        description:
          "A test-mode stored-value card with a balance, its number and secret shown in this answer only. Your own closed-loop card by default, its value from the sandbox bank (not your test balance); open_loop makes a platform test card. Magic card numbers (docs/stored-value.md) need no call at all.",
        body: TestCardBody,
        response: { 201: Type.Ref(IssuedCardSchema) },
      },
    },
    async (request, reply) => {
      const scope = testScope(request);
      const issued = await respondIssued(request, reply, (record) =>
        storedValue.testCard(scope.merchantId, request.body, record),
      );
      // testCard issues one card, never a batch.
      return issued as Extract<typeof issued, { object: "stored_value_card" }>;
    },
  );
};

/** The merchant a stored-value test helper acts for; a live credential is refused whatever else it says. */
function testScope(request: FastifyRequest) {
  const scope = merchantScope(request, "stored_value", "write");
  if (scope.livemode) throw sandboxError("test_mode_only");
  return scope;
}
