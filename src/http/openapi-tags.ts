/**
 * Every tag an operation of the API document may carry, with what it groups. The document declares them all, so
 * tools that list operations by tag (Redocly, Scalar, generated clients) show a description instead of a bare
 * word; test/openapi-document.test.ts fails when a route uses a tag missing here.
 */
export const apiTags: Readonly<Record<string, string>> = {
  account: "The merchant account an API key belongs to.",
  alerts: "A merchant's alert settings: success-rate drops, failed payouts, disabled webhook endpoints.",
  analytics: "A merchant's figures from the analytics rollups: volume, success rate, failures, customers, methods.",
  balance: "A merchant's balance in each currency, available and pending.",
  cashback: "Cashback rules: a percent of what payers pay credited back to their wallet, from a funded budget.",
  checkout: "The hosted checkout page's calls, made by a payer's browser.",
  coupons: "Coupons and promotion codes: amount or percent off, with limits, applied at creation or by the payer.",
  console: "The merchant console: sign-up, sign-in, team, keys, verification (KYB) and settings, by cookie session.",
  disputes: "Payers' disputes of payments: the held amount, the merchant's evidence and its due date, the outcome.",
  feedback: "Payers' ratings of their payments (1 to 5, tags, a comment) and their averages over time.",
  events: "Everything that happened to a merchant's objects, as delivered to webhook endpoints.",
  offline_codes: "Offline-verifiable payment codes: coffer's public offline keys and a wallet device's certificate.",
  operations: "Operators' work on wallet users: identity review, freezes, top-ups and withdrawals.",
  operators: "The operator console: merchant review (KYB), platform analytics, system health and audits.",
  payment_links: "Shareable links that let anyone pay a merchant without an integration.",
  payments: "Payments by QR code, payment code and hosted checkout: create, read, capture, cancel.",
  payouts: "Money leaving a merchant's balance for their bank account.",
  refunds: "Money going back from a merchant to the payer of a payment.",
  stores: "A merchant's stores and their tills: static till QR codes, posters and each day's takings per till.",
  support: "Support tickets: payers to merchants, payers and merchants to the platform; threads, files and deadlines.",
  stored_value: "Prepaid stored-value cards and vouchers a merchant issues, loads and freezes (closed loop).",
  system: "Liveness and readiness of this coffer process.",
  versions: "The API's dated versions and the breaking changes each made.",
  test_helpers: "Test mode only: test payers, scripted outcomes and the test clock.",
  wallet: "The wallet app's calls, by a wallet user's bearer token: balance, payments, top-ups, transfers.",
  webhooks: "Webhook endpoints, their signing secrets and their deliveries.",
};
