import { eventCatalog } from "../src/events/catalog.js";
import { table } from "./error-docs.js";

/** Renders docs/events.md from src/events/catalog.ts. */
export function renderEventsMarkdown(): string {
  const groups = new Map<string, [string, string][]>();
  for (const [type, meaning] of Object.entries(eventCatalog)) {
    const object = type.split(".")[0]!;
    groups.set(object, [...(groups.get(object) ?? []), [`\`${type}\``, meaning]]);
  }
  const sections = [...groups.entries()].flatMap(([object, rows]) => [
    `## ${object}`,
    "",
    ...table(["type", "meaning"], rows),
    "",
  ]);
  return [
    "# Event types",
    "",
    "Generated from `src/events/catalog.ts` by `npm run docs`; do not edit by hand. coffer refuses to write an event",
    "whose type is not in the catalog, so this list is complete. How events are read and delivered:",
    "[webhooks.md](webhooks.md).",
    "",
    "Merchant-side events (payments, refunds, payouts, business verification, API keys, webhook endpoints) are listed",
    "by `GET /v1/events` and delivered to webhook endpoints. Wallet-side events (wallet users, identity checks, funding",
    "sources, top-ups, withdrawals, wallet transfers) belong to the wallet user and are not sent to merchants.",
    "",
    ...sections,
  ].join("\n");
}
