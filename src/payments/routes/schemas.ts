import { type TSchema, Type } from "@sinclair/typebox";
import { cryptoPaymentOutcomes, cryptoRefundStatuses } from "../../crypto/payments/model.js";
import { AmountString } from "../../http/amount.js";
import { MetadataSchema } from "../../http/metadata.js";
import { offlineCodeLengthMax, paymentDescriptionLengthMax } from "../../limits.js";
import { failureCodes } from "../failure-codes.js";
import { cancellationReasons, captureMethods, paymentMethods } from "../model.js";
import { refundReasons } from "../refunds/model.js";
import { paymentStatuses } from "../state-machine.js";

/** TypeBox schemas of the payment routes. Objects returned by the merchant API have an $id (SDK type names). */

const Closed = { additionalProperties: false } as const;
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const Timestamp = Type.Integer({ description: "Unix seconds." });
const Amount = (description: string) => Object.assign({}, AmountString, { description });

export const CurrencyCode = Type.String({
  pattern: "^[A-Z][A-Z0-9]{2,9}$",
  description: "An ISO 4217 currency code, e.g. USD or CNY.",
});
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, Closed);

export const PaymentStatusSchema = literals(paymentStatuses, "Where the payment stands (docs/payments.md).");
export const PaymentMethodSchema = literals(
  paymentMethods,
  "qr: the payer scans the payment's QR code; payment_code: the merchant scans the payer's code; checkout: the hosted page; crypto: the payer sends an asset to the payment's blockchain address (docs/crypto-payments.md).",
);
const FailureCodeSchema = Nullable(
  literals(Object.keys(failureCodes), "Why it did not go through (docs/payments.md)."),
);

export const Metadata = MetadataSchema;

const PaymentDiscountSchema = Type.Object(
  {
    coupon: Type.String({ description: "The coupon (cpn_…): yours, or the platform's." }),
    promotion_code: Nullable(Type.String({ description: "The promotion code (prc_…) it came through, if any." })),
    redemption: Type.String({ description: "The redemption (cpr_…): GET /v1/coupons/{coupon}/redemptions." }),
    amount: Amount("What was taken off the subtotal."),
    funded_by: literals(
      ["merchant", "platform"] as const,
      "merchant: you take the lower amount; platform: the platform pays you the discount, so you receive the subtotal.",
    ),
    applied_by: literals(
      ["merchant", "payer"] as const,
      "merchant: given in discounts at creation; payer: a code the payer entered at checkout or in the wallet.",
    ),
  },
  Closed,
);

/** Method crypto's details (docs/crypto-payments.md); null on other payments. */
export const CryptoPaymentDetailsSchema = Type.Object(
  {
    chain: Type.String({ description: 'The chain the payment is paid on ("sandbox" in test mode by default).' }),
    chain_id: Type.Integer({ description: "The chain's EIP-155 id." }),
    asset: Type.String({ description: "What to send: ETH, USDC …; the payment's currency." }),
    contract: Nullable(Type.String({ description: "The ERC-20 contract (EIP-55), null for the chain's native coin." })),
    address: Type.String({ description: "Where to send it: this payment's own address (EIP-55 checksummed)." }),
    amount: Amount("What to send in all, in the asset's minor unit (wei for ETH); the payment's amount."),
    amount_due: Amount("What is still to send while the payment is open (amount less what was seen), else 0."),
    price: Nullable(
      Type.Object(
        {
          amount: Amount("The price asked for, in the fiat currency's minor unit."),
          currency: Type.String({ description: "The fiat currency of the price." }),
          rate: Type.String({ description: "The fiat price of one whole asset, locked at creation." }),
          rate_source: literals(["asset", "fixed", "configured"] as const, "fixed: the sandbox's fixed rates."),
        },
        {
          ...Closed,
          description:
            "A fiat-priced payment: amount is the price at the locked rate, rounded up to the asset's minor unit.",
        },
      ),
    ),
    uri: Type.String({
      description:
        "An EIP-681 payment request for wallets: ethereum:<address>@<chain id>?value=… (or /transfer?… for tokens).",
    }),
    qr: Type.Object(
      {
        payload: Type.String({ description: "The uri." }),
        svg: Nullable(
          Type.String({ description: "The uri as a QR code, SVG (on create and retrieve; null in lists)." }),
        ),
      },
      Closed,
    ),
    amount_received: Amount("Seen on chain so far (pending or confirmed)."),
    amount_confirmed: Amount("Of that, what has its confirmations."),
    amount_held: Amount(
      "Confirmed money that is not yours (over, under or late payment): held for refund to the payer.",
    ),
    amount_refunded: Amount("Held money sent back to the payer so far."),
    confirmations_required: Type.Integer({ description: "Blocks a deposit needs before it counts." }),
    expires_at: Timestamp,
    outcome: Nullable(
      literals(
        cryptoPaymentOutcomes,
        "paid: exactly; overpaid: the excess is held; underpaid: expired with less, what came is held; paid_late: money came after the payment ended, it is held.",
      ),
    ),
    paid_with: Nullable(
      literals(["chain", "wallet"] as const, "Once succeeded: paid on chain, or from a coffer wallet's balance."),
    ),
    reorg_shortfall: Amount("Money that paid you and then vanished in a chain reorganisation (coffer bears it)."),
    refund: Nullable(
      Type.Object(
        {
          address: Nullable(Type.String({ description: "Where the held money goes (EIP-55)." })),
          status: literals(cryptoRefundStatuses),
          amount: Nullable(Amount("What is sent: the held money less the network fee.")),
          network_fee: Nullable(Amount("The asset's network fee kept from the held money.")),
          tx_hash: Nullable(Type.String()),
          sent_at: Nullable(Timestamp),
        },
        { ...Closed, description: "The last refund of held money (POST /v1/payments/{id}/crypto_refund_address)." },
      ),
    ),
  },
  { ...Closed, description: "Method crypto: where and what to send, and what arrived (docs/crypto-payments.md)." },
);

