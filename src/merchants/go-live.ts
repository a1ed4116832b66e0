import type { Queryable } from "../db/pool.js";
import { findUserById, hasSecondFactor } from "./users.js";

/**
 * The go-live checklist: what must be true before a console user may create live keys. Each item is a function of
 * the merchant and the user asking; the sandbox and other domains add items by passing a longer list to
 * createGoLiveChecklist (see defaultGoLiveItems). Live keys are created only when every item passes.
 */
export interface GoLiveCheckContext {
  db: Queryable;
  merchantId: string;
  /** The console user asking: some items are about them (two-factor on). */
  userId: string;
}

/** What a check found: pass or fail, and optionally what it saw (e.g. which probe step failed). */
export interface GoLiveCheckOutcome {
  passed: boolean;
  detail?: string;
}

export interface GoLiveItem {
  /** Stable, snake_case: the console keys its texts on it. */
  id: string;
  title: string;
  /** How to make the item pass, for the merchant reading the checklist. */
  fix?: string;
  check(context: GoLiveCheckContext): Promise<boolean | GoLiveCheckOutcome>;
}

export interface GoLiveItemResult {
  id: string;
  title: string;
  passed: boolean;
  fix: string | null;
  detail: string | null;
}

export interface GoLiveReport {
  ready: boolean;
  items: GoLiveItemResult[];
}

export const kybApprovedItem: GoLiveItem = {
  id: "kyb_approved",
  title: "The business verification (KYB) is approved.",
  fix: "Fill in the business verification with its documents (PUT /v1/console/kyb, POST /v1/console/kyb/documents), submit it (POST /v1/console/kyb/submit) and wait for the review.",
  async check({ db, merchantId }) {
    const result = await db.query<{ state: string }>("SELECT state FROM kyb_applications WHERE merchant_id = $1", [
      merchantId,
    ]);
    return result.rows[0]?.state === "approved";
  },
};

export const twoFactorEnabledItem: GoLiveItem = {
  id: "two_factor_enabled",
  title: "You have two-factor authentication on (an authenticator app or a passkey).",
  fix: "Turn on an authenticator app (POST /v1/console/2fa/totp, then …/confirm) or add a passkey. This item is about you: each team member who creates live keys needs it.",
  async check({ db, userId }) {
    const user = await findUserById(db, userId);
    return user !== undefined && hasSecondFactor(user);
  },
};

export const defaultGoLiveItems: readonly GoLiveItem[] = [kybApprovedItem, twoFactorEnabledItem];

export type GoLiveChecklist = ReturnType<typeof createGoLiveChecklist>;

export function createGoLiveChecklist(items: readonly GoLiveItem[] = defaultGoLiveItems) {
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) throw new Error(`go-live item ${item.id} is listed twice`);
    ids.add(item.id);
  }
  return {
    items,
    async evaluate(context: GoLiveCheckContext): Promise<GoLiveReport> {
      const results: GoLiveItemResult[] = [];
      for (const item of items) {
        const outcome = await item.check(context);
        const { passed, detail } = typeof outcome === "boolean" ? { passed: outcome, detail: undefined } : outcome;
        results.push({ id: item.id, title: item.title, passed, fix: item.fix ?? null, detail: detail ?? null });
      }
      return { ready: results.every((r) => r.passed), items: results };
    },
  };
}
