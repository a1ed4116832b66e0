import { type ApiError, defineErrors } from "../http/errors.js";

/**
 * The sandbox error catalog: what the test helper routes (/v1/test_helpers/…) answer besides the platform's and the
 * payments domain's codes. docs/errors.md lists them (`npm run docs`).
 */
export type SandboxErrorCode = "test_mode_only" | "test_clock_backwards" | "test_clock_limit_reached";

export const sandboxErrors = defineErrors<SandboxErrorCode>({
  test_clock_backwards: {
    status: 400,
    type: "invalid_request_error",
    message: "A test clock only moves forward: `to` must be later than the clock's current time.",
  },
  test_clock_limit_reached: {
    status: 400,
    type: "invalid_request_error",
    message: "The test clock would run more than about ten years ahead; reset your test data to start over.",
  },
  test_mode_only: {
    status: 403,
    type: "invalid_request_error",
    message: "Test helpers work in test mode only: use an sk_test_ key (or the console in test mode).",
  },
});

export function sandboxError(code: SandboxErrorCode, message?: string, param?: string | null): ApiError {
  return sandboxErrors.toApiError(code, message, param);
}
