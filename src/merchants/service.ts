import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { Authenticator } from "../http/auth.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import { createApiKeyAuthCache, createApiKeyAuthenticator } from "./api-key-authenticator.js";
import { createApiKeyService } from "./api-keys.js";
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
  const kyb = createKybService({ pool, clock, secrets, notifications });
  const accounts = createConsoleAccounts({ pool, clock, notifications, apiKeys, kyb, sessions });
  const login = createConsoleLogin({ pool, clock, sessions, totp });
  const passkeys = createPasskeys({ pool, clock, login });
  const team = createTeamService({ pool, clock, notifications, sessions, totp });
  const authenticators: Authenticator[] = [
    createApiKeyAuthenticator({ pool, clock, log: deps.log.child({ component: "api-keys" }), cache: apiKeyAuthCache }),
    sessions.authenticator,
  ];
  return { config: deps.config, goLive, sessions, totp, apiKeys, kyb, accounts, login, passkeys, team, authenticators };
}
