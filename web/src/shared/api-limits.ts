/**
 * The API's own limits, as the web app's forms check them before sending (./form.tsx): a form refuses what coffer
 * would, in the reader's words. They mirror src/limits.ts and the routes' schemas; test/web/form-limits.test.ts keeps
 * them equal.
 */
export const apiLimits = {
  couponNameCharsMax: 100,
  countMax: 10_000_000,
  promotionCodeCharsMin: 3,
  promotionCodeCharsMax: 40,
  paymentDescriptionCharsMax: 500,
  paymentLinkQuantityMin: 2,
  paymentLinkQuantityMax: 1_000,
  paymentLinkMaxUsesMax: 1_000_000,
  urlCharsMax: 2_048,
  webhookDescriptionCharsMax: 500,
  webhookEventsMax: 100,
  webhookEventCharsMax: 100,
  evidenceTextCharsMax: 5_000,
  evidenceFileBytesMax: 5 * 1024 * 1024,
} as const;

/** The most an amount may be, in minor units (what a ledger account balance may reach). */
export const amountMinorMax = (1n << 128n) - 1n;
