import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import { parseAmount } from "../http/amount.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { newId } from "../ids.js";
import { createLazyAccounts } from "../ledger/lazy-accounts.js";
import { AccountFlags, type TransferInput, transferIdFor } from "../ledger/model.js";
import type { LedgerService } from "../ledger/service.js";
import {
  offlineCapDefaultPercentOfPerPayment,
  offlineCertificatesActivePerWalletMax,
  offlineCertificateTtlMs,
  offlineCodeSettleAgeMsMax,
  offlineCodeSkewWindowsMax,
  offlineCodeWindowMs,
  offlineHoldTimeoutGraceMs,
  offlineReleaseBatchMax,
  offlineReleaseLeaseMs,
  offlineSettleAttemptsMax,
  offlineSettleGraceMs,
} from "../limits.js";
import type { SecretBox } from "../security/encryption.js";
import { storedValueErrors } from "../stored-value/errors.js";
import { ledgerOf } from "../wallets/accounts.js";
import { walletError } from "../wallets/errors.js";
import { assertNotFrozen, limitsOf, walletCurrency } from "../wallets/limits/tiers.js";
import type { WalletServices } from "../wallets/service.js";
import type { WalletUser } from "../wallets/users/model.js";
import { cardForCertificate } from "./cards.js";
import { offlineErrors } from "./errors.js";
import {
  certificateContext,
  codeContext,
  encodeCertificateBody,
  looksLikeOfflineCode,
  OfflineFormatError,
  type ParsedCode,
  p256PublicKey,
  parseOfflineCode,
  pointOfJwk,
  verifyEs256,
} from "./format.js";
import { createOfflineKeys } from "./keys.js";
import { certificateFromRow, certificateJson, type OfflineCertificate, type OfflineCertificateRow } from "./model.js";

/**
 * Offline-verifiable payment codes (docs/offline-codes.md, ADR 0024).
 *
 * issue(): a device's certificate, signed by coffer's offline key, and a ledger hold of its cap (wallet → the
 * offline hold account, pending) in one ledger submission whose hook writes the certificate row, counts the cap
 * against the wallet's daily and monthly limits and records the event. settle(): a code presented as payment_code
 * of POST /v1/payments is checked, then one linked chain voids the certificate's current hold, opens a new hold of
 * what is left, and moves the amount (and the fee) to the merchant; the hook moves the certificate to the new hold
 * conditionally and records the code's counter, so two settlements of one hold cannot both apply (the second finds
 * the hold voided and re-reads). releaseDue(): past the settlement deadline, the worker voids what is left.
 */
export interface OfflineDeps {
  pool: Pool;
  clock: Clock;
  ledger: LedgerService;
  secrets: SecretBox;
  wallets: WalletServices;
  log: Logger;
}

export interface IssueInput {
  publicKey: unknown;
  offlineCap?: unknown;
  currency?: string;
}

/** What the payments domain hands over to settle an offline code as a payment (src/payments/create.ts). */
export interface OfflineSettlement {
  merchantId: string;
  livemode: boolean;
  paymentId: string;
  amount: bigint;
  currency: string;
  fee: bigint;
  merchantAccountId: bigint;
  feeAccountId: bigint | undefined;
  /** In the ledger hook, after the money moved: writes the payment (paid by payerId) and its events. */
  write(tx: Queryable, payerId: string): Promise<void>;
}

export interface OfflinePayments {
  looksLikeOfflineCode(value: unknown): value is string;
  settle(code: string, settlement: OfflineSettlement): Promise<void>;
}

const holdCode = "offline_hold";

/** A hook found the certificate moved on (a parallel settlement or the release): read again and retry. */
class HoldMoved extends Error {}

export type OfflineService = ReturnType<typeof createOfflineService>;

