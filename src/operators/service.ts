import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { Authenticator } from "../http/auth.js";
import { createTotpFactor } from "../merchants/totp-factor.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import type { StoredValueLimits } from "../stored-value/config.js";
import { createOperatorAccounts } from "./accounts.js";
import { type BankFileExchange, createBankFileDesk } from "./bank-files.js";
import { createDirectory } from "./directory.js";
import { createKybReview } from "./kyb-review.js";
import { createPlatformAnalytics } from "./platform-analytics.js";
import { createOperatorSessions } from "./sessions.js";
import { createVerifyRuns } from "./verify-runs.js";

/** The operator side of the platform, built from explicit dependencies (see src/runtime/services.ts). */
export type OperatorServices = ReturnType<typeof createOperatorServices>;

export function createOperatorServices(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  notifications: NotificationService;
  /** The wallets' file bank connector, whose files operators carry to and from the bank. */
  bankFiles: BankFileExchange;
  /** Stored-value cards' caps, which verify checks (src/stored-value/verify.ts). */
  storedValueLimits?: ReadonlyMap<string, StoredValueLimits>;
}) {
  const sessions = createOperatorSessions(deps);
  const totp = createTotpFactor(deps, "operators", "coffer ops");
  const accounts = createOperatorAccounts({ pool: deps.pool, clock: deps.clock, sessions, totp });
  const kybReview = createKybReview(deps);
  const directory = createDirectory(deps);
  const verifyRuns = createVerifyRuns(deps);
  const bankFiles = createBankFileDesk({ pool: deps.pool, clock: deps.clock, files: deps.bankFiles });
  const platformAnalytics = createPlatformAnalytics(deps);
  const authenticators: Authenticator[] = [sessions.authenticator];
  return { sessions, totp, accounts, kybReview, directory, verifyRuns, bankFiles, platformAnalytics, authenticators };
}
