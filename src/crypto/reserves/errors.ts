import { type ApiError, defineErrors } from "../../http/errors.js";

/** Proof of reserves' error codes (docs/errors.md lists them). */
export type ReservesErrorCode = "reserves_unavailable" | "reserves_report_missing";

export const reservesErrors = defineErrors<ReservesErrorCode>({
  reserves_unavailable: {
    status: 409,
    type: "invalid_request_error",
    message: "Crypto is off in this mode (no chain is connected), so there are no reserves to report.",
  },
  reserves_report_missing: {
    status: 404,
    type: "invalid_request_error",
    message: "No proof-of-reserves report has been published in this mode yet; one runs every day.",
  },
});

export function reservesError(code: ReservesErrorCode, message?: string, param?: string | null): ApiError {
  return reservesErrors.toApiError(code, message, param);
}
