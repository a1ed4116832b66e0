/**
 * The help centre's articles, as the build renders them from help/<locale>/<slug>.md (web/help-articles.ts). Every
 * slug below is an article in both languages (test/help-centre.test.ts checks it), so a "?" button cannot point at
 * an article that does not exist.
 */
export const helpSlugs = [
  "pay-by-scanning",
  "payment-code",
  "limits-and-tiers",
  "prepaid-cards",
  "recognising-scams",
  "checkout-page",
  "payment-links",
  "counter-qr",
  "refunds",
  "payouts",
  "business-verification",
] as const;
export type HelpSlug = (typeof helpSlugs)[number];
