import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { AmountString } from "../http/amount.js";
import { ApiError } from "../http/errors.js";
import { transactionTypes } from "./history/transactions.js";
import type { StepUpProof } from "./stepup/service.js";
import type { SessionMeta } from "./users/sessions.js";

/** TypeBox schemas the wallet routes share (request parts and the objects they answer with). */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Timestamp = Type.Integer({ description: "Unix seconds." });
export const CurrencyCode = Type.String({
  pattern: "^[A-Z][A-Z0-9]{2,9}$",
  description: "An ISO 4217 currency code (or a configured crypto asset), e.g. USD.",
});

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const WalletUserSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_user"),
    livemode: Type.Boolean(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    display_name: Nullable(Type.String()),
    locale: Type.String(),
    tier: Type.Integer({
      minimum: 0,
      maximum: 2,
      description: "Identity tier: 0 contact verified, 1 identity, 2 document.",
    }),
    legal_name: Nullable(Type.String()),
    frozen: Type.Boolean(),
    totp_enabled: Type.Boolean(),
    created: Timestamp,
  },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_session"),
    user_agent: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    created: Timestamp,
    last_seen: Timestamp,
    expires_at: Timestamp,
    current: Type.Boolean({ description: "Whether this is the session making the request." }),
  },
  { additionalProperties: false },
);

export const FundingSourceSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("funding_source"),
    type: Type.Literal("bank_account"),
    livemode: Type.Boolean(),
    status: Type.Union([
      Type.Literal("pending_verification"),
      Type.Literal("verified"),
      Type.Literal("verification_failed"),
      Type.Literal("removed"),
    ]),
    currency: Type.String(),
    holder_name: Type.String(),
    bank_code: Type.String(),
    last4: Type.String({ description: "The last four characters of the account number; the rest is never shown." }),
    failure_code: Nullable(Type.String()),
    failure_message: Nullable(Type.String()),
    created: Timestamp,
  },
  { additionalProperties: false },
);

const MoneyMovementStatus = Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")]);

const moneyMovement = <O extends string>(object: O) =>
  Type.Object(
    {
      id: Type.String(),
      object: Type.Literal(object),
      livemode: Type.Boolean(),
      status: MoneyMovementStatus,
      amount: AmountString,
      currency: Type.String(),
      funding_source: Type.String(),
      failure_code: Nullable(Type.String()),
      failure_message: Nullable(Type.String()),
      created: Timestamp,
      completed: Nullable(Timestamp),
    },
    { additionalProperties: false },
  );
export const TopUpSchema = moneyMovement("top_up");
export const WithdrawalSchema = moneyMovement("withdrawal");

const Party = Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false });
export const WalletTransferSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_transfer"),
    livemode: Type.Boolean(),
    status: Type.Literal("succeeded"),
    direction: Type.Union([Type.Literal("in"), Type.Literal("out")]),
    amount: AmountString,
    currency: Type.String(),
    note: Nullable(Type.String()),
    sender: Party,
    recipient: Party,
    created: Timestamp,
  },
  { additionalProperties: false },
);

export const TransactionTypeSchema = Type.Union(transactionTypes.map((type) => Type.Literal(type)));

export const TransactionSchema = Type.Object(
  {
    id: Type.String({ description: "The id of the top-up, withdrawal, transfer, payment or refund." }),
    object: Type.Literal("wallet_transaction"),
    livemode: Type.Boolean(),
    type: TransactionTypeSchema,
    status: Type.String(),
    direction: Type.Union([Type.Literal("in"), Type.Literal("out")]),
    amount: AmountString,
    currency: Type.String(),
    description: Type.String(),
    counterparty: Type.String({
      description: "The funding source (fs_…), the other wallet user (wal_…) or the merchant (mer_…).",
    }),
    counterparty_name: Type.String({
      description: "The counterparty as people read it: the bank account's last four, a name, a business name.",
    }),
    note: Nullable(Type.String({ description: "A transfer's note; a payment's or refund's description." })),
    failure_code: Nullable(Type.String()),
    amount_refunded: Type.Union([AmountString, Type.Null()], {
      description: "Payments only: how much of the payment the merchant refunded (each refund is its own row).",
    }),
    created: Timestamp,
  },
  { additionalProperties: false },
);

export const KycSubmissionSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("kyc_submission"),
    wallet_user: Type.String(),
    livemode: Type.Boolean(),
    level: Type.Integer({ minimum: 1, maximum: 2 }),
    status: Type.Union([Type.Literal("pending_review"), Type.Literal("approved"), Type.Literal("rejected")]),
    full_name: Nullable(Type.String()),
    id_number_last4: Nullable(Type.String()),
    document_type: Nullable(Type.String()),
    document_country: Nullable(Type.String()),
    decision_reason: Nullable(Type.String()),
    provider: Type.Union([Type.Literal("sandbox"), Type.Literal("review")], {
      description:
        "Who decides: sandbox (automatic, by magic values: test mode, or live wallets in development) or review (an operator).",
    }),
    reviewed_at: Nullable(Timestamp),
    created: Timestamp,
  },
  { additionalProperties: false },
);

export const PasskeySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("passkey"),
    name: Nullable(Type.String()),
    created: Timestamp,
    last_used: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

/** A WebAuthn response as the browser's PublicKeyCredential.toJSON() (or @simplewebauthn/browser) gives it. */
export const WebAuthnCredential = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1024 }),
    rawId: Type.String({ minLength: 1, maxLength: 1024 }),
    type: Type.Literal("public-key"),
    response: Type.Object({}, { additionalProperties: true }),
    clientExtensionResults: Type.Optional(Type.Object({}, { additionalProperties: true })),
    authenticatorAttachment: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: "A WebAuthn credential response as JSON." },
);

export const WebAuthnOptions = Type.Object(
  {
    object: Type.String(),
    challenge_id: Type.String({ description: "Send it back with the response to these options." }),
    options: Type.Object({}, { additionalProperties: true, description: "Pass to navigator.credentials." }),
  },
  { additionalProperties: false },
);

export const StepUpBody = Type.Object(
  {
    totp: Type.Optional(
      Type.String({ pattern: "^[0-9]{6}$", description: "A current code of the authenticator app." }),
    ),
    passkey: Type.Optional(
      Type.Object(
        { challenge_id: Type.String({ maxLength: 64 }), credential: WebAuthnCredential },
        { additionalProperties: false, description: "An assertion over POST /v1/wallet/step_up/passkey_options." },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "A second factor, needed above the deployment's step-up threshold: totp or passkey, one of them.",
  },
);

export function stepUpProof(
  body: { totp?: string; passkey?: { challenge_id: string; credential: unknown } } | undefined,
): StepUpProof | undefined {
  if (!body) return undefined;
  if (body.totp !== undefined && body.passkey !== undefined) {
    throw new ApiError("parameter_invalid", "Send step_up.totp or step_up.passkey, not both.", "step_up");
  }
  if (body.totp !== undefined) return { method: "totp", code: body.totp };
  if (body.passkey !== undefined) {
    return {
      method: "passkey",
      challengeId: body.passkey.challenge_id,
      credential: body.passkey.credential as Extract<StepUpProof, { method: "passkey" }>["credential"],
    };
  }
  throw new ApiError("parameter_missing", "Send step_up.totp or step_up.passkey.", "step_up");
}

export function sessionMeta(request: FastifyRequest): SessionMeta {
  const userAgent = request.headers["user-agent"];
  return { userAgent: typeof userAgent === "string" ? userAgent : null, ip: request.ip };
}

export const walletTag = "wallet";
export const operationsTag = "operations";
