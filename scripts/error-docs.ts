import { alertErrors } from "../src/alerts/errors.js";
import { analyticsErrors } from "../src/analytics/errors.js";
import { couponErrors } from "../src/coupons/errors.js";
import { cryptoDepositErrors } from "../src/crypto/deposits/errors.js";
import { cryptoPaymentErrors } from "../src/crypto/payments/errors.js";
import { reservesErrors } from "../src/crypto/reserves/errors.js";
import { cryptoWithdrawalErrors } from "../src/crypto/withdrawals/errors.js";
import { disputeErrors } from "../src/disputes/errors.js";
import { feedbackErrors } from "../src/feedback/errors.js";
import { authErrors } from "../src/http/auth.js";
import { type ErrorDefinition, errorCatalog, errorTypes } from "../src/http/errors.js";
import {
  httpBodyIdleTimeoutMs,
  httpHeadersTimeoutMs,
  timestampSecondsMax,
  timestampSecondsMin,
} from "../src/limits.js";
import { merchantErrors } from "../src/merchants/errors.js";
import { offlineErrors } from "../src/offline/errors.js";
import { operatorErrors } from "../src/operators/errors.js";
import { paymentAttemptErrors } from "../src/payment-attempts/errors.js";
import { paymentLinkErrors } from "../src/payment-links/errors.js";
import { paymentErrors } from "../src/payments/errors.js";
import { sandboxErrors } from "../src/sandbox/errors.js";
import { storedValueErrors } from "../src/stored-value/errors.js";
import { storeErrors } from "../src/stores/errors.js";
import { supportErrors } from "../src/support/errors.js";
import { walletErrors } from "../src/wallets/errors.js";
import { webhookErrors } from "../src/webhooks/errors.js";

/**
 * Renders docs/errors.md from the error catalogs. A domain that adds its own catalog with defineErrors lists it
 * in `catalogs` below, so its codes are documented too.
 */
export const catalogs: { title: string; source: string; definitions: Readonly<Record<string, ErrorDefinition>> }[] = [
  { title: "Request, idempotency and platform errors", source: "src/http/errors.ts", definitions: errorCatalog },
  { title: "Authorization", source: "src/http/auth.ts", definitions: authErrors.definitions },
  {
    title: "Merchant platform: accounts, sessions, two-factor, KYB, documents, API keys, team",
    source: "src/merchants/errors.ts",
    definitions: merchantErrors.definitions,
  },
  { title: "Operators", source: "src/operators/errors.ts", definitions: operatorErrors.definitions },
  {
    title: "Account wallets: sign-up, sessions, step-up, identity tiers and limits, funding sources, money movements",
    source: "src/wallets/errors.ts",
    definitions: walletErrors.definitions,
  },
  {
    title: "Payments: payments, payment codes, capture, refunds, payouts",
    source: "src/payments/errors.ts",
    definitions: paymentErrors.definitions,
  },
  {
    title: "Crypto deposits and sandbox chain helpers",
    source: "src/crypto/deposits/errors.ts",
    definitions: cryptoDepositErrors.definitions,
  },
  {
    title: "Crypto payments: pricing, refunds of held money",
    source: "src/crypto/payments/errors.ts",
    definitions: cryptoPaymentErrors.definitions,
  },
  {
    title: "Proof of reserves",
    source: "src/crypto/reserves/errors.ts",
    definitions: reservesErrors.definitions,
  },
  {
    title: "Crypto withdrawals and the withdrawal allowlist",
    source: "src/crypto/withdrawals/errors.ts",
    definitions: cryptoWithdrawalErrors.definitions,
  },
  {
    title: "Paying again: a payment's attempts",
    source: "src/payment-attempts/errors.ts",
    definitions: paymentAttemptErrors.definitions,
  },
  { title: "Feedback after a payment", source: "src/feedback/errors.ts", definitions: feedbackErrors.definitions },
  {
    title: "Payment links",
    source: "src/payment-links/errors.ts",
    definitions: paymentLinkErrors.definitions,
  },
  {
    title: "Offline payment codes: certificates and codes given as payment_code",
    source: "src/offline/errors.ts",
    definitions: offlineErrors.definitions,
  },
  { title: "Stores and tills", source: "src/stores/errors.ts", definitions: storeErrors.definitions },
  { title: "Disputes", source: "src/disputes/errors.ts", definitions: disputeErrors.definitions },
  { title: "Support tickets", source: "src/support/errors.ts", definitions: supportErrors.definitions },
  {
    title: "Coupons, promotion codes, discounts and cashback",
    source: "src/coupons/errors.ts",
    definitions: couponErrors.definitions,
  },
  {
    title: "Stored-value cards and vouchers",
    source: "src/stored-value/errors.ts",
    definitions: storedValueErrors.definitions,
  },
  { title: "Sandbox: test helpers", source: "src/sandbox/errors.ts", definitions: sandboxErrors.definitions },
  { title: "Webhook endpoints", source: "src/webhooks/errors.ts", definitions: webhookErrors.definitions },
  { title: "Merchant alerts", source: "src/alerts/errors.ts", definitions: alertErrors.definitions },
  { title: "Merchant analytics", source: "src/analytics/errors.ts", definitions: analyticsErrors.definitions },
];

