import { LeaseBusy, withLease } from "../../db/leases.js";
import type { PoolClient } from "../../db/pool.js";
import type { TransferResult } from "../../ledger/errors.js";
import { ledgerSubmissionTransfersMax } from "../../limits.js";
import { type Address, type ChainBlock, ChainError, type ObservedTransfer } from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import { createAddressBook } from "../custody/addresses.js";
import type { CryptoDeps, DepositHandler, LedgerPlan } from "../deps.js";
import { recordDepositEvent } from "./handlers.js";
import { type CryptoDeposit, type DepositRow, depositFromRow, depositIdFor } from "./model.js";

/**
 * The block follower of one chain (docs/crypto.md, "Deposits" and "Reorganisations"). It takes the chain in block by
 * block behind a cursor (crypto_chain_cursors) and remembers the recent blocks it took (crypto_chain_blocks), so:
 *
 * - a block whose parent hash is not the hash stored for the height below, or a cursor block whose hash changed,
 *   reveals a reorganisation: it walks back to the newest stored block still on the chain, orphans or reverses the
 *   deposits above it and rewinds the cursor there, in one ledger submission;
 * - otherwise the block's transfers to coffer's addresses are recorded, each with its handler's `seen` plan, and the
 *   block row and the cursor advance in the same submission: a crash never leaves a block half taken;
 * - then pending deposits whose block has the asset's confirmations get their handler's `confirmed` plan.
 *
 * The chain is read first and the database written after, so no connection is held while the node answers. Every
 * write checks the cursor it started from (compare-and-set): two followers that race on one chain (a lease that
 * expired under a slow pass) cannot both take a block, and deposit ids follow from (chain, tx hash, log index).
 */
export const followerRecentBlocksKept = 64; // a reorg deeper than this stops the follower and alerts operators
export const followerStartBacklogBlocks = 64; // on a chain's first follow, start this many blocks below the head
export const followerBlocksPerPassMax = 500; // blocks one pass takes in before it lets go of the lease
export const followerLeaseTtlMs = 60_000; // a pass stops taking blocks at half of it, so the lease never lapses
export const followerConfirmBatchMax = 200; // pending deposits confirmed per submission

export type FollowStep =
  | { kind: "idle" }
  | { kind: "block"; number: bigint; deposits: number }
  | { kind: "reorg"; ancestor: bigint; dropped: number }
  /** Another follower moved the cursor, or the node dropped the block while it was read: try again. */
  | { kind: "retry"; reason: string };

export interface FollowPass {
  /** Another process holds this chain's lease: it follows the chain now. */
  busy: boolean;
  blocks: number;
  reorgs: number;
  confirmed: number;
}

/** The cursor moved under this follower (another one took the block): nothing of this submission was written. */
export class FollowerConflict extends Error {
  constructor(chain: string) {
    super(`chain ${chain}: the follower's cursor moved meanwhile`);
    this.name = "FollowerConflict";
  }
}

/** A reorganisation deeper than the blocks kept: operators must look before the follower may go on. */
export class ReorgTooDeep extends Error {
  constructor(chain: string, from: bigint) {
    super(
      `chain ${chain}: reorganisation below the ${followerRecentBlocksKept} blocks kept (cursor ${from}); following stopped`,
    );
    this.name = "ReorgTooDeep";
  }
}

interface Cursor {
  number: bigint;
  hash: string | null;
}

/** One deposit and what its handler does now; plan null when nothing moves (dust, or no handler). */
interface Entry {
  deposit: CryptoDeposit;
  plan: LedgerPlan | null;
  /** What the row must look like for this change to apply (its status and inclusion before), null for a new row. */
  expected: { status: CryptoDeposit["status"]; inclusion: number } | null;
}

export type BlockFollower = ReturnType<typeof createBlockFollower>;