export const PaymentSchema = Type.Object(
  {
    id: Type.String({ description: "pay_…" }),
    object: Type.Literal("payment"),
    livemode: Type.Boolean(),
    status: PaymentStatusSchema,
    method: PaymentMethodSchema,
    capture_method: literals(captureMethods),
    amount: Amount("What the payer pays, in the currency's minor unit."),
    amount_subtotal: Amount(
      "The amount asked for before discounts: amount plus the discount (equal to amount without one).",
    ),
    discounts: Type.Array(PaymentDiscountSchema, {
      maxItems: 1,
      description: "The discount taken off (docs/coupons.md): at most one, applied at creation or by the payer's code.",
    }),
    amount_capturable: Amount("What a capture can still take (requires_capture), else 0."),
    amount_received: Amount("What was captured from the payer."),
    amount_refunded: Amount("What was refunded so far."),
    currency: Type.String(),
    fee: Amount("The processing fee taken on what was captured."),
    fee_refunded: Amount("The part of the fee returned with refunds."),
    description: Nullable(Type.String()),
    metadata: Metadata,
    qr: Nullable(
      Type.Object(
        {
          payload: Type.String({ description: "The URL the QR code holds: <coffer>/q/<token>." }),
          svg: Nullable(Type.String({ description: "The QR code as SVG (on create and retrieve; null in lists)." })),
        },
        Closed,
      ),
    ),
    crypto: Nullable(CryptoPaymentDetailsSchema),
    checkout_url: Nullable(Type.String({ description: "The hosted checkout page (qr and checkout payments)." })),
    return_url: Nullable(Type.String()),
    payment_link: Nullable(Type.String({ description: "The payment link (plk_…) whose use made this payment." })),
    store: Nullable(Type.String({ description: "The store (sto_…) it was taken at." })),
    till: Nullable(Type.String({ description: "The till (til_…) it was taken at." })),
    failure_code: FailureCodeSchema,
    failure_message: Nullable(Type.String()),
    cancellation_reason: Nullable(literals(cancellationReasons)),
    allow_retries: Type.Boolean({
      description:
        "Whether the payer may pay it again once it failed or ended unpaid (docs/payments.md, Paying again).",
    }),
    attempts: Type.Integer({
      description: "Attempts to pay it so far (GET /v1/payments/{id}/attempts): 1 until paid again.",
    }),
    retryable_until: Nullable(
      Type.Integer({
        description:
          "Unix seconds: this failed or expired payment can still be paid again by its payer until then (it is final after). Null when it cannot be.",
      }),
    ),
    expires_at: Type.Integer({ description: "Unix seconds: an unpaid payment expires (or is canceled) then." }),
    capture_before: Nullable(Type.Integer({ description: "Unix seconds: an uncaptured hold is released then." })),
    paid_at: Nullable(Timestamp),
    created: Timestamp,
  },
  { $id: "Payment", additionalProperties: false },
);

