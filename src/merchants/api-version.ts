import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import {
  type ApiVersion,
  type ApiVersionRelease,
  apiVersionLatest,
  apiVersions,
  releasesBetween,
  storedApiVersion,
} from "../http/versioning.js";
import { appendAudit } from "../security/audit.js";
import type { ApiKeyAuthCache } from "./api-key-authenticator.js";
import { type ConsoleActor, fail, ok, type Result } from "./model.js";

/**
 * A merchant account's default API version: what its API keys are answered in when a request names no
 * Coffer-Version. The console shows what an upgrade changes before the owner or an admin applies it. Only upgrades:
 * going back would break an integration that has already moved on, and a request can always pin an older version.
 */
export interface AccountApiVersion {
  object: "api_version_setting";
  version: ApiVersion;
  latest: ApiVersion;
  /** The releases between the account's version and the latest: what an upgrade would change. */
  upgrade_changes: ApiVersionRelease[];
}

export type ApiVersionUpgradeError = "api_version_not_newer" | "resource_not_found";

export function createAccountApiVersions(deps: { pool: Pool; clock: Clock; authCache: ApiKeyAuthCache }) {
  function view(version: ApiVersion): AccountApiVersion {
    return {
      object: "api_version_setting",
      version,
      latest: apiVersionLatest,
      upgrade_changes: releasesBetween(version, apiVersionLatest),
    };
  }

  async function get(merchantId: string): Promise<Result<AccountApiVersion, "resource_not_found">> {
    const result = await deps.pool.query<{ api_version: string }>("SELECT api_version FROM merchants WHERE id = $1", [
      merchantId,
    ]);
    const row = result.rows[0];
    return row ? ok(view(storedApiVersion(row.api_version))) : fail("resource_not_found");
  }

  async function upgrade(
    actor: ConsoleActor,
    target: ApiVersion,
  ): Promise<Result<AccountApiVersion, ApiVersionUpgradeError>> {
    const now = deps.clock.now();
    const outcome = await withTransaction(deps.pool, async (tx) => {
      const locked = await tx.query<{ api_version: string }>(
        "SELECT api_version FROM merchants WHERE id = $1 FOR UPDATE",
        [actor.merchantId],
      );
      const row = locked.rows[0];
      if (!row) return fail("resource_not_found" as const);
      const current = storedApiVersion(row.api_version);
      if (apiVersions.indexOf(target) <= apiVersions.indexOf(current)) return fail("api_version_not_newer" as const);
      await tx.query("UPDATE merchants SET api_version = $2 WHERE id = $1", [actor.merchantId, target]);
      await appendAudit(
        tx,
        {
          actorType: "merchant_user",
          actorId: actor.userId,
          merchantId: actor.merchantId,
          action: "account.api_version_upgraded",
          targetType: "merchant",
          targetId: actor.merchantId,
          ip: actor.ip,
          details: { from: current, to: target },
        },
        now,
      );
      return ok(view(target));
    });
    // This process answers the account's keys in the new version at once; others within apiKeyAuthCacheMs.
    if (outcome.ok) deps.authCache.forgetMerchant(actor.merchantId);
    return outcome;
  }

  return { get, upgrade };
}

export type AccountApiVersions = ReturnType<typeof createAccountApiVersions>;
