import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { Authenticator } from "../http/auth.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import { createSignInService } from "../security/sign-ins/service.js";
import { createApiKeyAuthCache, createApiKeyAuthenticator } from "./api-key-authenticator.js";
import { createApiKeyService } from "./api-keys.js";
import { createAccountApiVersions } from "./api-version.js";
import { createConsoleAccounts } from "./console-accounts.js";
import { createConsoleLogin } from "./console-login.js";
import { createConsoleSessions } from "./console-sessions.js";
import { createGoLiveChecklist, defaultGoLiveItems, type GoLiveItem } from "./go-live.js";
import { createKybService } from "./kyb.js";
import { createPasskeys } from "./passkeys.js";
import { createTeamService } from "./team.js";
import { createTotpFactor } from "./totp-factor.js";

/**
 * The merchant platform's services, built from explicit dependencies: console accounts and sessions, two-factor,
 * KYB, API keys, team and the go-live checklist, plus the authenticators for API keys and console sessions.
 */
export interface MerchantServiceDeps {
  pool: Pool;
  clock: Clock;
  config: Config;
  secrets: SecretBox;
  notifications: NotificationService;
  log: Logger;
  /** The go-live checklist; other domains (the sandbox) pass a longer list. */
  goLiveItems?: readonly GoLiveItem[];
}

export type MerchantServices = ReturnType<typeof createMerchantServices>;

export function createMerchantServices(deps: MerchantServiceDeps) {
  const { pool, clock, secrets, notifications } = deps;
  const goLive = createGoLiveChecklist(deps.goLiveItems ?? defaultGoLiveItems);
  const sessions = createConsoleSessions({ pool, clock });
  const totp = createTotpFactor({ pool, clock, secrets }, "merchant_users");
  const apiKeyAuthCache = createApiKeyAuthCache();
  const apiKeys = createApiKeyService({ pool, clock, secrets, goLive, authCache: apiKeyAuthCache });
  const apiVersions = createAccountApiVersions({ pool, clock, authCache: apiKeyAuthCache });
  const kyb = createKybService({ pool, clock, secrets, notifications });
  const accounts = createConsoleAccounts({ pool, clock, notifications, apiKeys, kyb, sessions });
  const signIns = createSignInService({ pool, clock, notifications });
  // "This wasn't me" on a console user's new-device alert: every session ends and a new password is required.
  signIns.onReport("merchant_user", {
    async secure(tx, userId, at) {
      await sessions.revokeAllOfUser(tx, userId);
      await tx.query(
        "UPDATE merchant_users SET password_reset_required_at = COALESCE(password_reset_required_at, $2) WHERE id = $1",
        [userId, at],
      );
      const owner = await tx.query<{ merchant_id: string }>(
        "SELECT merchant_id FROM merchant_members WHERE user_id = $1 ORDER BY (role = 'owner') DESC, created_at LIMIT 1",
        [userId],
      );
      return { merchantId: owner.rows[0]?.merchant_id ?? null };
    },
  });
  const login = createConsoleLogin({ pool, clock, sessions, totp, signIns, notifications });
  const passkeys = createPasskeys({ pool, clock, login });
  const team = createTeamService({ pool, clock, notifications, sessions, totp });
  const authenticators: Authenticator[] = [
    createApiKeyAuthenticator({ pool, clock, log: deps.log.child({ component: "api-keys" }), cache: apiKeyAuthCache }),
    sessions.authenticator,
  ];
  return {
    config: deps.config,
    goLive,
    sessions,
    totp,
    apiKeys,
    apiVersions,
    kyb,
    accounts,
    login,
    passkeys,
    team,
    signIns,
    authenticators,
  };
}