export const RefundSchema = Type.Object(
  {
    id: Type.String({ description: "re_…" }),
    object: Type.Literal("refund"),
    livemode: Type.Boolean(),
    payment: Type.String(),
    amount: AmountString,
    currency: Type.String(),
    fee_returned: Amount("The share of the payment's fee returned to you with this refund."),
    status: literals(["pending", "succeeded", "failed"] as const),
    reason: literals(refundReasons),
    description: Nullable(Type.String()),
    metadata: Metadata,
    failure_code: FailureCodeSchema,
    failure_message: Nullable(Type.String()),
    created: Timestamp,
  },
  { $id: "Refund", additionalProperties: false },
);

export const PayoutSchema = Type.Object(
  {
    id: Type.String({ description: "po_…" }),
    object: Type.Literal("payout"),
    livemode: Type.Boolean(),
    amount: AmountString,
    currency: Type.String(),
    status: literals(["pending", "paid", "failed"] as const),
    automatic: Type.Boolean({ description: "Made by the daily payout schedule." }),
    description: Nullable(Type.String()),
    metadata: Metadata,
    destination: Type.Object(
      { holder_name: Type.String(), bank_name: Type.String(), last4: Type.String() },
      { ...Closed, description: "The settlement bank account (from your business verification)." },
    ),
    bank_reference: Nullable(Type.String()),
    failure_code: FailureCodeSchema,
    failure_message: Nullable(Type.String()),
    created: Timestamp,
    completed_at: Nullable(Timestamp),
  },
  { $id: "Payout", additionalProperties: false },
);

export const BalanceSchema = Type.Object(
  {
    object: Type.Literal("balance"),
    livemode: Type.Boolean(),
    currencies: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          available: Amount("What refunds and payouts can take now."),
          pending: Amount("Authorized manual-capture payments not captured yet."),
          in_transit: Amount("Payouts on their way to the bank."),
          disputed: Amount("Held by open disputes: available again if won, the payer's if lost (docs/disputes.md)."),
        },
        Closed,
      ),
    ),
  },
  { $id: "Balance", additionalProperties: false },
);

export const PayoutScheduleSchema = Type.Object(
  {
    object: Type.Literal("payout_schedule"),
    livemode: Type.Boolean(),
    interval: literals(["manual", "daily"] as const, "manual: on request; daily: all of it once a UTC day."),
  },
  { $id: "PayoutSchedule", additionalProperties: false },
);

export const CheckoutSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("checkout"),
    livemode: Type.Boolean(),
    status: PaymentStatusSchema,
    merchant: Type.Object({ name: Type.String() }, Closed),
    amount: AmountString,
    currency: Type.String(),
    amount_display: Type.String({ description: 'The amount in the currency\'s unit, for people: "19.99".' }),
    amount_subtotal: Amount("Before the discount (equal to amount without one)."),
    discount: Nullable(
      Type.Object(
        {
          name: Type.String({ description: "The coupon's name." }),
          code: Nullable(Type.String({ description: "The promotion code it came through." })),
          amount: AmountString,
          amount_display: Type.String(),
          subtotal_display: Type.String(),
          applied_by: literals(["merchant", "payer"] as const, "payer: a code entered here (it can be removed)."),
        },
        { ...Closed, description: "The discount taken off (docs/coupons.md), or null." },
      ),
    ),
    description: Nullable(Type.String()),
    failure_code: FailureCodeSchema,
    expires_at: Timestamp,
    redirect_url: Nullable(Type.String({ description: "Once paid: where the page sends the payer." })),
    cancel_url: Nullable(Type.String()),
    qr: Nullable(
      Type.Object(
        { payload: Type.String(), svg: Type.String() },
        { ...Closed, description: "Null for a payment code's payment." },
      ),
    ),
    crypto: Nullable(CryptoPaymentDetailsSchema),
    retryable_until: Nullable(
      Type.Integer({ description: "Unix seconds: until then the payer may pay this failed or expired payment again." }),
    ),
    last_attempt: Nullable(
      Type.Object(
        {
          number: Type.Integer(),
          status: literals(["succeeded", "requires_capture", "failed", "canceled", "expired"] as const),
          failure_code: FailureCodeSchema,
          cancellation_reason: Nullable(literals(cancellationReasons)),
        },
        {
          ...Closed,
          description: "How the last attempt to pay ended, once the payment ended unpaid or was paid again.",
        },
      ),
    ),
  },
  { $id: "Checkout", additionalProperties: false },
);

