import { defineErrors } from "../http/errors.js";
import {
  alertRecipientsMax,
  alertSuccessRateMinAttemptsMax,
  alertSuccessRateWindowMinutesMax,
  alertSuccessRateWindowMinutesMin,
} from "../limits.js";

export type AlertErrorCode =
  | "alert_threshold_invalid"
  | "alert_window_invalid"
  | "alert_min_attempts_invalid"
  | "alert_recipients_invalid";

export const alertErrors = defineErrors<AlertErrorCode>({
  alert_threshold_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: "success_rate.threshold is a number above 0 and at most 1, with at most four decimals (0.8 is 80%).",
  },
  alert_window_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: `success_rate.window_minutes is a whole number of minutes from ${alertSuccessRateWindowMinutesMin} to ${alertSuccessRateWindowMinutesMax}.`,
  },
  alert_min_attempts_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: `success_rate.min_attempts is a whole number from 1 to ${alertSuccessRateMinAttemptsMax}.`,
  },
  alert_recipients_invalid: {
    status: 400,
    type: "invalid_request_error",
    message: `recipients holds at most ${alertRecipientsMax} distinct emails of members of this team whose email is verified.`,
  },
});
