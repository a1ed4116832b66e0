import type { Clock } from "../../clock.js";
import type { Pool, Queryable } from "../../db/pool.js";
import type { Address } from "../chain/connector.js";
import type { CustodyKeys } from "./keys.js";

/**
 * Custody addresses: one deposit address per wallet user (EVM addresses are the same on every EVM chain, so one
 * serves every chain and asset of the mode) and one per crypto payment, so a payment's money is told apart by
 * where it arrives. Indexes come from a per-mode sequence; a gap left by a rolled-back transaction only skips an
 * index, it never reuses one.
 */
export type AddressKind = "hot" | "wallet" | "payment";

export interface CustodyAddress {
  address: Address;
  livemode: boolean;
  derivationIndex: number;
  kind: AddressKind;
  walletUserId: string | null;
  paymentId: string | null;
}

interface AddressRow {
  address: string;
  livemode: boolean;
  derivation_index: number;
  kind: AddressKind;
  wallet_user_id: string | null;
  payment_id: string | null;
}

function addressFromRow(row: AddressRow): CustodyAddress {
  return {
    address: row.address as Address,
    livemode: row.livemode,
    derivationIndex: row.derivation_index,
    kind: row.kind,
    walletUserId: row.wallet_user_id,
    paymentId: row.payment_id,
  };
}

export type CustodyAddresses = ReturnType<typeof createCustodyAddresses>;

export function createCustodyAddresses(deps: { pool: Pool; clock: Clock; keys: CustodyKeys }) {
  const { pool, clock, keys } = deps;

  async function nextIndex(db: Queryable, livemode: boolean): Promise<number> {
    const sequence = livemode ? "crypto_derivation_index_live" : "crypto_derivation_index_test";
    const next = await db.query<{ index: string }>(`SELECT nextval('${sequence}') AS index`);
    return Number(next.rows[0]!.index);
  }

  /** The wallet user's deposit address, made on first need (race-safe: the partial unique index decides). */
  async function forWalletUser(user: { id: string; livemode: boolean }): Promise<CustodyAddress> {
    const existing = await findWalletAddress(pool, user.id);
    if (existing) return existing;
    await keys.warm(user.livemode);
    const index = await nextIndex(pool, user.livemode);
    const address = await keys.addressAt(user.livemode, index);
    await pool.query(
      `INSERT INTO crypto_addresses (address, livemode, derivation_index, kind, wallet_user_id, created_at)
       VALUES ($1, $2, $3, 'wallet', $4, $5) ON CONFLICT DO NOTHING`,
      [address, user.livemode, index, user.id, clock.now()],
    );
    const made = await findWalletAddress(pool, user.id);
    if (!made) throw new Error(`no deposit address for wallet user ${user.id} after creating one`);
    return made;
  }

  async function findWalletAddress(db: Queryable, walletUserId: string): Promise<CustodyAddress | undefined> {
    const found = await db.query<AddressRow>(
      "SELECT * FROM crypto_addresses WHERE wallet_user_id = $1 AND kind = 'wallet'",
      [walletUserId],
    );
    return found.rows[0] && addressFromRow(found.rows[0]);
  }

  /**
   * A new address for a crypto payment, in the payment's own transaction (tx), so the payment and its address
   * exist together or not at all. The mode's seed must be warm (keys.warm) before the transaction began.
   */
  async function forPayment(tx: Queryable, livemode: boolean, paymentId: string): Promise<CustodyAddress> {
    const index = await nextIndex(tx, livemode);
    const address = await keys.addressAt(livemode, index, tx);
    const inserted = await tx.query<AddressRow>(
      `INSERT INTO crypto_addresses (address, livemode, derivation_index, kind, payment_id, created_at)
       VALUES ($1, $2, $3, 'payment', $4, $5) RETURNING *`,
      [address, livemode, index, paymentId, clock.now()],
    );
    return addressFromRow(inserted.rows[0]!);
  }

  async function get(address: string, db: Queryable = pool): Promise<CustodyAddress | undefined> {
    const found = await db.query<AddressRow>("SELECT * FROM crypto_addresses WHERE address = $1", [
      address.toLowerCase(),
    ]);
    return found.rows[0] && addressFromRow(found.rows[0]);
  }

  async function list(livemode: boolean, db: Queryable = pool): Promise<CustodyAddress[]> {
    const found = await db.query<AddressRow>(
      "SELECT * FROM crypto_addresses WHERE livemode = $1 ORDER BY derivation_index",
      [livemode],
    );
    return found.rows.map(addressFromRow);
  }

  return { forWalletUser, findWalletAddress, forPayment, get, list };
}

/**
 * The set of a mode's addresses, in memory, for the block follower's "is this ours?" on every transfer of a block.
 * refresh() reads only what it has not seen: indexes above the highest seen, and the gaps below it. A gap is an
 * index whose transaction had not committed at the last read (it may commit later) or rolled back (it never will,
 * and stays a gap: a few integers).
 */
export function createAddressBook(pool: Pool, livemode: boolean) {
  const known = new Set<string>();
  const gaps = new Set<number>();
  let indexSeen = -1;
  return {
    async refresh(): Promise<void> {
      const found = await pool.query<{ address: string; derivation_index: number }>(
        `SELECT address, derivation_index FROM crypto_addresses
          WHERE livemode = $1 AND (derivation_index > $2 OR derivation_index = ANY($3::int[]))
          ORDER BY derivation_index`,
        [livemode, indexSeen, [...gaps]],
      );
      for (const row of found.rows) {
        known.add(row.address);
        gaps.delete(row.derivation_index);
        for (let index = indexSeen + 1; index < row.derivation_index; index++) gaps.add(index);
        indexSeen = Math.max(indexSeen, row.derivation_index);
      }
    },
    has(address: string): boolean {
      return known.has(address.toLowerCase());
    },
  };
}