export function createBlockFollower(
  deps: CryptoDeps & {
    handlerFor(kind: string): DepositHandler | undefined;
    /** Transfers per ledger submission; the ledger's own limit unless a test wants a block split sooner. */
    submissionTransfersMax?: number;
  },
) {
  const { pool, ledger, clock, log } = deps;
  const submissionTransfersMax = deps.submissionTransfersMax ?? ledgerSubmissionTransfersMax;
  const books = new Map<boolean, ReturnType<typeof createAddressBook>>();
  const bookOf = (livemode: boolean) => {
    let book = books.get(livemode);
    if (!book) {
      book = createAddressBook(pool, livemode);
      books.set(livemode, book);
    }
    return book;
  };

  async function readCursor(chain: RunningChain): Promise<Cursor | undefined> {
    const found = await pool.query<{ block_number: string; block_hash: string | null }>(
      "SELECT block_number, block_hash FROM crypto_chain_cursors WHERE chain = $1",
      [chain.config.name],
    );
    const row = found.rows[0];
    return row && { number: BigInt(row.block_number), hash: row.block_hash };
  }

  /** The cursor of a chain never followed: a little below the head, anchored on a real block so reorgs show. */
  async function ensureCursor(chain: RunningChain): Promise<Cursor> {
    const existing = await readCursor(chain);
    if (existing) return existing;
    const head = await chain.connector.headNumber();
    const anchorNumber = head - BigInt(followerStartBacklogBlocks);
    const anchor = anchorNumber >= 0n ? await chain.connector.block(anchorNumber) : null;
    await ledger.runInBatch(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO crypto_chain_cursors (chain, livemode, block_number, block_hash, updated_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [chain.config.name, chain.livemode, String(anchor?.number ?? -1n), anchor?.hash ?? null, clock.now()],
      );
      if (inserted.rowCount === 1 && anchor) await insertBlock(tx, chain, anchor);
    });
    return (await readCursor(chain))!;
  }

  async function insertBlock(tx: PoolClient, chain: RunningChain, block: ChainBlock): Promise<void> {
    await tx.query(
      `INSERT INTO crypto_chain_blocks (chain, number, hash, parent_hash, seen_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (chain, number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash,
         seen_at = EXCLUDED.seen_at`,
      [chain.config.name, String(block.number), block.hash, block.parentHash, clock.now()],
    );
  }

  /** In a submission's transaction: the cursor is still where this follower read it, and stays so until commit. */
  async function holdCursor(tx: PoolClient, chain: RunningChain, cursor: Cursor): Promise<void> {
    const found = await tx.query<{ block_number: string; block_hash: string | null }>(
      "SELECT block_number, block_hash FROM crypto_chain_cursors WHERE chain = $1 FOR UPDATE",
      [chain.config.name],
    );
    const row = found.rows[0];
    if (!row || BigInt(row.block_number) !== cursor.number || row.block_hash !== cursor.hash) {
      throw new FollowerConflict(chain.config.name);
    }
  }

  async function moveCursor(tx: PoolClient, chain: RunningChain, to: Cursor): Promise<void> {
    await tx.query(
      "UPDATE crypto_chain_cursors SET block_number = $2, block_hash = $3, updated_at = $4 WHERE chain = $1",
      [chain.config.name, String(to.number), to.hash, clock.now()],
    );
  }

  /**
   * Writes entries' rows, then their plans' records, in the submission's transaction. A row that is not as the
   * entry expects (another follower changed it) aborts the whole submission.
   */
  async function writeEntries(tx: PoolClient, entries: Entry[], results: TransferResult[]) {
    const now = clock.now();
    for (const { deposit, expected } of entries) {
      const d = deposit;
      const written =
        expected === null
          ? await tx.query(
              `INSERT INTO crypto_deposits (id, chain, livemode, tx_hash, log_index, block_number, block_hash,
                 from_address, address, asset, amount, address_kind, wallet_user_id, payment_id, status, inclusion,
                 seen_applied, confirmations_required, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
               ON CONFLICT DO NOTHING`,
              [
                d.id,
                d.chain,
                d.livemode,
                d.txHash,
                d.logIndex,
                String(d.blockNumber),
                d.blockHash,
                d.fromAddress,
                d.address,
                d.asset,
                String(d.amount),
                d.addressKind,
                d.walletUserId,
                d.paymentId,
                d.status,
                d.inclusion,
                d.seenApplied,
                d.confirmationsRequired,
                now,
              ],
            )
          : await tx.query(
              `UPDATE crypto_deposits SET status = $4, inclusion = $5, block_number = $6, block_hash = $7,
                 seen_applied = $8, confirmations_required = $9, updated_at = $10,
                 available_at = CASE WHEN $4 = 'available' THEN $10 WHEN $4 IN ('pending', 'dust') THEN NULL
                                     ELSE available_at END,
                 orphaned_at = CASE WHEN $4 = 'orphaned' THEN $10 ELSE orphaned_at END,
                 reversed_at = CASE WHEN $4 = 'reversed' THEN $10 ELSE reversed_at END
               WHERE id = $1 AND status = $2 AND inclusion = $3`,
              [
                d.id,
                expected.status,
                expected.inclusion,
                d.status,
                d.inclusion,
                String(d.blockNumber),
                d.blockHash,
                d.seenApplied,
                d.confirmationsRequired,
                now,
              ],
            );
      if (written.rowCount !== 1) throw new FollowerConflict(d.chain);
    }
    let offset = 0;
    for (const { deposit, plan } of entries) {
      if (deposit.status === "dust") {
        // Dust is recorded and told, never credited.
        await recordDepositEvent(tx, deposit, "crypto_deposit.dust", now);
      }
      if (!plan) continue;
      const mine = results.slice(offset, offset + plan.transfers.length);
      offset += plan.transfers.length;
      await plan.write(tx, mine);
    }
  }

  /**
   * Submits entries in as few ledger submissions as the submission limit allows; `last` runs in the last one (the
   * cursor's move), so the cursor advances only with the last part of a huge block. A crash between parts leaves
   * the cursor behind: the block is read again and the parts already written are skipped by their rows.
   */
  async function submit(
    chain: RunningChain,
    cursor: Cursor,
    entries: Entry[],
    last: (tx: PoolClient) => Promise<void>,
  ): Promise<void> {
    const parts: Entry[][] = [[]];
    let size = 0;
    for (const entry of entries) {
      const count = entry.plan?.transfers.length ?? 0;
      if (count > submissionTransfersMax) throw new Error(`deposit ${entry.deposit.id}: a plan too large`);
      if (size + count > submissionTransfersMax && parts.at(-1)!.length > 0) {
        parts.push([]);
        size = 0;
      }
      parts.at(-1)!.push(entry);
      size += count;
    }
    for (const [index, part] of parts.entries()) {
      const transfers = part.flatMap((entry) => entry.plan?.transfers ?? []);
      await ledger.createTransfers(transfers, async (tx, results) => {
        await holdCursor(tx, chain, cursor);
        await writeEntries(tx, part, results);
        if (index === parts.length - 1) await last(tx);
      });
    }
  }

  async function depositsOf(chain: RunningChain, transfers: ObservedTransfer[]): Promise<Map<string, CryptoDeposit>> {
    if (transfers.length === 0) return new Map();
    const found = await pool.query<DepositRow>(
      `SELECT d.* FROM crypto_deposits d
         JOIN unnest($2::text[], $3::int[]) AS t(tx_hash, log_index)
           ON d.tx_hash = t.tx_hash AND d.log_index = t.log_index
        WHERE d.chain = $1`,
      [chain.config.name, transfers.map((t) => t.txHash), transfers.map((t) => t.logIndex)],
    );
    return new Map(found.rows.map((row) => [`${row.tx_hash}:${row.log_index}`, depositFromRow(row)]));
  }

  /** Takes a block in: its deposits and their `seen` plans, the block row and the cursor, all or nothing. */
  async function takeIn(
    chain: RunningChain,
    cursor: Cursor,
    block: ChainBlock,
    transfers: ObservedTransfer[],
  ): Promise<FollowStep> {
    const existing = await depositsOf(chain, transfers);
    const owners = await pool.query<{
      address: string;
      kind: CryptoDeposit["addressKind"];
      wallet_user_id: string | null;
      payment_id: string | null;
    }>("SELECT address, kind, wallet_user_id, payment_id FROM crypto_addresses WHERE address = ANY($1::text[])", [
      [...new Set(transfers.map((t) => t.to))],
    ]);
    const ownerOf = new Map(owners.rows.map((row) => [row.address, row]));
    const now = clock.now();
    const entries: Entry[] = [];
    for (const transfer of transfers) {
      const before = existing.get(`${transfer.txHash}:${transfer.logIndex}`);
      // Counted already: a part of this block written before a crash, or a racing follower's.
      if (before && (before.status === "pending" || before.status === "available" || before.status === "dust")) {
        continue;
      }
      const owner = ownerOf.get(transfer.to);
      const asset = chain.config.assets.find((a) => a.code === transfer.asset);
      if (!owner || !asset) continue;
      const dust = transfer.amount < asset.dustMinor;
      const handler = dust ? undefined : deps.handlerFor(owner.kind);
      const deposit: CryptoDeposit = {
        id: before?.id ?? depositIdFor(chain.livemode, chain.config.name, transfer.txHash, transfer.logIndex),
        chain: chain.config.name,
        livemode: chain.livemode,
        txHash: transfer.txHash,
        logIndex: transfer.logIndex,
        blockNumber: block.number,
        blockHash: block.hash,
        fromAddress: transfer.from,
        address: transfer.to,
        asset: transfer.asset,
        amount: transfer.amount,
        addressKind: owner.kind,
        walletUserId: owner.wallet_user_id,
        paymentId: owner.payment_id,
        inclusion: (before?.inclusion ?? 0) + 1,
        createdAt: before?.createdAt ?? now,
        status: dust ? "dust" : "pending",
        seenApplied: dust || handler !== undefined,
        confirmationsRequired: asset.confirmations,
        updatedAt: now,
        availableAt: null,
        orphanedAt: before?.orphanedAt ?? null,
        reversedAt: before?.reversedAt ?? null,
      };
      if (!dust && !handler) {
        log.error(
          { deposit: deposit.id, kind: owner.kind, chain: chain.config.name },
          "no deposit handler for this kind of address: the deposit is recorded and left pending",
        );
      }
      const plan = handler ? await handler.seen(deposit, chain) : null;
      entries.push({ deposit, plan, expected: before ? { status: before.status, inclusion: before.inclusion } : null });
    }
    await submit(chain, cursor, entries, async (tx) => {
      await insertBlock(tx, chain, block);
      await tx.query("DELETE FROM crypto_chain_blocks WHERE chain = $1 AND number < $2", [
        chain.config.name,
        String(block.number - BigInt(followerRecentBlocksKept)),
      ]);
      await moveCursor(tx, chain, { number: block.number, hash: block.hash });
    });
    return { kind: "block", number: block.number, deposits: entries.length };
  }

  /** Walks back to the newest kept block still on the chain; drops what is above it; rewinds the cursor there. */
  async function reorganise(chain: RunningChain, cursor: Cursor): Promise<FollowStep> {
    const kept = await pool.query<{ number: string; hash: string }>(
      "SELECT number, hash FROM crypto_chain_blocks WHERE chain = $1 AND number <= $2 ORDER BY number DESC LIMIT $3",
      [chain.config.name, String(cursor.number), followerRecentBlocksKept],
    );
    let ancestor: Cursor | undefined;
    for (const row of kept.rows) {
      const onChain = await chain.connector.block(BigInt(row.number));
      if (onChain?.hash === row.hash) {
        ancestor = { number: BigInt(row.number), hash: row.hash };
        break;
      }
    }
    if (!ancestor) {
      await deps.alerts.raise(pool, {
        livemode: chain.livemode,
        chain: chain.config.name,
        kind: "reorg_reversal",
        subject: `reorg_too_deep:${chain.config.name}`,
        details: {
          reason: "reorg_too_deep",
          cursor_block: Number(cursor.number),
          blocks_kept: followerRecentBlocksKept,
          action: "check the node; then move the chain's cursor (crypto_chain_cursors) below the fork by hand",
        },
      });
      throw new ReorgTooDeep(chain.config.name, cursor.number);
    }
    const to = ancestor;
    const dropped = await pool.query<DepositRow>(
      `SELECT * FROM crypto_deposits WHERE chain = $1 AND block_number > $2 AND status IN ('pending', 'available', 'dust')
        ORDER BY block_number, id`,
      [chain.config.name, String(to.number)],
    );
    const entries: Entry[] = [];
    let reversed = 0;
    for (const row of dropped.rows) {
      const before = depositFromRow(row);
      const handler = before.status === "dust" || !before.seenApplied ? undefined : deps.handlerFor(before.addressKind);
      if (!handler && before.status !== "dust" && before.seenApplied) {
        throw new Error(`deposit ${before.id}: no handler for ${before.addressKind} to undo it`);
      }
      const expected = { status: before.status, inclusion: before.inclusion };
      if (before.status === "available" && handler) {
        // A reversal takes back what the owner still has, read from the ledger: each is written before the next
        // is planned, so two reversals of one wallet never count the same balance twice.
        const deposit: CryptoDeposit = { ...before, status: "reversed", updatedAt: clock.now() };
        await submit(
          chain,
          cursor,
          [{ deposit, plan: await handler.reversed(deposit, chain), expected }],
          async () => {},
        );
        reversed++;
        continue;
      }
      const deposit: CryptoDeposit = { ...before, status: "orphaned", updatedAt: clock.now() };
      entries.push({ deposit, plan: handler ? await handler.orphaned(deposit, chain) : null, expected });
    }
    await submit(chain, cursor, entries, async (tx) => {
      await tx.query("DELETE FROM crypto_chain_blocks WHERE chain = $1 AND number > $2", [
        chain.config.name,
        String(to.number),
      ]);
      await moveCursor(tx, chain, to);
    });
    log.warn(
      {
        chain: chain.config.name,
        from: Number(cursor.number),
        ancestor: Number(to.number),
        orphaned: entries.length,
        reversed,
      },
      "chain reorganisation: cursor rewound",
    );
    return { kind: "reorg", ancestor: to.number, dropped: entries.length + reversed };
  }

  /** One step: take the next block in, or handle a reorganisation. No lease: follow() holds it. */
  async function step(chain: RunningChain): Promise<FollowStep> {
    const cursor = await ensureCursor(chain);
    try {
      const head = await chain.connector.headNumber();
      if (cursor.number >= head) {
        // Nothing new; but a reorg to a chain as long or shorter changes the cursor's own block.
        if (cursor.hash === null) return { kind: "idle" };
        const current = await chain.connector.block(cursor.number);
        return current?.hash === cursor.hash ? { kind: "idle" } : await reorganise(chain, cursor);
      }
      const block = await chain.connector.block(cursor.number + 1n);
      if (!block) return { kind: "idle" };
      if (cursor.hash !== null && block.parentHash !== cursor.hash) return await reorganise(chain, cursor);
      const book = bookOf(chain.livemode);
      await book.refresh();
      const isOurs = (address: Address) => book.has(address);
      // Transfers between coffer's own addresses (sweeps, gas top-ups) are booked by the signer queue, not here.
      const transfers = (await chain.connector.transfersIn(block, isOurs)).filter((t) => !isOurs(t.from));
      return await takeIn(chain, cursor, block, transfers);
    } catch (error) {
      if (error instanceof FollowerConflict) return { kind: "retry", reason: "cursor_moved" };
      if (error instanceof ChainError && error.code === "block_orphaned") return { kind: "retry", reason: "orphaned" };
      throw error;
    }
  }

  /**
   * Pending deposits whose block has the asset's confirmations (counted to the cursor: blocks the follower has
   * checked link to it) get their `confirmed` plan. A payment deposit found while no payments handler was
   * registered gets its `seen` plan first, here.
   */
  async function confirm(chain: RunningChain): Promise<number> {
    let confirmed = 0;
    for (;;) {
      const cursor = await readCursor(chain);
      if (!cursor) return confirmed;
      const kinds = ["wallet", "hot", "payment"].filter((kind) => deps.handlerFor(kind) !== undefined);
      const due = await pool.query<DepositRow>(
        `SELECT * FROM crypto_deposits
          WHERE chain = $1 AND status = 'pending' AND address_kind = ANY($4::text[])
            AND (NOT seen_applied OR block_number + confirmations_required - 1 <= $2)
          ORDER BY block_number, id LIMIT $3`,
        [chain.config.name, String(cursor.number), followerConfirmBatchMax, kinds],
      );
      if (due.rows.length === 0) return confirmed;
      const now = clock.now();
      const entries: Entry[] = [];
      for (const row of due.rows) {
        const before = depositFromRow(row);
        const handler = deps.handlerFor(before.addressKind)!;
        if (!before.seenApplied) {
          const deposit = { ...before, seenApplied: true, updatedAt: now };
          entries.push({
            deposit,
            plan: await handler.seen(deposit, chain),
            expected: { status: "pending", inclusion: before.inclusion },
          });
          continue;
        }
        const deposit: CryptoDeposit = { ...before, status: "available", updatedAt: now };
        entries.push({
          deposit,
          plan: await handler.confirmed(deposit, chain),
          expected: { status: "pending", inclusion: before.inclusion },
        });
      }
      const count = (done: Entry[]) => done.filter((entry) => entry.deposit.status === "available").length;
      try {
        await submit(chain, cursor, entries, async () => {});
        confirmed += count(entries);
      } catch (error) {
        if (error instanceof FollowerConflict) return confirmed;
        if (entries.length === 1) throw error;
        // One deposit whose plan fails must not hold back the others: each alone, failures logged; the next
        // pass tries the failed ones again.
        for (const entry of entries) {
          try {
            await submit(chain, cursor, [entry], async () => {});
            confirmed += count([entry]);
          } catch (single) {
            if (single instanceof FollowerConflict) return confirmed;
            log.error({ err: single, deposit: entry.deposit.id }, "confirming a deposit failed");
          }
        }
        return confirmed;
      }
      if (due.rows.length < followerConfirmBatchMax) return confirmed;
    }
  }

  /**
   * One pass over a chain under its lease: blocks until the head (at most followerBlocksPerPassMax, and for at
   * most half the lease), then confirmations. Another process holding the lease makes this a no-op (busy).
   */
  async function follow(
    chain: RunningChain,
    options: { signal?: AbortSignal; leaseWaitMs?: number } = {},
  ): Promise<FollowPass> {
    const { signal } = options;
    const pass: FollowPass = { busy: false, blocks: 0, reorgs: 0, confirmed: 0 };
    try {
      await withLease(
        pool,
        `crypto_follower:${chain.config.name}`,
        { ttlMs: followerLeaseTtlMs, waitMs: options.leaseWaitMs ?? 0 },
        async () => {
          const started = Date.now();
          for (let i = 0; i < followerBlocksPerPassMax && !signal?.aborted; i++) {
            if (Date.now() - started > followerLeaseTtlMs / 2) break;
            const outcome = await step(chain);
            if (outcome.kind === "block") pass.blocks++;
            else if (outcome.kind === "reorg") pass.reorgs++;
            else break;
          }
          pass.confirmed = await confirm(chain);
        },
      );
    } catch (error) {
      if (!(error instanceof LeaseBusy)) throw error;
      pass.busy = true;
    }
    return pass;
  }

  /**
   * The sandbox chain lives in memory, so each `coffer start` gets a new one (src/crypto/sandbox-restart.ts). Its
   * deposits still waiting for confirmations can never get them: their holds are voided (orphaned), and the
   * cursor starts over at `head` of the new chain. Available deposits stay: their money is put back on chain.
   */
  async function restartOnNewChain(chain: RunningChain, head: ChainBlock): Promise<number> {
    if (chain.livemode || !chain.sandbox) throw new Error("only the sandbox chain is ever replaced by a new one");
    const cursor = await readCursor(chain);
    if (!cursor) return 0;
    const pending = await pool.query<DepositRow>(
      "SELECT * FROM crypto_deposits WHERE chain = $1 AND status = 'pending' ORDER BY block_number, id",
      [chain.config.name],
    );
    const entries: Entry[] = [];
    for (const row of pending.rows) {
      const before = depositFromRow(row);
      const handler = before.seenApplied ? deps.handlerFor(before.addressKind) : undefined;
      const deposit: CryptoDeposit = { ...before, status: "orphaned", updatedAt: clock.now() };
      const expected = { status: before.status, inclusion: before.inclusion };
      entries.push({ deposit, plan: handler ? await handler.orphaned(deposit, chain) : null, expected });
    }
    await submit(chain, cursor, entries, async (tx) => {
      await tx.query("DELETE FROM crypto_chain_blocks WHERE chain = $1", [chain.config.name]);
      await insertBlock(tx, chain, head);
      await moveCursor(tx, chain, { number: head.number, hash: head.hash });
    });
    return entries.length;
  }

  return { step, confirm, follow, readCursor, restartOnNewChain };
}
