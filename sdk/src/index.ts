/** @coffer/sdk: the coffer API client, its types and errors, and webhook verification. */
export { Coffer, type CofferOptions } from "./client.js";
export {
  ApiError,
  AuthenticationError,
  CofferError,
  type CofferErrorCode,
  ConnectionError,
  IdempotencyError,
  InvalidRequestError,
  RateLimitError,
} from "./errors.js";
export * from "./generated.js";
export {
  type OfflineCodeRefusal,
  type OfflineKey,
  type RefusedOfflineCode,
  type VerifiedOfflineCode,
  type VerifyOfflineCodeOptions,
  verifyOfflineCode,
} from "./offline.js";
export { type ListPage, ListPromise } from "./pagination.js";
export type { FetchLike, RequestOptions } from "./transport.js";
export {
  signWebhookForTests,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
} from "./webhooks.js";
