import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as limits from "../../src/limits.js";
import { amountMinorMax, apiLimits } from "../../web/src/shared/api-limits.js";

/**
 * The web app's forms check the API's limits before sending (web/src/shared/api-limits.ts). Each one equals coffer's
 * own, so a form never refuses what coffer takes, nor lets through what coffer refuses with a less helpful answer.
 * (The webhook description's 500 characters and the payment link's least quantity of 2 are written in the routes.)
 */
describe("the web app's form limits", () => {
  it("equal coffer's limits", () => {
    assert.deepEqual(
      {
        couponNameCharsMax: apiLimits.couponNameCharsMax,
        countMax: apiLimits.countMax,
        promotionCodeCharsMin: apiLimits.promotionCodeCharsMin,
        promotionCodeCharsMax: apiLimits.promotionCodeCharsMax,
        paymentDescriptionCharsMax: apiLimits.paymentDescriptionCharsMax,
        paymentLinkQuantityMax: apiLimits.paymentLinkQuantityMax,
        paymentLinkMaxUsesMax: apiLimits.paymentLinkMaxUsesMax,
        urlCharsMax: apiLimits.urlCharsMax,
        webhookEventCharsMax: apiLimits.webhookEventCharsMax,
        webhookEventsMax: apiLimits.webhookEventsMax,
        evidenceTextCharsMax: apiLimits.evidenceTextCharsMax,
        evidenceFileBytesMax: apiLimits.evidenceFileBytesMax,
        amountMinorMax,
      },
      {
        couponNameCharsMax: limits.couponNameLengthMax,
        countMax: limits.couponRedemptionsMax,
        promotionCodeCharsMin: limits.promotionCodeLengthMin,
        promotionCodeCharsMax: limits.promotionCodeLengthMax,
        paymentDescriptionCharsMax: limits.paymentDescriptionLengthMax,
        paymentLinkQuantityMax: limits.paymentLinkQuantityMax,
        paymentLinkMaxUsesMax: limits.paymentLinkMaxUsesMax,
        urlCharsMax: Math.min(limits.webhookUrlLengthMax, limits.paymentReturnUrlLengthMax),
        webhookEventCharsMax: limits.eventTypeLengthMax,
        webhookEventsMax: limits.webhookEnabledEventsMax,
        evidenceTextCharsMax: limits.disputeEvidenceTextLengthMax,
        evidenceFileBytesMax: limits.documentBytesMax,
        amountMinorMax: limits.amountMax,
      },
    );
  });
});