const typeMeanings: Record<(typeof errorTypes)[number], string> = {
  invalid_request_error: "The request is wrong; fix it before retrying.",
  idempotency_error: "The Idempotency-Key conflicts with another request.",
  authentication_error: "No valid credentials came with the request.",
  rate_limit_error: "Too many requests; retry later.",
  api_error: "A problem on coffer's side; retrying later may succeed.",
};

const example = {
  error: {
    type: "invalid_request_error",
    code: "parameter_missing",
    message: "Missing required parameter: amount.",
    param: "amount",
    request_id: "req_6f1c0e2a9b8d7c6f5e4d3c2b",
  },
};

/** A Markdown table with padded columns, as the formatter writes it, so `npm run format` leaves it alone. */
export function table(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|").replaceAll("*", "\\*")));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head, ...body] = cells;
  return [line(head ?? []), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}

export function renderErrorsMarkdown(): string {
  const lines = [
    "<!-- Generated from the error catalogs by `npm run docs`; do not edit by hand. -->",
    "# Errors",
    "",
    "Every error coffer answers has this shape, with the HTTP status of its code:",
    "",
    "```json",
    JSON.stringify(example, null, 2),
    "```",
    "",
    "- `type`: the family of the error (below); `code`: a stable, machine-readable code (below);",
    "- `message`: for humans, may change, do not parse it; `param`: the field the error is about, or null;",
    "- `request_id`: the same as the `Request-Id` response header; quote it when you report a problem.",
    "",
    "A 5xx never describes coffer's internals; the details are in coffer's log under the request id.",
    "",
    "## Rules for every endpoint",
    "",
    "Bad input is answered with a 4xx and writes nothing. Beyond each endpoint's own schema:",
    "",
    "- Text: a string anywhere in a request (a JSON value or key, a path parameter, a querystring value, a header)",
    "  that contains U+0000 or a lone UTF-16 surrogate is refused with 400 `parameter_invalid`, `param` naming it.",
    `- Times given in Unix seconds (list filters such as \`created[gte]\`) are whole numbers from`,
    `  ${timestampSecondsMin} to ${timestampSecondsMax} (the last second of 9999); others are 400 \`parameter_invalid\`.`,
    "- JSON bodies are UTF-8: a `Content-Type` naming another charset is 415 `charset_unsupported`.",
    `- A request whose headers do not all arrive within ${httpHeadersTimeoutMs / 1000} s, or whose body stops arriving for`,
    `  ${httpBodyIdleTimeoutMs / 1000} s, is answered 408 \`request_timeout\` and its connection closed.`,
    "- List cursors: `starting_after` and `ending_before` take the id of an object the caller may list (its merchant",
    "  and mode, or its own wallet), even one the list's filters leave out. Any other id, unknown or another",
    "  tenant's, is 400 `parameter_invalid` with `param` naming the cursor, the same answer for both.",
    "",
    "## Types",
    "",
    ...table(
      ["type", "meaning"],
      errorTypes.map((type) => [`\`${type}\``, typeMeanings[type]]),
    ),
  ];
  for (const catalog of catalogs) {
    lines.push("", `## ${catalog.title}`, "", `Defined in \`${catalog.source}\`.`, "");
    const rows = Object.entries(catalog.definitions).map(([code, d]) => [
      `\`${code}\``,
      String(d.status),
      `\`${d.type}\``,
      d.message,
    ]);
    lines.push(...table(["code", "status", "type", "meaning"], rows));
  }
  return `${lines.join("\n")}\n`;
}
