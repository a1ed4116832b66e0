/**
 * A reference model of the ledger's rules: one transfer at a time, whole-state snapshots for linked chains,
 * no batching, no SQL. Deliberately written apart from src/ledger/apply.ts so the property test compares two
 * implementations of one specification.
 */
import type { TransferInput } from "../../src/ledger/model.js";

const max = (1n << 128n) - 1n;

export interface ModelAccount {
  ledger: string;
  currency: string;
  flags: number;
  dp: bigint;
  cp: bigint;
  dpe: bigint;
  cpe: bigint;
}

interface ModelTransfer {
  id: string;
  debit: bigint;
  credit: bigint;
  amount: bigint;
  code: string;
  kind: "single" | "pending" | "post" | "void";
  linked: boolean;
  pendingId: string | null;
  timeoutMs: number;
  timeoutAt: number | null;
  reference: string | null;
}

interface State {
  accounts: Map<bigint, ModelAccount>;
  transfers: Map<string, ModelTransfer>;
  resolved: Map<string, "posted" | "voided" | "expired">;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class LedgerModel {
  state: State = { accounts: new Map(), transfers: new Map(), resolved: new Map() };
  now = 0;

  addAccount(id: bigint, ledger: string, currency: string, flags: number) {
    this.state.accounts.set(id, { ledger, currency, flags, dp: 0n, cp: 0n, dpe: 0n, cpe: 0n });
  }

  submit(inputs: TransferInput[]): string[] {
    const codes: string[] = [];
    let chain: number[] = [];
    let snapshot = structuredClone(this.state);
    let failedAt: number | null = null;
    inputs.forEach((input, i) => {
      if (chain.length === 0) snapshot = structuredClone(this.state);
      chain.push(i);
      codes[i] = failedAt === null ? this.one(input, false) : "pending_chain_result";
      if (failedAt === null && codes[i] !== "ok" && codes[i] !== "exists") failedAt = i;
      const last = i === inputs.length - 1;
      if (input.linked && !last) return;
      const open = input.linked === true;
      if (failedAt !== null || open) {
        this.state = snapshot;
        for (const j of chain) {
          if (j === failedAt) continue;
          codes[j] = failedAt === null ? "linked_event_chain_open" : "linked_event_failed";
        }
      }
      chain = [];
      failedAt = null;
    });
    return codes;
  }

  /** Voids every unresolved hold whose timeout has passed; returns how many. */
  expire(): number {
    let n = 0;
    for (const t of this.state.transfers.values()) {
      if (t.kind !== "pending" || t.timeoutAt === null || t.timeoutAt > this.now || this.state.resolved.has(t.id))
        continue;
      const d = this.state.accounts.get(t.debit)!;
      const c = this.state.accounts.get(t.credit)!;
      d.dpe -= t.amount;
      c.cpe -= t.amount;
      this.state.resolved.set(t.id, "expired");
      n++;
    }
    return n;
  }

  private one(t: TransferInput, _expiry: boolean): string {
    if (typeof t.id !== "string" || !uuid.test(t.id) || /^[0-]+$/.test(t.id)) return "id_invalid";
    const kinds = [t.pending === true, t.postPendingId !== undefined, t.voidPendingId !== undefined].filter(
      Boolean,
    ).length;
    if (kinds > 1) return "flags_are_mutually_exclusive";
    if (t.timeoutMs !== undefined && t.timeoutMs > 0 && !t.pending) return "timeout_reserved_for_pending_transfer";
    if (t.amount !== undefined && (t.amount < 0n || t.amount > max)) return "amount_invalid";
    if (t.amount === 0n) return "amount_must_not_be_zero";
    const kind: ModelTransfer["kind"] = t.pending
      ? "pending"
      : t.postPendingId
        ? "post"
        : t.voidPendingId
          ? "void"
          : "single";
    const pendingId = t.postPendingId ?? t.voidPendingId ?? null;
    if (pendingId !== null) {
      if (pendingId === t.id) return "pending_id_must_be_different";
    } else {
      if (t.amount === undefined) return "amount_must_not_be_zero";
      if (t.debitAccountId === t.creditAccountId) return "accounts_must_be_different";
    }

    const existing = this.state.transfers.get(t.id);
    if (existing) {
      if (existing.kind !== kind || existing.linked !== (t.linked === true)) return "exists_with_different_flags";
      if (existing.pendingId !== pendingId) return "exists_with_different_pending_id";
      if (existing.timeoutMs !== (t.timeoutMs ?? 0)) return "exists_with_different_timeout";
      if (t.debitAccountId !== undefined && t.debitAccountId !== existing.debit)
        return "exists_with_different_debit_account_id";
      if (t.creditAccountId !== undefined && t.creditAccountId !== existing.credit)
        return "exists_with_different_credit_account_id";
      const wanted = t.amount ?? (pendingId ? this.state.transfers.get(pendingId)?.amount : undefined);
      if (wanted !== undefined && wanted !== existing.amount) return "exists_with_different_amount";
      if (t.code !== undefined && t.code !== existing.code) return "exists_with_different_code";
      if ((t.reference ?? null) !== existing.reference) return "exists_with_different_reference";
      return "exists";
    }

    if (pendingId !== null) {
      const p = this.state.transfers.get(pendingId);
      if (!p) return "pending_transfer_not_found";
      if (p.kind !== "pending") return "pending_transfer_not_pending";
      if (t.debitAccountId !== undefined && t.debitAccountId !== p.debit)
        return "pending_transfer_has_different_debit_account_id";
      if (t.creditAccountId !== undefined && t.creditAccountId !== p.credit)
        return "pending_transfer_has_different_credit_account_id";
      if (t.code !== undefined && t.code !== p.code) return "pending_transfer_has_different_code";
      const amount = t.amount ?? p.amount;
      if (kind === "post" && amount > p.amount) return "exceeds_pending_transfer_amount";
      if (kind === "void" && amount !== p.amount) return "pending_transfer_has_different_amount";
      const resolution = this.state.resolved.get(p.id);
      if (resolution === "posted") return "pending_transfer_already_posted";
      if (resolution === "voided") return "pending_transfer_already_voided";
      if (resolution === "expired") return "pending_transfer_expired";
      if (p.timeoutAt !== null && this.now >= p.timeoutAt) return "pending_transfer_expired";
      const d = this.state.accounts.get(p.debit)!;
      const c = this.state.accounts.get(p.credit)!;
      d.dpe -= p.amount;
      c.cpe -= p.amount;
      if (kind === "post") {
        d.dp += amount;
        c.cp += amount;
      }
      this.state.resolved.set(p.id, kind === "post" ? "posted" : "voided");
      this.state.transfers.set(t.id, {
        id: t.id,
        debit: p.debit,
        credit: p.credit,
        amount,
        code: p.code,
        kind,
        linked: t.linked === true,
        pendingId,
        timeoutMs: 0,
        timeoutAt: null,
        reference: t.reference ?? null,
      });
      return "ok";
    }

    const d = this.state.accounts.get(t.debitAccountId!);
    const c = this.state.accounts.get(t.creditAccountId!);
    if (!d) return "debit_account_not_found";
    if (!c) return "credit_account_not_found";
    if (d.ledger !== c.ledger) return "accounts_must_have_same_ledger";
    if (d.currency !== c.currency) return "accounts_must_have_same_currency";
    const amount = t.amount!;
    if (d.dp + d.dpe + amount > max) return "overflows_debits";
    if (c.cp + c.cpe + amount > max) return "overflows_credits";
    if (d.flags & 1 && d.dp + d.dpe + amount > d.cp) return "exceeds_credits";
    if (c.flags & 2 && c.cp + c.cpe + amount > c.dp) return "exceeds_debits";
    if (kind === "pending") {
      d.dpe += amount;
      c.cpe += amount;
    } else {
      d.dp += amount;
      c.cp += amount;
    }
    const timeoutMs = t.timeoutMs ?? 0;
    this.state.transfers.set(t.id, {
      id: t.id,
      debit: t.debitAccountId!,
      credit: t.creditAccountId!,
      amount,
      code: t.code!,
      kind,
      linked: t.linked === true,
      pendingId: null,
      timeoutMs,
      timeoutAt: kind === "pending" && timeoutMs > 0 ? this.now + timeoutMs : null,
      reference: t.reference ?? null,
    });
    return "ok";
  }
}
