import { LeaseBusy, withLease } from "../../db/leases.js";
import type { PoolClient, Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { newId } from "../../ids.js";
import { isApplied } from "../../ledger/errors.js";
import { type TransferInput, transferIdFor } from "../../ledger/model.js";
import {
  type Address,
  type ChainConnector,
  ChainError,
  type FeeQuote,
  type Hex,
  normalizeAddress,
  type TransactionReceiptSummary,
} from "../chain/connector.js";
import type { RunningChain } from "../chains.js";
import type { CryptoDeps, OutgoingHandler, OutgoingOutcome, OutgoingPurpose, OutgoingRequest } from "../deps.js";
import {
  type OutgoingFailureCode,
  type OutgoingRow,
  type OutgoingTransaction,
  outgoingFromRow,
  requestOf,
} from "./model.js";

/**
 * The signer queue: every transaction coffer sends (withdrawals, gas top-ups, sweeps, refunds of crypto payments).
 * Callers enqueue a request in their own database transaction, so the business record and its send exist together.
 * A pass, per chain and sending address under a lease (src/db/leases.ts), then:
 *
 * 1. signs queued rows in creation order, in one short transaction under the lock of the address's nonce row: the
 *    nonces, the raw transactions and their hashes are stored before anything is broadcast, so a crash after
 *    sending re-sends the same transaction, never a second one; a failure before they are stored leaves the rows
 *    queued with no nonce used, so nonces never collide and leave no gap (a transaction every node refuses before it
 *    was ever sent gives its nonce back for the next one);
 * 2. broadcasts signed rows in nonce order, then records them as sent (the purpose's handler is told);
 * 3. watches sent rows: mined with the asset's confirmations → confirmed (reverted → failed "reverted"), and the
 *    gas is booked (network_fee ← custody of the native coin) in the same ledger submission as the purpose
 *    handler's plan; not known to the node any more → the stored transaction is sent again; not mined after
 *    replaceAfterMs → replaced (same nonce, fees up ≥ 12.5 %), at most replacementsMax times, then operators are
 *    alerted (withdrawal_stuck); its nonce used by a transaction that is none of ours → failed "dropped".
 *
 * Reads of the chain come before the short write transactions: no connection is held while the node is asked.
 */
export const signerPassIntervalMs = 1_000;
/** How long one sender's pass may hold its lease; a holder that died leaves it to expire after this. */
export const signerLeaseTtlMs = 5 * 60_000;
/** Queued transactions of one sender signed per pass; the rest wait for the next pass. */
export const signerRowsPerPassMax = 200;
/** Senders (each with its own lease and RPC calls) worked on at once in a pass. */
export const signerSendersInParallelMax = 8;
/** A transaction not mined this long after its current version was first sent is replaced with higher fees. */
export const outgoingReplaceAfterMsDefault = 3 * 60_000;
/** Replacements of one transaction before operators are alerted (withdrawal_stuck) instead. */
export const outgoingReplacementsMaxDefault = 5;
/** Both fees of a replacement are at least this many thousandths of the old: nodes refuse less than +10 %. */
const replacementFeeBumpPerMille = 1_125n;

/** Told that a version of a transaction was sent (first, or as a replacement), in the transaction recording it. */
export interface SentNotice {
  outgoing: OutgoingTransaction;
  /** This version replaces an earlier one with the same nonce. */
  replaced: boolean;
}

/** A purpose's handler: the outcome's money and records (OutgoingHandler), and optionally the sends themselves. */
export interface SignerHandler extends OutgoingHandler {
  sent?(tx: PoolClient, notice: SentNotice): Promise<void>;
}

export interface SignerOptions {
  replaceAfterMs?: number;
  replacementsMax?: number;
}

export interface SignerPassOptions {
  signal?: AbortSignal;
  /** Only this chain. */
  chain?: string;
  /** The connector a chain is reached through; tests wrap the real one to fail at a chosen step. */
  connectorFor?: (chain: RunningChain) => ChainConnector;
}

export interface SignerPassSummary {
  signed: number;
  sent: number;
  resent: number;
  replaced: number;
  confirmed: number;
  failed: number;
  /** Senders whose pass stopped on an error (logged); the next pass takes them up again. */
  errors: number;
}

interface Sender {
  chain: RunningChain;
  connector: ChainConnector;
  address: Address;
  fromIndex: number;
  livemode: boolean;
}

interface Settlement {
  status: "confirmed" | "failed";
  txHash: Hex | null;
  networkFee: bigint;
  failureCode: OutgoingFailureCode | null;
  blockNumber: bigint | null;
  /** Give the nonce back: the transaction was never sent anywhere, so the next one must use it. */
  releaseNonce: boolean;
}

/** The hook found the row settled by another pass: nothing of this submission is written. */
class AlreadySettled extends Error {}

export type Signer = ReturnType<typeof createSigner>;

export function createSigner(deps: CryptoDeps, options: SignerOptions = {}) {
  const { pool, clock, log } = deps;
  const replaceAfterMs = options.replaceAfterMs ?? outgoingReplaceAfterMsDefault;
  const replacementsMax = options.replacementsMax ?? outgoingReplacementsMaxDefault;
  const handlers = new Map<OutgoingPurpose, SignerHandler>();

  function registerHandler(purpose: OutgoingPurpose, handler: SignerHandler): void {
    if (handlers.has(purpose)) throw new Error(`a signer handler for ${purpose} is registered already`);
    handlers.set(purpose, handler);
  }

  /**
   * Queues a transaction in the caller's transaction (tx). The sender's address is derived here; the mode's seed
   * should be warm (keys.warm) so no decryption runs inside the caller's transaction.
   */
  async function enqueue(tx: Queryable, request: OutgoingRequest): Promise<OutgoingTransaction> {
    if (request.amount <= 0n) throw new Error(`an outgoing ${request.purpose} must move a positive amount`);
    const to = normalizeAddress(request.to);
    const from = await deps.keys.addressAt(request.livemode, request.fromIndex, tx);
    if (to === from) throw new Error(`an outgoing ${request.purpose} from ${from} to itself`);
    const now = clock.now();
    const inserted = await tx.query<OutgoingRow>(
      `INSERT INTO crypto_outgoing_transactions (id, chain, livemode, from_index, from_address, to_address, asset,
                                                 amount, purpose, purpose_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, $11) RETURNING *`,
      [
        newId("cotx"),
        request.chain,
        request.livemode,
        request.fromIndex,
        from,
        to,
        request.asset,
        String(request.amount),
        request.purpose,
        request.purposeId,
        now,
      ],
    );
    return outgoingFromRow(inserted.rows[0]!);
  }

  async function get(id: string, db: Queryable = pool): Promise<OutgoingTransaction | undefined> {
    const found = await db.query<OutgoingRow>("SELECT * FROM crypto_outgoing_transactions WHERE id = $1", [id]);
    return found.rows[0] && outgoingFromRow(found.rows[0]);
  }

  /** Every transaction made for one business object, oldest first. */
  async function forPurpose(purposeId: string, db: Queryable = pool): Promise<OutgoingTransaction[]> {
    const found = await db.query<OutgoingRow>(
      "SELECT * FROM crypto_outgoing_transactions WHERE purpose_id = $1 ORDER BY seq",
      [purposeId],
    );
    return found.rows.map(outgoingFromRow);
  }

  /** Open transactions of a sender by status, and its next nonce (null before its first signature). */
  async function senderState(chain: string, address: Address) {
    const [counts, nonce] = await Promise.all([
      pool.query<{ status: string; count: bigint }>(
        `SELECT status, count(*) AS count FROM crypto_outgoing_transactions
          WHERE chain = $1 AND from_address = $2 AND status IN ('queued', 'signed', 'sent') GROUP BY status`,
        [chain, address],
      ),
      pool.query<{ next_nonce: bigint }>(
        "SELECT next_nonce FROM crypto_signer_nonces WHERE chain = $1 AND address = $2",
        [chain, address],
      ),
    ]);
    const of = (status: string) => Number(counts.rows.find((row) => row.status === status)?.count ?? 0n);
    return {
      queued: of("queued"),
      signed: of("signed"),
      sent: of("sent"),
      nextNonce: nonce.rows[0] ? Number(nonce.rows[0].next_nonce) : null,
    };
  }

  async function runPass(passOptions: SignerPassOptions = {}): Promise<SignerPassSummary> {
    const summary: SignerPassSummary = {
      signed: 0,
      sent: 0,
      resent: 0,
      replaced: 0,
      confirmed: 0,
      failed: 0,
      errors: 0,
    };
    for (const chain of deps.chains.all()) {
      if (passOptions.signal?.aborted) break;
      if (passOptions.chain !== undefined && chain.config.name !== passOptions.chain) continue;
      const connector = passOptions.connectorFor?.(chain) ?? chain.connector;
      const senders = await pool.query<{ from_address: string; from_index: number }>(
        `SELECT DISTINCT from_address, from_index FROM crypto_outgoing_transactions
          WHERE chain = $1 AND livemode = $2 AND status IN ('queued', 'signed', 'sent')`,
        [chain.config.name, chain.livemode],
      );
      await forEachLimited(senders.rows, signerSendersInParallelMax, async (row) => {
        if (passOptions.signal?.aborted) return;
        const sender: Sender = {
          chain,
          connector,
          address: row.from_address as Address,
          fromIndex: row.from_index,
          livemode: chain.livemode,
        };
        try {
          await withLease(pool, `crypto_signer:${chain.config.name}:${sender.address}`, leaseOptions, () =>
            runSender(sender, summary, passOptions.signal),
          );
        } catch (error) {
          if (error instanceof LeaseBusy) return;
          summary.errors++;
          log.error(
            { err: error, chain: chain.config.name, address: sender.address },
            "signer pass of a sender failed",
          );
        }
      });
    }
    return summary;
  }

  const leaseOptions = { ttlMs: signerLeaseTtlMs, waitMs: 0 };

  async function runSender(sender: Sender, summary: SignerPassSummary, signal?: AbortSignal): Promise<void> {
    await signQueued(sender, summary, signal);
    await broadcastSigned(sender, summary, signal);
    await watchSent(sender, summary, signal);
  }

  async function openRows(sender: Sender, status: "queued" | "signed" | "sent"): Promise<OutgoingTransaction[]> {
    const order = status === "queued" ? "seq" : "nonce";
    const found = await pool.query<OutgoingRow>(
      `SELECT * FROM crypto_outgoing_transactions WHERE chain = $1 AND from_address = $2 AND status = $3
        ORDER BY ${order} LIMIT $4`,
      [sender.chain.config.name, sender.address, status, signerRowsPerPassMax],
    );
    return found.rows.map(outgoingFromRow);
  }

  async function signingKey(sender: Sender): Promise<Hex> {
    const key = await deps.keys.privateKeyAt(sender.livemode, sender.fromIndex);
    // The row names its address and index both; a key that derives another address is never used.
    const derived = await deps.keys.addressAt(sender.livemode, sender.fromIndex);
    if (derived !== sender.address) {
      throw new Error(`index ${sender.fromIndex} derives ${derived}, not the queued sender ${sender.address}`);
    }
    return key;
  }

  async function signQueued(sender: Sender, summary: SignerPassSummary, signal?: AbortSignal): Promise<void> {
    const queued = await openRows(sender, "queued");
    if (queued.length === 0) return;
    const assets = sender.chain.config.assets;
    const signable: OutgoingTransaction[] = [];
    for (const row of queued) {
      // An asset this chain does not carry can never be signed here: refused, no nonce used.
      if (assets.some((asset) => asset.code === row.asset)) signable.push(row);
      else if (await settle(sender, row, failure("rejected", null, false))) summary.failed++;
    }
    if (signable.length === 0) return;
    const privateKey = await signingKey(sender);
    const [fees, pendingNonce] = await Promise.all([
      sender.connector.feeQuote(),
      sender.connector.nonceAt(sender.address, "pending"),
    ]);
    const gasLimits = new Map<string, bigint>();
    for (const asset of new Set(signable.map((row) => row.asset))) {
      gasLimits.set(asset, await sender.connector.gasLimitFor(asset));
    }
    const outcome = await signBatch(sender, signable, privateKey, fees, gasLimits, pendingNonce, signal);
    summary.signed += outcome.signed;
    for (const row of outcome.unsignable) {
      if (await settle(sender, row, failure("rejected", null, false))) summary.failed++;
    }
  }

  /**
   * Assigns nonces in creation order and stores the signed transactions, in one transaction under the lock of the
   * sender's nonce row: the signed rows and the advanced nonce are stored together, or nothing is (the rows stay
   * queued, no nonce used). pendingNonce (the node's count, pool included) is a floor: a nonce that some other user
   * of this key took is skipped.
   */
  async function signBatch(
    sender: Sender,
    rows: OutgoingTransaction[],
    privateKey: Hex,
    fees: FeeQuote,
    gasLimits: Map<string, bigint>,
    pendingNonce: number,
    signal?: AbortSignal,
  ): Promise<{ signed: number; unsignable: OutgoingTransaction[] }> {
    const chainName = sender.chain.config.name;
    return withTransaction(pool, async (tx) => {
      const unsignable: OutgoingTransaction[] = [];
      const stillQueued = await tx.query<{ id: string }>(
        "SELECT id FROM crypto_outgoing_transactions WHERE id = ANY($1) AND status = 'queued' FOR UPDATE",
        [rows.map((row) => row.id)],
      );
      const queuedIds = new Set(stillQueued.rows.map((row) => row.id));
      await tx.query(
        `INSERT INTO crypto_signer_nonces (chain, address, livemode, next_nonce, updated_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [chainName, sender.address, sender.livemode, pendingNonce, clock.now()],
      );
      const locked = await tx.query<{ next_nonce: bigint; released_nonces: (string | number)[] }>(
        "SELECT next_nonce, released_nonces FROM crypto_signer_nonces WHERE chain = $1 AND address = $2 FOR UPDATE",
        [chainName, sender.address],
      );
      const state = locked.rows[0]!;
      const released = state.released_nonces
        .map(Number)
        .filter((n) => n >= pendingNonce)
        .sort((a, b) => a - b);
      let next = Math.max(Number(state.next_nonce), pendingNonce);
      const signed: { id: string; nonce: number; raw: Hex; hash: Hex; gasLimit: bigint }[] = [];
      for (const row of rows) {
        if (signal?.aborted) break;
        if (!queuedIds.has(row.id)) continue;
        const nonce = released[0] ?? next;
        try {
          const transaction = await sender.connector.signTransfer({
            privateKey,
            to: row.to,
            asset: row.asset,
            amount: row.amount,
            nonce,
            fees,
            gasLimit: gasLimits.get(row.asset)!,
          });
          signed.push({
            id: row.id,
            nonce,
            raw: transaction.raw,
            hash: transaction.hash,
            gasLimit: transaction.gasLimit,
          });
        } catch (error) {
          // The signature is made here, not by the node: trying again cannot change the answer.
          log.error({ err: error, outgoing: row.id }, "an outgoing transaction cannot be signed; it is refused");
          unsignable.push(row);
          continue;
        }
        if (released[0] === nonce) released.shift();
        else next++;
      }
      if (signed.length === 0) return { signed: 0, unsignable };
      const now = clock.now();
      await tx.query(
        `UPDATE crypto_outgoing_transactions o
            SET status = 'signed', nonce = s.nonce, raw_tx = s.raw, tx_hash = s.hash, gas_limit = s.gas_limit,
                max_fee_per_gas = $6, max_priority_fee_per_gas = $7, updated_at = $8
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::numeric[])
                AS s (id, nonce, raw, hash, gas_limit)
          WHERE o.id = s.id`,
        [
          signed.map((row) => row.id),
          signed.map((row) => row.nonce),
          signed.map((row) => row.raw.toLowerCase()),
          signed.map((row) => row.hash.toLowerCase()),
          signed.map((row) => String(row.gasLimit)),
          String(fees.maxFeePerGas),
          String(fees.maxPriorityFeePerGas),
          now,
        ],
      );
      await tx.query(
        `UPDATE crypto_signer_nonces SET next_nonce = $3, released_nonces = $4::bigint[], updated_at = $5
          WHERE chain = $1 AND address = $2`,
        [chainName, sender.address, next, released, now],
      );
      return { signed: signed.length, unsignable };
    });
  }

  async function broadcastSigned(sender: Sender, summary: SignerPassSummary, signal?: AbortSignal): Promise<void> {
    // The sends are recorded together after the broadcasts: a crash between leaves the rows signed, and sending a
    // stored transaction again is answered "known".
    const sent: OutgoingTransaction[] = [];
    try {
      for (const row of await openRows(sender, "signed")) {
        if (signal?.aborted) break;
        const outcome = await broadcastVersion(sender, row, summary);
        if (outcome === "sent") sent.push(row);
        if (outcome === "stop") break;
      }
    } finally {
      summary.sent += await markSent(sent);
    }
  }

  /**
   * Sends the row's current version: "sent" (record it with markSent), "handled" (the refusal was dealt with), or
   * "stop" when sending must wait for the next pass (later nonces could not be mined before this one anyway).
   */
  async function broadcastVersion(
    sender: Sender,
    row: OutgoingTransaction,
    summary: SignerPassSummary,
  ): Promise<"sent" | "handled" | "stop"> {
    try {
      await sender.connector.broadcast(row.rawTx!);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      switch (error.code) {
        case "rpc_unavailable":
          log.warn({ err: error, outgoing: row.id }, "the node did not take an outgoing transaction; sent next pass");
          return "stop";
        case "insufficient_funds":
          await deps.alerts.raise(pool, {
            livemode: sender.livemode,
            chain: sender.chain.config.name,
            kind: "withdrawal_stuck",
            subject: `funds:${sender.chain.config.name}:${sender.address}`,
            details: {
              reason: "insufficient_funds",
              address: sender.address,
              outgoing: row.id,
              asset: row.asset,
              amount: String(row.amount),
              nonce: row.nonce,
            },
          });
          return "stop";
        case "nonce_too_low":
          // The nonce is used on chain: by a version of ours (the watcher finds its receipt) or by none (dropped).
          await markOut(row);
          return "handled";
        case "replacement_underpriced":
          // A transaction we do not hold waits in the pool with this nonce: outbid it.
          await replaceOrAlert(sender, row, summary);
          return "handled";
        case "rejected":
          if (row.firstSentAt === null && row.replacedHashes.length === 0) {
            log.error({ err: error, outgoing: row.id }, "the node refused an outgoing transaction");
            if (await settle(sender, row, failure("rejected", row.txHash, true))) summary.failed++;
          } else {
            await markOut(row);
          }
          return "handled";
        default:
          throw error;
      }
    }
    return "sent";
  }

  /**
   * The current versions of these rows were sent: status sent, and each purpose's handler is told, in one transaction.
   * Answers how many were recorded (a row changed meanwhile is left alone).
   */
  async function markSent(rows: OutgoingTransaction[]): Promise<number> {
    if (rows.length === 0) return 0;
    return withTransaction(pool, async (tx) => {
      const now = clock.now();
      const updated = await tx.query<OutgoingRow>(
        `UPDATE crypto_outgoing_transactions o SET status = 'sent', attempts = attempts + 1,
                first_sent_at = COALESCE(first_sent_at, $3), last_sent_at = $3, updated_at = $3
           FROM unnest($1::text[], $2::text[]) AS s (id, hash)
          WHERE o.id = s.id AND o.status = 'signed' AND o.tx_hash = s.hash RETURNING o.*`,
        [rows.map((row) => row.id), rows.map((row) => row.txHash), now],
      );
      const byId = new Map(updated.rows.map((row) => [row.id, outgoingFromRow(row)]));
      for (const row of rows) {
        const outgoing = byId.get(row.id);
        if (!outgoing) continue;
        await handlers.get(row.purpose)?.sent?.(tx, { outgoing, replaced: outgoing.replacedHashes.length > 0 });
      }
      return byId.size;
    });
  }

  /** Out of our hands without a send of this version: the watcher decides from the chain what became of it. */
  async function markOut(row: OutgoingTransaction): Promise<void> {
    const now = clock.now();
    await pool.query(
      `UPDATE crypto_outgoing_transactions SET status = 'sent', last_sent_at = COALESCE(last_sent_at, $3),
              updated_at = $3 WHERE id = $1 AND status = 'signed' AND tx_hash = $2`,
      [row.id, row.txHash, now],
    );
  }

  async function watchSent(sender: Sender, summary: SignerPassSummary, signal?: AbortSignal): Promise<void> {
    const rows = await openRows(sender, "sent");
    if (rows.length === 0) return;
    // The nonce is read before any receipt: a version mined after this read has a receipt below, so "no receipt
    // and the nonce is used" can only mean a transaction that is none of ours used it.
    const latestNonce = await sender.connector.nonceAt(sender.address, "latest");
    const head = await sender.connector.headNumber();
    // Settlements go to the ledger together, so its batch writer commits them in a few group commits.
    const settling: Promise<void>[] = [];
    let watchFailure: { reason: unknown } | undefined;
    await watchRows(sender, rows, latestNonce, head, settling, summary, signal).catch((reason: unknown) => {
      watchFailure = { reason };
    });
    // Every settlement started is waited for, even when watching stopped on an error.
    const settleFailure = (await Promise.allSettled(settling)).find((outcome) => outcome.status === "rejected");
    if (watchFailure) throw watchFailure.reason;
    if (settleFailure?.status === "rejected") throw settleFailure.reason;
  }

  async function watchRows(
    sender: Sender,
    rows: OutgoingTransaction[],
    latestNonce: number,
    head: bigint,
    settling: Promise<void>[],
    summary: SignerPassSummary,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const row of rows) {
      if (signal?.aborted) return;
      const mined = await minedVersion(sender.connector, row);
      if (mined) {
        const needed = BigInt(sender.chain.config.assets.find((a) => a.code === row.asset)?.confirmations ?? 1);
        const confirmations = head >= mined.receipt.blockNumber ? head - mined.receipt.blockNumber + 1n : 0n;
        if (confirmations >= needed) {
          const settlement: Settlement = {
            status: mined.receipt.status === "success" ? "confirmed" : "failed",
            txHash: mined.hash,
            networkFee: mined.receipt.gasUsed * mined.receipt.effectiveGasPrice,
            failureCode: mined.receipt.status === "success" ? null : "reverted",
            blockNumber: mined.receipt.blockNumber,
            releaseNonce: false,
          };
          settling.push(
            settle(sender, row, settlement).then((settled) => {
              if (settled && settlement.status === "confirmed") summary.confirmed++;
              else if (settled) summary.failed++;
            }),
          );
        } else if (row.blockNumber !== mined.receipt.blockNumber) {
          await setBlock(row, mined.receipt.blockNumber);
        }
        continue;
      }
      // Its block may have been reorganised away: not mined (any more).
      if (row.blockNumber !== null) await setBlock(row, null);
      if (latestNonce > row.nonce!) {
        if (await settle(sender, row, failure("dropped", row.txHash, false))) summary.failed++;
        continue;
      }
      if (!(await sender.connector.transactionKnown(row.txHash!))) {
        await resend(sender, row, summary);
        continue;
      }
      const sentAt = row.lastSentAt ?? row.updatedAt;
      if (clock.now().getTime() - sentAt.getTime() >= replaceAfterMs) await replaceOrAlert(sender, row, summary);
    }
  }

  /** The mined version of the row's nonce among the current one and those it replaced, newest first. */
  async function minedVersion(
    connector: ChainConnector,
    row: OutgoingTransaction,
  ): Promise<{ hash: Hex; receipt: TransactionReceiptSummary } | null> {
    for (const hash of [row.txHash!, ...[...row.replacedHashes].reverse()]) {
      const receipt = await connector.receipt(hash);
      if (receipt) return { hash, receipt };
    }
    return null;
  }

  async function setBlock(row: OutgoingTransaction, blockNumber: bigint | null): Promise<void> {
    await pool.query(
      "UPDATE crypto_outgoing_transactions SET block_number = $2, updated_at = $3 WHERE id = $1 AND status = 'sent'",
      [row.id, blockNumber === null ? null : String(blockNumber), clock.now()],
    );
  }

  /** The node lost the transaction (restart, eviction, a dropped pool): the stored version is sent again. */
  async function resend(sender: Sender, row: OutgoingTransaction, summary: SignerPassSummary): Promise<void> {
    try {
      await sender.connector.broadcast(row.rawTx!);
    } catch (error) {
      if (!(error instanceof ChainError) || error.code === "chain_mismatch") throw error;
      // nonce_too_low: a version was mined meanwhile (next pass sees it); the rest are tried again next pass.
      log.warn({ err: error, outgoing: row.id }, "an outgoing transaction could not be sent again");
      return;
    }
    await pool.query("UPDATE crypto_outgoing_transactions SET attempts = attempts + 1, updated_at = $2 WHERE id = $1", [
      row.id,
      clock.now(),
    ]);
    summary.resent++;
  }

  async function replaceOrAlert(sender: Sender, row: OutgoingTransaction, summary: SignerPassSummary) {
    if (row.replacedHashes.length >= replacementsMax) {
      await deps.alerts.raise(pool, {
        livemode: sender.livemode,
        chain: sender.chain.config.name,
        kind: "withdrawal_stuck",
        subject: `outgoing:${row.id}`,
        details: {
          outgoing: row.id,
          purpose: row.purpose,
          purpose_id: row.purposeId,
          address: sender.address,
          nonce: row.nonce,
          tx_hash: row.txHash,
          replacements: row.replacedHashes.length,
          max_fee_per_gas: String(row.maxFeePerGas),
        },
      });
      return;
    }
    await replace(sender, row, summary);
  }

  /**
   * A new version of the same nonce with both fees raised by at least 12.5 % (or to the current quote, if higher),
   * stored before it is sent; the old hash is kept, since the old version may still be the one mined.
   */
  async function replace(sender: Sender, row: OutgoingTransaction, summary: SignerPassSummary): Promise<void> {
    const quote = await sender.connector.feeQuote();
    const bump = (fee: bigint) => (fee * replacementFeeBumpPerMille + 999n) / 1_000n;
    const maxPriorityFeePerGas = max(bump(row.maxPriorityFeePerGas!), quote.maxPriorityFeePerGas);
    const fees: FeeQuote = {
      maxPriorityFeePerGas,
      maxFeePerGas: max(max(bump(row.maxFeePerGas!), quote.maxFeePerGas), maxPriorityFeePerGas),
    };
    const signed = await sender.connector.signTransfer({
      privateKey: await signingKey(sender),
      to: row.to,
      asset: row.asset,
      amount: row.amount,
      nonce: row.nonce!,
      fees,
      gasLimit: row.gasLimit!,
    });
    const updated = await pool.query<OutgoingRow>(
      `UPDATE crypto_outgoing_transactions SET status = 'signed', raw_tx = $3, tx_hash = $4, max_fee_per_gas = $5,
              max_priority_fee_per_gas = $6, replaced_hashes = array_append(replaced_hashes, tx_hash), updated_at = $7
        WHERE id = $1 AND tx_hash = $2 AND status IN ('signed', 'sent') RETURNING *`,
      [
        row.id,
        row.txHash,
        signed.raw.toLowerCase(),
        signed.hash.toLowerCase(),
        String(fees.maxFeePerGas),
        String(fees.maxPriorityFeePerGas),
        clock.now(),
      ],
    );
    if (!updated.rows[0]) return;
    summary.replaced++;
    log.info({ outgoing: row.id, nonce: row.nonce, replaces: row.txHash, hash: signed.hash }, "transaction replaced");
    const replacement = outgoingFromRow(updated.rows[0]);
    if ((await broadcastVersion(sender, replacement, summary)) === "sent")
      summary.sent += await markSent([replacement]);
  }

  /**
   * Records the outcome: the gas (when any was paid) and the purpose handler's plan in one ledger submission, with
   * the row's final state. True when this call settled it (false: another pass had).
   */
  async function settle(sender: Sender, row: OutgoingTransaction, settlement: Settlement): Promise<boolean> {
    const handler = handlers.get(row.purpose);
    if (!handler) throw new Error(`no signer handler for ${row.purpose}: outgoing ${row.id} waits for one`);
    const outcome: OutgoingOutcome = {
      outgoingId: row.id,
      status: settlement.status,
      txHash: settlement.txHash,
      networkFee: settlement.networkFee,
      failureCode: settlement.failureCode,
    };
    const plan = await handler.settled(outcome, requestOf(row));
    const gas: TransferInput[] = [];
    if (settlement.networkFee > 0n) {
      const native = sender.chain.config.assets.find((asset) => asset.contract === null);
      if (!native) throw new Error(`chain ${sender.chain.config.name} has no native asset to book gas in`);
      const [feeAccount, custody] = await Promise.all([
        deps.accounts.accountId(sender.livemode, sender.chain.config.name, native.code, "network_fee"),
        deps.accounts.accountId(sender.livemode, sender.chain.config.name, native.code, "custody"),
      ]);
      gas.push({
        id: transferIdFor(row.id, "network_fee"),
        debitAccountId: feeAccount,
        creditAccountId: custody,
        amount: settlement.networkFee,
        code: "crypto_network_fee",
        reference: row.id,
      });
    }
    try {
      await deps.ledger.createTransfers([...gas, ...plan.transfers], async (tx, results) => {
        const gasResult = gas.length > 0 ? results[0] : undefined;
        if (gasResult && !isApplied(gasResult.code)) {
          throw new Error(`the ledger refused the gas of outgoing ${row.id}: ${gasResult.code}`);
        }
        const now = clock.now();
        const updated = await tx.query(
          `UPDATE crypto_outgoing_transactions SET status = $2, tx_hash = COALESCE($3, tx_hash), block_number = $4,
                  network_fee = $5, failure_code = $6, settled_at = $7, updated_at = $7
            WHERE id = $1 AND status IN ('queued', 'signed', 'sent')`,
          [
            row.id,
            settlement.status,
            settlement.txHash,
            settlement.blockNumber === null ? null : String(settlement.blockNumber),
            String(settlement.networkFee),
            settlement.failureCode,
            now,
          ],
        );
        if (updated.rowCount !== 1) throw new AlreadySettled();
        if (settlement.releaseNonce && row.nonce !== null) await releaseNonce(tx, sender, row.nonce);
        await plan.write(tx, results.slice(gas.length));
      });
    } catch (error) {
      if (error instanceof AlreadySettled) return false;
      throw error;
    }
    log.info(
      { outgoing: row.id, purpose: row.purpose, status: settlement.status, failure: settlement.failureCode },
      "outgoing transaction settled",
    );
    return true;
  }

  /** A nonce no transaction will carry: the last one handed out is taken back, another one is kept for reuse. */
  async function releaseNonce(tx: Queryable, sender: Sender, nonce: number): Promise<void> {
    await tx.query(
      `UPDATE crypto_signer_nonces
          SET released_nonces = CASE WHEN next_nonce = $3 + 1 THEN released_nonces
                                     ELSE array_append(released_nonces, $3::bigint) END,
              next_nonce = CASE WHEN next_nonce = $3 + 1 THEN $3 ELSE next_nonce END,
              updated_at = $4
        WHERE chain = $1 AND address = $2`,
      [sender.chain.config.name, sender.address, nonce, clock.now()],
    );
  }

  return { registerHandler, enqueue, get, forPurpose, senderState, runPass };
}

function failure(code: OutgoingFailureCode, txHash: Hex | null, releaseNonce: boolean): Settlement {
  return { status: "failed", txHash, networkFee: 0n, failureCode: code, blockNumber: null, releaseNonce };
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Runs fn over items, at most `limit` at once. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
