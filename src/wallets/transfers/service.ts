import type { Queryable } from "../../db/pool.js";
import { parseAmount } from "../../http/amount.js";
import { ApiError } from "../../http/errors.js";
import type { AnswerRecorder } from "../../http/idempotency.js";
import { isId, newId } from "../../ids.js";
import { formatMinorUnits } from "../../ledger/currencies.js";
import { isApplied } from "../../ledger/errors.js";
import { transferIdFor } from "../../ledger/model.js";
import { walletTransferNoteLengthMax } from "../../limits.js";
import type { WalletAccounts } from "../accounts.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { recordWalletEvent } from "../events.js";
import { assertWithinCap } from "../limits/cap.js";
import type { KeyedQueue } from "../limits/serialize.js";
import { consumeSpend, precheckSpend, spendPeriods } from "../limits/spend.js";
import { assertNotFrozen, assertPerPayment, limitsOf, walletCurrency } from "../limits/tiers.js";
import { transferReceivedTemplate } from "../messages.js";
import type { StepUpProof, WalletStepUp } from "../stepup/service.js";
import { parseEmail, parsePhone } from "../users/contacts.js";
import { publicName, type WalletUser } from "../users/model.js";
import type { WalletUserService } from "../users/service.js";
import { findWalletUserByContact, getWalletUser, messageTarget } from "../users/store.js";
import { type WalletTransfer, type WalletTransferRow, walletTransferFromRow, walletTransferJson } from "./model.js";

/**
 * Sending money from one wallet to another (P2P), by the recipient's wallet id, email or phone number. One posted
 * ledger transfer wallet → wallet; its hook checks the sender's daily and monthly limits and the recipient's
 * balance cap, writes the transfer record, one event for each side and the recipient's notification, all in the
 * ledger's transaction. The wallet account's "never overdrawn" flag makes the ledger refuse what the sender cannot
 * afford, however many sends race.
 */
export interface SendInput {
  /** wal_…, an email address or an E.164 phone number. */
  to: string;
  amount: unknown;
  currency: string;
  note?: string;
  stepUp?: StepUpProof;
}

export type WalletTransfers = ReturnType<typeof createWalletTransfers>;

