import { type ApiError, defineErrors } from "../http/errors.js";

/** The analytics error catalog (docs/errors.md lists it: `npm run docs`). Bad input writes nothing. */
export type AnalyticsErrorCode = "analytics_range_invalid" | "analytics_range_too_long" | "time_zone_invalid";

export const analyticsErrors = defineErrors<AnalyticsErrorCode>({
  analytics_range_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "`from` must be before `to`.",
  },
  analytics_range_too_long: {
    status: 400,
    type: "invalid_request_error",
    message:
      "The range from `from` to `to` is longer than analytics answers at once, or has more buckets than a timeseries holds; ask for a shorter range or a longer interval.",
  },
  time_zone_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "The time zone is not an IANA time zone name coffer knows (for example Europe/Paris or Asia/Shanghai).",
  },
});

export function analyticsError(code: AnalyticsErrorCode, message?: string, param?: string | null): ApiError {
  return analyticsErrors.toApiError(code, message, param);
}