export const WalletPaymentSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("wallet_payment"),
    livemode: Type.Boolean(),
    status: PaymentStatusSchema,
    method: PaymentMethodSchema,
    merchant: Type.Object({ name: Type.String() }, Closed),
    amount: AmountString,
    amount_subtotal: Amount("Before the discount (equal to amount without one)."),
    discount: Nullable(
      Type.Object(
        {
          name: Type.String({ description: "The coupon's name." }),
          code: Nullable(Type.String({ description: "The promotion code, if the discount came through one." })),
          amount: AmountString,
          applied_by: literals(["merchant", "payer"] as const, "payer: a code you entered (you may change it)."),
        },
        Closed,
      ),
    ),
    currency: Type.String(),
    description: Nullable(Type.String()),
    step_up_required: Type.Boolean({ description: "Confirming needs step_up (a TOTP code or a passkey)." }),
    failure_code: FailureCodeSchema,
    amount_refunded: Amount("What the merchant has refunded to the wallet so far."),
    expires_at: Timestamp,
    redirect_url: Nullable(Type.String({ description: "Checkout: where to send the payer once paid." })),
    feedback_token: Nullable(
      Type.String({
        description:
          "Once succeeded, to its payer: rate it with POST /v1/feedback_requests/{token} (docs/feedback.md), as the checkout page does.",
      }),
    ),
    created: Timestamp,
  },
  Closed,
);

export const PaymentCodeSchema = Type.Object(
  {
    object: Type.Literal("payment_code"),
    code: Type.String({ description: "18 digits starting 88; works once, for one minute." }),
    expires_at: Timestamp,
    barcode_svg: Type.String({ description: "The code as a Code 128 barcode." }),
    qr_svg: Type.String({ description: "The code as a QR code." }),
  },
  Closed,
);

export const CreatePaymentBody = (amount: TSchema) =>
  Type.Object(
    {
      amount,
      currency: CurrencyCode,
      method: PaymentMethodSchema,
      capture_method: Type.Optional(
        literals(captureMethods, "automatic (default): charged at once; manual: held until you capture or cancel."),
      ),
      description: Type.Optional(Type.String({ maxLength: paymentDescriptionLengthMax })),
      metadata: Type.Optional(Metadata),
      return_url: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 2048,
          description: "checkout: where the payer goes back after paying.",
        }),
      ),
      expires_in: Type.Optional(
        Type.Integer({ description: "Seconds until an unpaid qr or checkout payment expires (60 to 604800; 900)." }),
      ),
      asset: Type.Optional(
        Type.String({
          pattern: "^[A-Z][A-Z0-9]{2,9}$",
          description:
            "method crypto: the asset to be paid in (ETH, USDC …), of a chain of this mode. currency is then the asset (amount in its minor unit) or a fiat currency (priced at the rate locked now).",
        }),
      ),
      chain: Type.Optional(
        Type.String({
          pattern: "^[a-z][a-z0-9_-]{0,31}$",
          description: "method crypto: the chain, when several of this mode carry the asset (default: the first).",
        }),
      ),
      payment_code: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: offlineCodeLengthMax,
          description:
            "method payment_code: the code your POS scanned: the wallet's 18-digit code, or an offline code (cof1.…, docs/offline-codes.md).",
        }),
      ),
      till: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 64,
          description: "The till (til_…) the payment is taken at: one of yours, active, in the store's currency.",
        }),
      ),
      discounts: Type.Optional(
        Type.Array(
          Type.Object(
            {
              coupon: Type.Optional(
                Type.String({ minLength: 1, maxLength: 64, description: "One of your coupons (cpn_…)." }),
              ),
              promotion_code: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 64,
                  description: "A promotion code: its id (prc_…) or the code itself, yours or the platform's.",
                }),
              ),
            },
            Closed,
          ),
          {
            maxItems: 1,
            description:
              "A discount to take off amount (docs/coupons.md): one coupon or promotion code. amount is then the subtotal and the payer pays amount minus the discount. Automatic capture only.",
          },
        ),
      ),
      allow_retries: Type.Optional(
        Type.Boolean({
          description:
            "Let the payer pay it again after a failure or expiry (docs/payments.md, Paying again). Default: true for checkout payments from API version 2026-12-14, else false; never with till.",
        }),
      ),
    },
    Closed,
  );

export const CancelBody = Type.Object(
  {
    cancellation_reason: Type.Optional(
      literals(["requested_by_customer", "duplicate", "fraudulent", "abandoned"] as const),
    ),
  },
  Closed,
);

export { refundReasons };
