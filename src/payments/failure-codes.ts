/**
 * Why a payment, refund or payout did not go through: the `failure_code` of the object and of its
 * `*.failed` / `payment.expired` event. One catalog for payments, events and the docs (docs/payments.md has a table
 * generated from it). Codes are stable; the message next to each on an object may be more specific.
 */
export const failureCodes = {
  insufficient_funds: {
    applies: ["payment", "payout"],
    description: "The payer's wallet (or, for a payout, the bank account's side) did not have enough money.",
  },
  limit_exceeded: {
    applies: ["payment"],
    description:
      "The payment is above what the payer's identity tier allows: one payment, the daily or the monthly limit.",
  },
  currency_not_supported: {
    applies: ["payment"],
    description: "The payer's wallet cannot hold the payment's currency.",
  },
  card_not_accepted: {
    applies: ["payment"],
    description:
      "The payer's stored-value card was issued by another merchant: a merchant's gift card is spendable at that merchant only (docs/stored-value.md).",
  },
  payer_declined: {
    applies: ["payment"],
    description: "The payer declined the payment in the wallet app.",
  },
  payment_code_invalid: {
    applies: ["payment"],
    description:
      "The payment code is unknown, was used already, or belongs to the other mode (test or live). The request is answered 402 with this code; no payment is made.",
  },
  payment_code_expired: {
    applies: ["payment"],
    description:
      "The payment code is older than a minute, or a newer one replaced it. The request is answered 402 with this code; no payment is made.",
  },
  wallet_frozen: {
    applies: ["payment"],
    description:
      "The payer's wallet is frozen by an operator (or the payer's stored-value card is frozen, expired or closed); money cannot leave it.",
  },
  risk_declined: {
    applies: ["payment"],
    description:
      "coffer's risk checks refused the payment. In test mode the risk_declined scenario answers it (docs/sandbox.md); no live risk rule does yet.",
  },
  expired: {
    applies: ["payment"],
    description:
      "Nobody paid before expires_at, or a manual-capture payment was not captured before capture_before (its hold was released).",
  },
  merchant_balance_insufficient: {
    applies: ["refund"],
    description: "The merchant's available balance was below the refund (paid out already, or held for payouts).",
  },
  refund_declined: {
    applies: ["refund"],
    description:
      "The refund was declined; nothing moved. In test mode the refund_fails scenario answers it for every refund of its payments (docs/sandbox.md).",
  },
  account_closed: {
    applies: ["payout"],
    description: "The bank says the settlement account is closed.",
  },
  account_frozen: {
    applies: ["payout"],
    description: "The bank says the settlement account cannot receive money.",
  },
  do_not_honor: {
    applies: ["payout"],
    description: "The bank declined the instruction without saying why.",
  },
  bank_declined: {
    applies: ["payout"],
    description: "The bank failed the payout for another reason; failure_message has the bank's words.",
  },
} as const satisfies Record<string, { applies: readonly ("payment" | "refund" | "payout")[]; description: string }>;

export type FailureCode = keyof typeof failureCodes;

export function isFailureCode(value: string): value is FailureCode {
  return Object.hasOwn(failureCodes, value);
}

/** A bank connector's failure code as a payout failure code: the known ones pass, the rest are bank_declined. */
export function payoutFailureCode(bankCode: string): FailureCode {
  const known: readonly FailureCode[] = ["account_closed", "account_frozen", "do_not_honor", "insufficient_funds"];
  return (known as readonly string[]).includes(bankCode) ? (bankCode as FailureCode) : "bank_declined";
}
