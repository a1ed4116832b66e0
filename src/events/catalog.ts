/**
 * Every event type coffer writes, with what it means. recordEvent refuses a type that is not listed here, so this
 * catalog — and docs/events.md, generated from it — is complete by construction.
 */
export const eventCatalog = {
  "payment.created": "A payment request was created and waits for the payer (status requires_payment).",
  "payment.processing": "The payer is confirming, or a payment code payment waits for the payer's confirmation.",
  "payment.requires_capture": "The payer's funds are on hold; capture or cancel the payment.",
  "payment.succeeded": "The payment was charged (or captured); the merchant's balance was credited.",
  "payment.failed": "The payment failed; `failure_code` says why (insufficient_funds, payer_declined, …).",
  "payment.canceled": "The payment was canceled (by the merchant, or by coffer when nobody confirmed it).",
  "payment.expired": "Nobody paid before the payment's expiry, or a held payment was not captured in time.",
  "payment.crypto_received":
    "Money for a crypto payment was seen on chain (`crypto.amount_received`); it counts once it has its confirmations.",
  "payment.crypto_underpaid":
    "A crypto payment ended with less than its amount received; what arrived is held for refund to the payer (docs/crypto.md).",
  "payment.crypto_overpaid":
    "A crypto payment received more than its amount; it succeeded and the excess is held for refund to the payer.",
  "payment.crypto_paid_late":
    "Money arrived for a crypto payment after it expired; it is held for refund to the payer.",
  "payment.crypto_refund_sent": "Held money of a crypto payment was sent back to the address the payer gave.",
  "payment.updated":
    "The payment's metadata changed, or its retries were ended (POST /v1/payments/{id}), or its payer applied or removed a promotion code (amount and discounts).",
  "payment_attempt.failed":
    "The payer tried to pay a failed or expired payment again and was refused (funds, limits …); the payment keeps its status. `data.object` is the attempt (docs/adr/0028).",
  "feedback.created":
    "A payer rated a payment: 1 to 5, tags and a comment (docs/feedback.md). `data.object` is the feedback.",
  "refund.created": "A refund was requested.",
  "refund.succeeded": "The refund was paid back to the payer's wallet.",
  "refund.failed": "The refund could not be paid; `failure_code` says why.",
  "refund.updated": "The refund's metadata changed (POST /v1/refunds/{id}).",
  "dispute.created":
    "A payer disputed a payment (docs/disputes.md): the amount is held from the balance as far as it covers it; answer by `evidence_details.due_by`.",
  "dispute.updated":
    "A dispute's evidence was saved or submitted (status under_review), more of it was held or paid as money arrived, or its metadata changed.",
  "ticket.created":
    "A support ticket was opened (docs/support.md): a payer's about one of your payments, or yours to the platform.",
  "ticket.message_added":
    "Someone replied to a support ticket; `data.object` is the ticket with its new message count.",
  "ticket.updated": "A support ticket's status changed (open, waiting_on_customer); `previous_attributes.status`.",
  "ticket.resolved": "A support ticket was marked resolved; a customer's reply opens it again.",
  "dispute.closed":
    "A dispute was decided: won (the held amount is available again) or lost (it went to the payer); `closed_by` says how.",
  "coupon.created": "A coupon was created (docs/coupons.md).",
  "coupon.updated": "A coupon's name or metadata changed.",
  "coupon.deactivated": "A coupon was deactivated: no new payment takes it or its promotion codes.",
  "coupon.redeemed":
    "A payment with a discount was paid; `data.object` is the coupon redemption (cpr_…), now redeemed.",
  "coupon.redemption_released":
    "A payment holding a discount ended unpaid, or its payer changed the code: the coupon's counts were given back.",
  "coupon.redemption_returned":
    "A discounted payment was refunded in full: its redemption (and the discount, to the coupon's budget) was given back.",
  "promotion_code.created": "A promotion code was created for a coupon.",
  "promotion_code.updated": "A promotion code's metadata changed.",
  "promotion_code.deactivated": "A promotion code was deactivated; its text may be given to a new code.",
  "cashback_rule.created": "A cashback rule was created and its budget moved into it (docs/coupons.md).",
  "cashback_rule.updated": "A cashback rule's name or metadata changed.",
  "cashback_rule.deactivated": "A cashback rule was deactivated; what was left of its budget went back.",
  "cashback.credited": "Cashback on a succeeded payment was credited to its payer's wallet.",
  "cashback.reversed": "A refund took its share of a cashback back from the payer's wallet.",
  "payment_link.created": "A payment link was created (docs/payment-links.md).",
  "payment_link.updated": "A payment link's description, return URL, maximum uses, expiry or metadata changed.",
  "payment_link.deactivated": "A payment link was deactivated: it takes no more payments.",
  "store.created": "A store was created (docs/stores-and-tills.md).",
  "store.updated": "A store's name, address or metadata changed.",
  "till.created": "A till, with its static QR code, was created in a store.",
  "till.updated": "A till's name or metadata changed.",
  "till.deactivated": "A till was deactivated: its QR code takes no more payments.",
  "payout.created": "A payout to the merchant's settlement bank account started; the amount is on hold.",
  "payout.paid": "The bank confirmed the payout.",
  "payout.failed": "The bank failed the payout; the amount returned to the merchant's balance.",
  "payout.updated": "The payout's metadata changed (POST /v1/payouts/{id}).",
  "kyb_application.submitted": "The merchant submitted its business verification.",
  "kyb_application.in_review": "An operator started reviewing the business verification.",
  "kyb_application.approved": "The business verification was approved; live keys can be created.",
  "kyb_application.rejected": "The business verification was rejected; `data.object` holds the reasons.",
  "kyb_application.action_required": "The reviewer asked for more information.",
  "api_key.created": "An API key was created.",
  "api_key.rolled": "An API key was rolled; the old key stays valid until its expiry.",
  "api_key.revoked": "An API key was revoked.",
  "webhook_endpoint.created": "A webhook endpoint was created.",
  "webhook_endpoint.updated": "A webhook endpoint's URL, events, description, metadata or status changed.",
  "webhook_endpoint.secret_rotated": "A webhook endpoint's signing secret was rotated.",
  "webhook_endpoint.disabled":
    "A webhook endpoint was disabled: by the merchant, after a 410, or after failing for days.",
  "webhook_endpoint.deleted": "A webhook endpoint was deleted.",
  "webhook_endpoint.probe":
    "Sent only by the go-live probe, straight to the probed endpoint whatever its `enabled_events`; `data.object` is the endpoint. Never stored, listed or retried: answer 2xx as for any type you do not act on.",
  "offline_certificate.issued":
    "A wallet device got an offline certificate; its offline cap is held from the wallet (docs/offline-codes.md).",
  "offline_certificate.released":
    "An offline certificate's settlement deadline passed; what was left of its hold went back to the wallet.",
  "wallet_user.created": "A wallet user signed up and verified their contact.",
  "wallet_user.frozen":
    "The wallet was frozen, by an operator or by its owner reporting a sign-in that was not theirs: it can neither pay nor withdraw.",
  "wallet_user.unfrozen":
    "The wallet was unfrozen, by an operator or by its owner's password reset after reporting a sign-in.",
  "wallet_user.tier_changed": "The wallet user's identity tier (and so their limits) changed.",
  "wallet_user.locked": "Too many failed sign-ins locked the wallet user's login for a while.",
  "kyc_submission.created": "A wallet user submitted identity details for verification.",
  "kyc_submission.approved": "The identity verification was approved.",
  "kyc_submission.rejected": "The identity verification was rejected.",
  "funding_source.created": "A bank account was linked to a wallet.",
  "funding_source.verified": "The linked bank account was verified and can be used.",
  "funding_source.verification_failed": "The linked bank account could not be verified.",
  "funding_source.removed": "A linked bank account was removed.",
  "top_up.created": "A top-up from a bank account started.",
  "top_up.succeeded": "The bank confirmed the top-up; the wallet was credited.",
  "top_up.failed": "The bank refused the top-up.",
  "withdrawal.created": "A withdrawal to a bank account started; the amount is on hold.",
  "withdrawal.succeeded": "The bank confirmed the withdrawal.",
  "withdrawal.failed": "The bank failed the withdrawal; the hold was released.",
  "crypto_deposit.pending":
    "A deposit to a wallet user's blockchain address was seen in a block; it is pending until it has its confirmations (docs/crypto.md).",
  "crypto_deposit.available": "A deposit reached its confirmations; the wallet's balance of the asset was credited.",
  "crypto_deposit.orphaned":
    "A pending deposit's block was dropped in a reorganisation; its pending credit was voided (it may be seen again in a new block).",
  "crypto_deposit.reversed":
    "An already available deposit vanished in a reorganisation; its credit was taken back and operators were alerted.",
  "crypto_deposit.dust": "A deposit below the asset's dust threshold was recorded and not credited.",
  "crypto_withdrawal.created":
    "A withdrawal to a blockchain address started; the amount and its network fee are on hold.",
  "crypto_withdrawal.broadcast": "A crypto withdrawal's transaction was signed and sent (again, when replaced).",
  "crypto_withdrawal.confirmed": "A crypto withdrawal's transaction has its confirmations; the hold was posted.",
  "crypto_withdrawal.failed": "A crypto withdrawal's transaction reverted or was dropped; the hold was released.",
  "wallet_transfer.sent": "A wallet user sent money to another wallet.",
  "wallet_transfer.received": "A wallet user received money from another wallet.",
  "stored_value_card.issued": "A stored-value card was issued with its initial value (docs/stored-value.md).",
  "stored_value_card_batch.issued":
    "A batch of stored-value cards was issued (count > 1); the cards are listed with `batch`, their numbers were shown once.",
  "stored_value_card.loaded":
    "Money was loaded onto a stored-value card (cash-in, from an account wallet, or a voucher).",
  "stored_value_card.frozen":
    "A stored-value card was frozen by its issuer or an operator: it can neither pay nor be loaded.",
  "stored_value_card.unfrozen": "A stored-value card was unfrozen.",
  "stored_value_card.expired":
    "A stored-value card expired; what was left on it moved to its issuer's breakage account (`data.object` shows the card).",
  "stored_value_card.claimed":
    "A stored-value card (or voucher) was claimed or redeemed: its balance moved into a wallet and the card is closed.",
  "stored_value_card.breakage_returned":
    "An operator returned an expired card's breakage onto the card, which is active again for a while (docs/stored-value.md).",
} as const satisfies Record<string, string>;

export type EventType = keyof typeof eventCatalog;

export function isCatalogued(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}