export function createWalletTransfers(
  deps: WalletDeps & {
    users: WalletUserService;
    accounts: WalletAccounts;
    stepUp: WalletStepUp;
    spendQueue: KeyedQueue;
  },
) {
  const { pool, clock, ledger } = deps;

  async function findRecipient(to: string, livemode: boolean): Promise<WalletUser> {
    const notFound = () => walletError("recipient_not_found", undefined, "to");
    const value = to.trim();
    let found: WalletUser | undefined;
    if (value.startsWith("wal_")) {
      if (!isId(value, "wal")) throw notFound();
      found = await getWalletUser(pool, value);
    } else if (value.includes("@")) {
      const email = parseEmail(value);
      if (!email) throw walletError("contact_invalid", "The recipient's email address is not valid.", "to");
      found = await findWalletUserByContact(pool, livemode, { kind: "email", value: email });
    } else {
      const phone = parsePhone(value);
      if (!phone) {
        throw walletError(
          "contact_invalid",
          "Send to a wallet id (wal_…), an email address or an E.164 phone number.",
          "to",
        );
      }
      found = await findWalletUserByContact(pool, livemode, { kind: "phone", value: phone });
    }
    if (!found || found.livemode !== livemode) throw notFound();
    return found;
  }

  /** answer: stores the request's answer with the transfer (src/http/idempotency.ts answerWithEffect). */
  async function send(
    userId: string,
    input: SendInput,
    ip: string | null,
    answer?: AnswerRecorder<ReturnType<typeof walletTransferJson>>,
  ): Promise<ReturnType<typeof walletTransferJson>> {
    const sender = await deps.users.get(userId);
    const amount = parseAmount(input.amount);
    const currency = walletCurrency(deps.config, input.currency);
    const note = input.note?.trim() || null;
    if (note !== null && note.length > walletTransferNoteLengthMax) {
      throw new ApiError(
        "parameter_invalid",
        `note must be at most ${walletTransferNoteLengthMax} characters.`,
        "note",
      );
    }
    assertNotFrozen(sender);
    const recipient = await findRecipient(input.to, sender.livemode);
    if (recipient.id === sender.id) throw walletError("transfer_to_self", undefined, "to");
    if (recipient.frozenAt !== null) throw walletError("recipient_unavailable", undefined, "to");
    const limits = limitsOf(deps.config, sender, currency);
    const recipientCap = limitsOf(deps.config, recipient, currency).balanceCap;
    assertPerPayment(limits, amount);
    const now = clock.now();
    const spend = { userId: sender.id, currency, amount, periods: spendPeriods(now) };
    await precheckSpend(pool, spend, limits);
    await deps.stepUp.require(sender, amount, currency, input.stepUp, ip);
    const [from, to] = await Promise.all([
      deps.accounts.walletAccountId(sender, currency),
      deps.accounts.walletAccountId(recipient, currency),
    ]);

    const id = newId("wt");
    let created: WalletTransfer | undefined;
    const [result] = await deps.spendQueue.run(sender.id, async () => {
      await precheckSpend(pool, spend, limits);
      return ledger.createTransfers(
        [
          {
            id: transferIdFor(id, "transfer"),
            debitAccountId: from,
            creditAccountId: to,
            amount,
            code: "p2p",
            reference: id,
          },
        ],
        async (tx, [applied]) => {
          if (!applied || !isApplied(applied.code)) return;
          await assertParties(tx, sender.id, recipient.id);
          await consumeSpend(tx, spend, limits);
          await assertWithinCap(
            tx,
            ledger,
            { userId: recipient.id, currency, ledgerAccountId: to, cap: recipientCap, adding: 0n },
            "recipient_unavailable",
          );
          const inserted = await tx.query<WalletTransferRow>(
            `INSERT INTO wallet_transfers (id, livemode, sender_id, recipient_id, currency, amount, note, status,
                                           created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'succeeded', $8) RETURNING *`,
            [id, sender.livemode, sender.id, recipient.id, currency, String(amount), note, now],
          );
          created = walletTransferFromRow(inserted.rows[0]!);
          const parties = partiesOf(sender, recipient);
          await recordWalletEvent(
            tx,
            sender,
            "wallet_transfer.sent",
            walletTransferJson(created, parties, sender.id),
            now,
          );
          await recordWalletEvent(
            tx,
            recipient,
            "wallet_transfer.received",
            walletTransferJson(created, parties, recipient.id),
            now,
          );
          await notifyRecipient(tx, created, sender, recipient);
          await answer?.(tx, walletTransferJson(created, parties, sender.id));
        },
      );
    });
    if (result?.code === "exceeds_credits") throw walletError("insufficient_funds", undefined, "amount");
    if (!result || !isApplied(result.code) || !created) {
      throw new Error(`the ledger refused wallet transfer ${id}: ${result?.code}`);
    }
    deps.notifications.kick();
    return walletTransferJson(created, partiesOf(sender, recipient), sender.id);
  }

  /** Freezes that landed after the checks above still stop the money (re-read inside the transaction). */
  async function assertParties(tx: Queryable, senderId: string, recipientId: string): Promise<void> {
    const rows = await tx.query<{ id: string; frozen: boolean }>(
      "SELECT id, frozen_at IS NOT NULL AS frozen FROM wallet_users WHERE id = ANY($1)",
      [[senderId, recipientId]],
    );
    for (const row of rows.rows) {
      if (!row.frozen) continue;
      throw row.id === senderId ? walletError("wallet_frozen") : walletError("recipient_unavailable", undefined, "to");
    }
  }

  async function notifyRecipient(tx: Queryable, transfer: WalletTransfer, sender: WalletUser, recipient: WalletUser) {
    const currency = deps.currencies.get(transfer.currency);
    if (!currency) return;
    await deps.notifications.enqueue(tx, {
      ...messageTarget(recipient),
      template: transferReceivedTemplate,
      locale: recipient.locale,
      vars: {
        sender: publicName(sender),
        amount: formatMinorUnits(transfer.amount, currency),
        currency: transfer.currency,
        note: transfer.note ?? "—",
      },
      walletUserId: recipient.id,
      dedupeKey: `transfer_received:${transfer.id}`,
    });
  }

  function partiesOf(sender: WalletUser, recipient: WalletUser) {
    return {
      sender: { id: sender.id, name: publicName(sender) },
      recipient: { id: recipient.id, name: publicName(recipient) },
    };
  }

  async function get(userId: string, id: string): Promise<ReturnType<typeof walletTransferJson>> {
    if (!isId(id, "wt")) throw new ApiError("resource_not_found", "No such transfer.", "id");
    const found = await pool.query<WalletTransferRow>(
      "SELECT * FROM wallet_transfers WHERE id = $1 AND (sender_id = $2 OR recipient_id = $2)",
      [id, userId],
    );
    if (!found.rows[0]) throw new ApiError("resource_not_found", "No such transfer.", "id");
    const transfer = walletTransferFromRow(found.rows[0]);
    const [sender, recipient] = await Promise.all([
      getWalletUser(pool, transfer.senderId),
      getWalletUser(pool, transfer.recipientId),
    ]);
    return walletTransferJson(transfer, partiesOf(sender!, recipient!), userId);
  }

  return { send, get, findRecipient };
}
