import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { Authenticator } from "../http/auth.js";
import { createTotpFactor } from "../merchants/totp-factor.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import { createOperatorAccounts } from "./accounts.js";
import { createKybReview } from "./kyb-review.js";
import { createOperatorSessions } from "./sessions.js";

/** The operator side of the platform, built from explicit dependencies (see src/runtime/services.ts). */
export type OperatorServices = ReturnType<typeof createOperatorServices>;

export function createOperatorServices(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  notifications: NotificationService;
}) {
  const sessions = createOperatorSessions(deps);
  const totp = createTotpFactor(deps, "operators", "coffer ops");
  const accounts = createOperatorAccounts({ pool: deps.pool, clock: deps.clock, sessions, totp });
  const kybReview = createKybReview(deps);
  const authenticators: Authenticator[] = [sessions.authenticator];
  return { sessions, totp, accounts, kybReview, authenticators };
}
