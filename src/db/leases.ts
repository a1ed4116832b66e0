import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { leasePollIntervalMs } from "../limits.js";
import type { Queryable } from "./pool.js";

/**
 * Runs fn while holding the named lease, across processes: at most one holder at a time. Unlike a session advisory
 * lock it holds no connection while fn runs, so fn may use the pool freely. A lease lives ttlMs; a holder that dies
 * leaves it to expire. Waits up to waitMs for the lease, then throws LeaseBusy.
 */
export class LeaseBusy extends Error {
  constructor(readonly lease: string) {
    super(`the lease ${lease} is held by someone else`);
    this.name = "LeaseBusy";
  }
}

export async function withLease<T>(
  db: Queryable,
  name: string,
  options: { ttlMs: number; waitMs: number },
  fn: () => Promise<T>,
): Promise<T> {
  const holder = randomUUID();
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const taken = await db.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE leases.expires_at <= now()
       RETURNING 1`,
      [name, holder, options.ttlMs],
    );
    if (taken.rowCount === 1) break;
    if (Date.now() >= deadline) throw new LeaseBusy(name);
    await sleep(leasePollIntervalMs);
  }
  try {
    return await fn();
  } finally {
    await db.query("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, holder]).catch(() => undefined);
  }
}
