import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";

/**
 * Ledger accounts made on first need (a wallet's account in a currency, a merchant's balance account, a settlement
 * or fee account): find the mapping, or create the account and its mapping in one transaction. Two processes that
 * race to create the same one are settled by the mapping's unique key: `create` returns undefined when its insert
 * lost (ON CONFLICT DO NOTHING), the transaction rolls back, and the winner's account is found on the next try.
 * A mapping never changes once made, so it is remembered in this process.
 */
const attemptsMax = 3;

class LostRace extends Error {}

export interface LazyAccounts {
  findOrCreate(
    key: string,
    find: (db: Queryable) => Promise<bigint | undefined>,
    create: (db: Queryable) => Promise<bigint | undefined>,
  ): Promise<bigint>;
  /** The account if it exists (remembered or read), never creating one. */
  findExisting(key: string, find: (db: Queryable) => Promise<bigint | undefined>): Promise<bigint | undefined>;
}

export function createLazyAccounts(pool: Pool): LazyAccounts {
  const cache = new Map<string, bigint>();
  return {
    async findExisting(key, find) {
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const found = await find(pool);
      if (found !== undefined) cache.set(key, found);
      return found;
    },
    async findOrCreate(key, find, create) {
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      for (let attempt = 0; attempt < attemptsMax; attempt++) {
        const found = await find(pool);
        if (found !== undefined) {
          cache.set(key, found);
          return found;
        }
        try {
          const created = await withTransaction(pool, async (tx) => {
            const id = await create(tx);
            if (id === undefined) throw new LostRace();
            return id;
          });
          cache.set(key, created);
          return created;
        } catch (error) {
          if (!(error instanceof LostRace)) throw error;
        }
      }
      throw new Error(`could not create or find the ledger account for ${key}`);
    },
  };
}