export function createOfflineService(deps: OfflineDeps) {
  const { pool, clock, ledger, wallets } = deps;
  const keys = createOfflineKeys({ pool, clock, secrets: deps.secrets });
  const lazy = createLazyAccounts(pool);

  /** The credit side of offline holds in a ledger and currency, created on first need. */
  function holdAccountId(livemode: boolean, currency: string): Promise<bigint> {
    const name = ledgerOf(livemode);
    return lazy.findOrCreate(
      `offline_hold:${name}:${currency}`,
      async (db) => {
        const found = await db.query<{ ledger_account_id: bigint }>(
          "SELECT ledger_account_id FROM offline_hold_accounts WHERE ledger = $1 AND currency = $2",
          [name, currency],
        );
        return found.rows[0]?.ledger_account_id;
      },
      async (tx) => {
        const [account] = await ledger.createAccounts(tx, [
          {
            ledger: name,
            currency,
            code: holdCode,
            flags: AccountFlags.debitsMustNotExceedCredits,
            reference: `platform:offline_holds:${name}`,
          },
        ]);
        const inserted = await tx.query<{ ledger_account_id: bigint }>(
          `INSERT INTO offline_hold_accounts (ledger, currency, ledger_account_id, created_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING ledger_account_id`,
          [name, currency, String(account!.id), clock.now()],
        );
        return inserted.rows[0]?.ledger_account_id;
      },
    );
  }

  async function getCertificate(db: Queryable, id: string): Promise<OfflineCertificate | undefined> {
    const found = await db.query<OfflineCertificateRow>("SELECT * FROM offline_certificates WHERE id = $1", [id]);
    return found.rows[0] ? certificateFromRow(found.rows[0]) : undefined;
  }

  /** A certificate of this wallet user (the device asks what is left of it); anyone else's answers 404. */
  async function getForWallet(walletUserId: string, id: string): Promise<OfflineCertificate> {
    const cert = await getCertificate(pool, id);
    if (!cert || cert.walletUserId !== walletUserId) {
      throw new ApiError("resource_not_found", "No such offline certificate.", "id");
    }
    return cert;
  }

  async function activeCount(db: Queryable, userId: string): Promise<number> {
    const found = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM offline_certificates WHERE wallet_user_id = $1 AND status = 'active' AND remaining > 0",
      [userId],
    );
    return found.rows[0]?.n ?? 0;
  }

  /** The currency of a certificate: the one asked for, else the wallet's only one. */
  async function currencyFor(userId: string, asked: string | undefined): Promise<string> {
    if (asked !== undefined) return walletCurrency(wallets.config, asked);
    const balances = await wallets.accounts.balances(userId);
    if (balances.length !== 1) {
      throw new ApiError(
        "parameter_missing",
        "currency: this wallet holds several currencies (or none yet); name the one to hold offline.",
        "currency",
      );
    }
    return balances[0]!.currency;
  }

  /**
   * Issues a certificate for a device of an account wallet and holds its cap. answer: the request's stored answer,
   * written with the certificate. A card takes its own path (issueForCard), which names its issuer.
   */
  async function issue(
    walletUserId: string,
    input: IssueInput,
    answer?: AnswerRecorder<OfflineCertificate>,
  ): Promise<OfflineCertificate> {
    const deviceKey = deviceKeyOf(input);
    const user = await wallets.users.get(walletUserId);
    if (user.kind === "card") throw storedValueErrors.toApiError("card_session_not_allowed");
    assertNotFrozen(user);
    const currency = await currencyFor(user.id, input.currency);
    return issueTo(user, deviceKey, currency, input, { merchantId: null, notAfter: null }, answer);
  }

  /**
   * A certificate for a device of a stored-value card, with the card's session: the card's money, its currency, its
   * limits (COFFER_STORED_VALUE_LIMITS, which limitsOf and the spend authorization apply to a card's wallet user),
   * valid no longer than the card, and naming the card's issuer when it is a shop's card, so its codes pay that
   * merchant only, as the card does.
   */
  async function issueForCard(
    walletUserId: string,
    cardId: string,
    input: IssueInput,
    answer?: AnswerRecorder<OfflineCertificate>,
  ): Promise<OfflineCertificate> {
    const deviceKey = deviceKeyOf(input);
    const card = await cardForCertificate(pool, walletUserId, cardId, clock.now());
    const user = await wallets.users.get(walletUserId);
    assertNotFrozen(user);
    if (input.currency !== undefined && input.currency !== card.currency) {
      throw offlineErrors.toApiError("offline_currency_mismatch", `This card holds ${card.currency} only.`, "currency");
    }
    return issueTo(
      user,
      deviceKey,
      card.currency,
      input,
      { merchantId: card.issuerMerchantId, notAfter: card.expiresAt },
      answer,
    );
  }

  function deviceKeyOf(input: IssueInput): Buffer {
    try {
      return pointOfJwk((input.publicKey ?? {}) as Record<string, unknown>);
    } catch (error) {
      if (error instanceof OfflineFormatError)
        throw offlineErrors.toApiError("offline_device_key_invalid", undefined, "public_key");
      throw error;
    }
  }

  async function issueTo(
    user: WalletUser,
    deviceKey: Buffer,
    currency: string,
    input: IssueInput,
    scope: { merchantId: string | null; notAfter: Date | null },
    answer?: AnswerRecorder<OfflineCertificate>,
  ): Promise<OfflineCertificate> {
    const limits = limitsOf(wallets.config, user, currency);
    let cap: bigint;
    if (input.offlineCap !== undefined) {
      cap = parseAmount(input.offlineCap, { param: "offline_cap" });
    } else {
      // The default: a share of the per-payment limit, no more than the wallet holds.
      const accountId = await wallets.accounts.existingWalletAccountId(user.id, currency);
      const balance = accountId === undefined ? undefined : await ledger.getBalance(accountId);
      const share = (limits.perPayment * BigInt(offlineCapDefaultPercentOfPerPayment)) / 100n;
      const available = balance?.available ?? 0n;
      cap = share < available ? share : available;
      if (cap <= 0n)
        throw walletError("insufficient_funds", "The wallet holds nothing to take offline.", "offline_cap");
    }
    if ((await activeCount(pool, user.id)) >= offlineCertificatesActivePerWalletMax) {
      throw offlineErrors.toApiError("offline_certificates_exhausted");
    }
    // The cap counts as spending now (per-payment, daily and monthly limits, step-up threshold): what is not spent
    // offline is given back when the hold is released.
    const auth = await wallets.spend.authorize(user.id, { amount: cap, currency, user });
    const key = await keys.signingKey();
    const now = clock.now();
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    // A card's certificate ends with the card (whole seconds, as the certificate carries them).
    const ttlEnd = issuedAt.getTime() + offlineCertificateTtlMs;
    const cardEnd = scope.notAfter === null ? ttlEnd : Math.floor(scope.notAfter.getTime() / 1000) * 1000;
    const expiresAt = new Date(Math.min(ttlEnd, cardEnd));
    const settleBefore = new Date(expiresAt.getTime() + offlineSettleGraceMs);
    const id = newId("ofc");
    const body = encodeCertificateBody({
      id,
      walletUserId: user.id,
      kid: key.kid,
      livemode: user.livemode,
      currency,
      cap,
      issuedAt,
      expiresAt,
      merchantId: scope.merchantId,
      deviceKey,
    });
    const certificate = Buffer.concat([body, await keys.signCertificate(key.kid, body)]);
    const holdId = transferIdFor(id, "offline_hold");
    const issued: OfflineCertificate = {
      id,
      walletUserId: user.id,
      livemode: user.livemode,
      kid: key.kid,
      currency,
      cap,
      merchantId: scope.merchantId,
      remaining: cap,
      deviceKey,
      certificate,
      holdTransferId: holdId,
      status: "active",
      spendDay: auth.spend.periods.day,
      spendMonth: auth.spend.periods.month,
      issuedAt,
      expiresAt,
      settleBefore,
      releasedAt: null,
      releasedAmount: null,
    };
    const holdAccount = await holdAccountId(user.livemode, currency);
    let committed = false;
    const [result] = await wallets.spend.exclusive(auth, () =>
      ledger.createTransfers(
        [
          {
            id: holdId,
            debitAccountId: auth.walletAccountId,
            creditAccountId: holdAccount,
            amount: cap,
            pending: true,
            // A backstop: the release worker voids it at settle_before.
            timeoutMs: settleBefore.getTime() - now.getTime() + offlineHoldTimeoutGraceMs,
            code: holdCode,
            reference: id,
          },
        ],
        async (tx, [r]) => {
          committed = false;
          if (r?.code !== "ok") return;
          // The wallet's account is locked by this batch: the count cannot move under us.
          if ((await activeCount(tx, user.id)) >= offlineCertificatesActivePerWalletMax) {
            throw offlineErrors.toApiError("offline_certificates_exhausted");
          }
          await wallets.spend.commit(tx, auth);
          await tx.query(
            `INSERT INTO offline_certificates (id, wallet_user_id, livemode, kid, currency, cap, remaining, device_key,
               certificate, hold_transfer_id, status, spend_day, spend_month, issued_at, expires_at, settle_before, due_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, 'active', $10, $11, $12, $13, $14, $14)`,
            [
              id,
              user.id,
              user.livemode,
              key.kid,
              currency,
              String(cap),
              deviceKey,
              certificate,
              holdId,
              issued.spendDay,
              issued.spendMonth,
              issuedAt,
              expiresAt,
              settleBefore,
            ],
          );
          await recordCertificateEvent(tx, issued, "offline_certificate.issued", now);
          await answer?.(tx, issued);
          committed = true;
        },
      ),
    );
    if (result?.code === "exceeds_credits") {
      throw walletError(
        "insufficient_funds",
        "The wallet's available balance is below the offline cap.",
        "offline_cap",
      );
    }
    if (!committed) throw new Error(`the ledger refused the offline hold of ${id}: ${result?.code}`);
    return issued;
  }

  async function recordCertificateEvent(
    tx: Queryable,
    c: OfflineCertificate,
    type: "offline_certificate.issued" | "offline_certificate.released",
    at: Date,
  ): Promise<void> {
    const { certificate: _bytes, ...object } = certificateJson(c);
    await recordEvent(tx, { type, merchantId: null, walletUserId: c.walletUserId, livemode: c.livemode, object }, at);
  }

  const refuse = (code: Parameters<typeof offlineErrors.toApiError>[0], message?: string) =>
    offlineErrors.toApiError(code, message, "payment_code");

  /** The checks that need only the code and the keys: format, both signatures, times, amount. */
  async function checkCode(code: string, s: OfflineSettlement, now: Date): Promise<ParsedCode> {
    let parsed: ParsedCode;
    try {
      parsed = parseOfflineCode(code);
    } catch (error) {
      if (error instanceof OfflineFormatError) throw refuse("offline_code_invalid");
      throw error;
    }
    const cert = parsed.certificate;
    const issuerKey = await keys.publicKey(cert.kid);
    if (!issuerKey || !verifyEs256(issuerKey, certificateContext, cert.signed, cert.signature)) {
      throw refuse("offline_signature_invalid", "The certificate was not signed by coffer's offline key.");
    }
    let deviceKey: ReturnType<typeof p256PublicKey>;
    try {
      deviceKey = p256PublicKey(cert.deviceKey);
    } catch {
      throw refuse("offline_signature_invalid");
    }
    if (!verifyEs256(deviceKey, codeContext, parsed.signed, parsed.signature)) {
      throw refuse("offline_signature_invalid", "The code was not signed by the certificate's device.");
    }
    if (cert.livemode !== s.livemode) throw refuse("offline_code_invalid", "The code is of the other mode.");
    if (cert.currency !== s.currency) {
      throw offlineErrors.toApiError(
        "offline_currency_mismatch",
        `The code's certificate is in ${cert.currency}.`,
        "currency",
      );
    }
    const madeAt = parsed.window * offlineCodeWindowMs;
    const skewMs = offlineCodeSkewWindowsMax * offlineCodeWindowMs;
    if (madeAt > now.getTime() + skewMs)
      throw refuse("offline_code_invalid", "The code was made for a time ahead of now.");
    if (madeAt + offlineCodeWindowMs <= cert.issuedAt.getTime() - skewMs || madeAt >= cert.expiresAt.getTime()) {
      throw refuse("offline_certificate_expired", "The code was made outside its certificate's validity.");
    }
    if (now.getTime() - madeAt > offlineCodeSettleAgeMsMax) throw refuse("offline_code_expired");
    if (parsed.amount !== null && s.amount > parsed.amount) {
      throw offlineErrors.toApiError(
        "offline_amount_exceeded",
        `The payer's code is for at most ${parsed.amount} (minor units).`,
        "amount",
      );
    }
    if (s.amount > cert.cap) throw offlineErrors.toApiError("offline_cap_exceeded", undefined, "amount");
    // A shop's card pays that shop only, offline as online.
    if (cert.merchantId !== null && cert.merchantId !== s.merchantId) {
      throw storedValueErrors.toApiError("card_not_accepted", undefined, "payment_code");
    }
    return parsed;
  }

  /** Settlements of one certificate in this process go one at a time (other processes are settled by the ledger). */
  const queues = new Map<string, Promise<unknown>>();
  function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return next;
  }

  /** Settles an offline code as a payment; throws the refusal's ApiError, writing nothing, when it cannot. */
  async function settle(code: string, s: OfflineSettlement): Promise<void> {
    const parsed = await checkCode(code, s, clock.now());
    const certId = parsed.certificate.id;
    await oneAtATime(certId, async () => {
      for (let attempt = 0; attempt < offlineSettleAttemptsMax; attempt++) {
        if (await settleOnce(parsed, s)) return;
      }
      throw new ApiError("service_unavailable", "This certificate is settling many codes at once; retry shortly.");
    });
  }

  /** One try: true when settled, false when the hold moved under us (read again). */
  async function settleOnce(parsed: ParsedCode, s: OfflineSettlement): Promise<boolean> {
    const now = clock.now();
    const cert = await getCertificate(pool, parsed.certificate.id);
    // Signed by our key but not in our books (another deployment's key, a lost row): not ours to pay.
    if (!cert?.certificate.equals(parsed.certificate.bytes)) throw refuse("offline_signature_invalid");
    const used = await pool.query("SELECT 1 FROM offline_code_uses WHERE certificate_id = $1 AND counter = $2", [
      cert.id,
      parsed.counter,
    ]);
    if (used.rowCount) throw refuse("offline_code_replayed");
    if (cert.status !== "active" || now.getTime() >= cert.settleBefore.getTime()) {
      throw refuse(
        "offline_certificate_expired",
        "The certificate's settlement deadline has passed; its hold was released.",
      );
    }
    if (s.amount > cert.remaining || cert.holdTransferId === null) {
      throw offlineErrors.toApiError(
        "offline_cap_exceeded",
        `${cert.remaining} (minor units) is left of this certificate's offline cap.`,
        "amount",
      );
    }
    const left = cert.remaining - s.amount;
    const oldHold = cert.holdTransferId;
    const newHold = left > 0n ? transferIdFor(s.paymentId, "offline_hold") : null;
    const walletAccountId = await wallets.accounts.walletAccountId(
      { id: cert.walletUserId, livemode: cert.livemode },
      cert.currency,
    );
    const holdAccount = await holdAccountId(cert.livemode, cert.currency);
    const transfers: TransferInput[] = [
      { id: transferIdFor(s.paymentId, "offline_void"), voidPendingId: oldHold, linked: true, reference: cert.id },
    ];
    if (newHold) {
      transfers.push({
        id: newHold,
        debitAccountId: walletAccountId,
        creditAccountId: holdAccount,
        amount: left,
        pending: true,
        timeoutMs: cert.settleBefore.getTime() - now.getTime() + offlineHoldTimeoutGraceMs,
        code: holdCode,
        reference: cert.id,
        linked: true,
      });
    }
    transfers.push({
      id: transferIdFor(s.paymentId, "charge"),
      debitAccountId: walletAccountId,
      creditAccountId: s.merchantAccountId,
      amount: s.amount,
      code: "payment",
      reference: s.paymentId,
      linked: s.fee > 0n,
    });
    if (s.fee > 0n) {
      if (s.feeAccountId === undefined) throw new Error("a fee without a fee account");
      transfers.push({
        id: transferIdFor(s.paymentId, "fee"),
        debitAccountId: s.merchantAccountId,
        creditAccountId: s.feeAccountId,
        amount: s.fee,
        code: "fee",
        reference: s.paymentId,
      });
    }
    let settled = false;
    let results: Awaited<ReturnType<typeof ledger.createTransfers>>;
    try {
      results = await ledger.createTransfers(transfers, async (tx, rs) => {
        settled = false;
        if (!rs.every((r) => r.code === "ok")) return;
        const moved = await tx.query(
          `UPDATE offline_certificates SET remaining = remaining - $3::numeric, hold_transfer_id = $4
            WHERE id = $1 AND hold_transfer_id = $2 AND status = 'active'`,
          [cert.id, oldHold, String(s.amount), newHold],
        );
        if (moved.rowCount !== 1) throw new HoldMoved();
        const use = await tx.query(
          `INSERT INTO offline_code_uses (certificate_id, counter, payment_id, merchant_id, livemode, amount, code_window, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
          [
            cert.id,
            parsed.counter,
            s.paymentId,
            s.merchantId,
            s.livemode,
            String(s.amount),
            new Date(parsed.window * offlineCodeWindowMs),
            now,
          ],
        );
        if (use.rowCount !== 1) throw refuse("offline_code_replayed");
        await s.write(tx, cert.walletUserId);
        settled = true;
      });
    } catch (error) {
      if (error instanceof HoldMoved) return false;
      throw error;
    }
    if (settled) return true;
    const codes = results.map((r) => r.code);
    // The hold was voided, posted or replaced by a parallel settlement or the release: read again.
    if (codes.some((c) => c === "pending_transfer_already_voided" || c === "pending_transfer_already_posted")) {
      return false;
    }
    if (codes.includes("pending_transfer_expired")) {
      throw refuse("offline_certificate_expired", "The certificate's hold has expired.");
    }
    throw new Error(`the ledger refused the settlement of ${s.paymentId}: ${codes.join(", ")}`);
  }

  /**
   * The release worker's pass: certificates past their settlement deadline give back what is left of their hold
   * (and of the spend it counted). Claimed with SKIP LOCKED and a lease, so several workers share the work.
   */
  async function releaseDue(limit = offlineReleaseBatchMax): Promise<number> {
    const now = clock.now();
    const claimed = await pool.query<OfflineCertificateRow>(
      `UPDATE offline_certificates SET due_at = $2
        WHERE id IN (SELECT id FROM offline_certificates WHERE due_at <= $1 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, new Date(now.getTime() + offlineReleaseLeaseMs), limit],
    );
    let released = 0;
    for (const row of claimed.rows) {
      try {
        if (await release(certificateFromRow(row), now)) released++;
      } catch (error) {
        deps.log.error({ err: error, certificate: row.id }, "releasing an offline hold failed; it is retried");
      }
    }
    return released;
  }

  async function markReleased(tx: Queryable, cert: OfflineCertificate, now: Date): Promise<boolean> {
    const changed = await tx.query(
      `UPDATE offline_certificates SET status = 'released', released_at = $2, released_amount = remaining, due_at = NULL
        WHERE id = $1 AND status = 'active' AND hold_transfer_id IS NOT DISTINCT FROM $3`,
      [cert.id, now, cert.holdTransferId],
    );
    if (changed.rowCount !== 1) return false;
    if (cert.remaining > 0n) {
      await wallets.spend.release(tx, {
        userId: cert.walletUserId,
        currency: cert.currency,
        amount: cert.remaining,
        periods: { day: cert.spendDay, month: cert.spendMonth },
      });
    }
    await recordCertificateEvent(
      tx,
      { ...cert, status: "released", releasedAt: now, releasedAmount: cert.remaining },
      "offline_certificate.released",
      now,
    );
    return true;
  }

  async function release(cert: OfflineCertificate, now: Date): Promise<boolean> {
    if (cert.status !== "active") return false;
    if (cert.holdTransferId === null) return withTransaction(pool, (tx) => markReleased(tx, cert, now));
    let done = false;
    const [result] = await ledger
      .createTransfers(
        [
          {
            id: transferIdFor(cert.id, "offline_release", cert.holdTransferId),
            voidPendingId: cert.holdTransferId,
            reference: cert.id,
          },
        ],
        async (tx, [r]) => {
          done = false;
          if (r?.code !== "ok") return;
          if (!(await markReleased(tx, cert, now))) throw new HoldMoved();
          done = true;
        },
      )
      .catch((error) => {
        if (error instanceof HoldMoved) return [undefined];
        throw error;
      });
    if (done) return true;
    // The ledger's own timeout voided the hold first: the money is back; record the release.
    if (result?.code === "pending_transfer_expired" || result?.code === "pending_transfer_already_voided") {
      return withTransaction(pool, (tx) => markReleased(tx, cert, now));
    }
    return false;
  }

  const payments: OfflinePayments = { looksLikeOfflineCode, settle };

  return {
    issue,
    issueForCard,
    get: (id: string) => getCertificate(pool, id),
    getForWallet,
    releaseDue,
    keys,
    holdAccountId,
    payments,
  };
}
