import type { Clock } from "../../clock.js";
import type { Pool } from "../../db/pool.js";
import type { CurrencyRegistry } from "../../ledger/currencies.js";
import { formatMinorUnits } from "../../ledger/currencies.js";
import type { LedgerService } from "../../ledger/service.js";
import { walletStatementRowsMax } from "../../limits.js";
import type { WalletConfig } from "../config.js";
import { csvField, csvLine, csvText } from "../csv.js";
import { walletError } from "../errors.js";
import { walletCurrency } from "../limits/tiers.js";
import { publicName, type WalletUserRow, walletUserFromRow } from "../users/model.js";

/**
 * Monthly statements as CSV (UTF-8, CRLF, a header row): per currency an opening balance, every posted movement
 * of the month with the balance after it, and a closing balance. Months are UTC. Built from the ledger itself
 * (the wallet's transfers and its balance as of the month's start), so a statement always agrees with the books;
 * holds are not movements (a withdrawal appears when the bank pays it out).
 */
export const statementHeader = ["date", "type", "transaction_id", "description", "amount", "currency", "balance"];

interface MovementRow {
  debit_account_id: bigint;
  amount: bigint;
  code: string;
  reference: string | null;
  created_at: Date;
}

const typeOfCode: Record<string, string> = { top_up: "top_up", withdrawal: "withdrawal", p2p: "transfer" };

export function parseStatementMonth(month: string, now: Date): { start: Date; end: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const year = Number(match?.[1]);
  const index = Number(match?.[2]) - 1;
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (!match || index < 0 || index > 11 || year < 2000 || year * 12 + index > current) {
    throw walletError("statement_month_invalid", undefined, "month");
  }
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

export function createWalletStatements(deps: {
  pool: Pool;
  ledger: LedgerService;
  currencies: CurrencyRegistry;
  clock: Clock;
  config: WalletConfig;
}) {
  async function descriptions(userId: string, references: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (references.length === 0) return out;
    const transfers = await deps.pool.query<
      { transfer_id: string; transfer_sender: string; transfer_note: string | null } & WalletUserRow
    >(
      `SELECT t.id AS transfer_id, t.sender_id AS transfer_sender, t.note AS transfer_note, u.* FROM wallet_transfers t
         JOIN wallet_users u ON u.id = CASE WHEN t.sender_id = $1 THEN t.recipient_id ELSE t.sender_id END
        WHERE t.id = ANY($2)`,
      [userId, references],
    );
    for (const row of transfers.rows) {
      const other = publicName(walletUserFromRow(row));
      const text = row.transfer_sender === userId ? `Transfer to ${other}` : `Transfer from ${other}`;
      out.set(row.transfer_id, row.transfer_note ? `${text}: ${row.transfer_note}` : text);
    }
    const bank = await deps.pool.query<{ id: string; kind: string; last4: string }>(
      `SELECT o.id, o.kind, s.last4 FROM wallet_bank_operations o JOIN wallet_funding_sources s ON s.id = o.funding_source_id
        WHERE o.id = ANY($1)`,
      [references],
    );
    for (const row of bank.rows) {
      out.set(
        row.id,
        row.kind === "debit"
          ? `Top-up from bank account •••• ${row.last4}`
          : `Withdrawal to bank account •••• ${row.last4}`,
      );
    }
    return out;
  }

  /** The statement of one month, for all the user's currencies or one. */
  async function statement(userId: string, month: string, onlyCurrency?: string): Promise<string> {
    const now = deps.clock.now();
    const { start, end } = parseStatementMonth(month, now);
    // The current month's statement runs to now: the closing balance is dated now, not the month's end.
    const until = new Date(Math.min(end.getTime(), now.getTime()));
    if (onlyCurrency !== undefined) walletCurrency(deps.config, onlyCurrency);
    const accounts = await deps.pool.query<{ currency: string; ledger_account_id: bigint }>(
      `SELECT currency, ledger_account_id FROM wallet_accounts
        WHERE wallet_user_id = $1 AND ($2::text IS NULL OR currency = $2) ORDER BY currency`,
      [userId, onlyCurrency ?? null],
    );
    let out = csvLine(statementHeader);
    let rowsLeft = walletStatementRowsMax;
    for (const account of accounts.rows) {
      const currency = deps.currencies.get(account.currency);
      if (!currency) continue;
      const format = (amount: bigint) => formatMinorUnits(amount, currency);
      const opening =
        (await deps.ledger.getBalanceAsOf(account.ledger_account_id, new Date(start.getTime() - 1)))?.posted ?? 0n;
      // Posted movements only: plain transfers and posted holds (flags: 2 pending, 8 void).
      const movements = await deps.pool.query<MovementRow>(
        `SELECT * FROM (
           SELECT seq, debit_account_id, amount, code, reference, created_at FROM ledger_transfers
            WHERE debit_account_id = $1 AND created_at >= $2 AND created_at < $3 AND flags & 10 = 0
           UNION ALL
           SELECT seq, debit_account_id, amount, code, reference, created_at FROM ledger_transfers
            WHERE credit_account_id = $1 AND created_at >= $2 AND created_at < $3 AND flags & 10 = 0
         ) m ORDER BY seq LIMIT $4`,
        [String(account.ledger_account_id), start, end, rowsLeft + 1],
      );
      if (movements.rows.length > rowsLeft) {
        throw new Error(`statement ${month} of ${userId} has more than ${walletStatementRowsMax} movements`);
      }
      rowsLeft -= movements.rows.length;
      const names = await descriptions(
        userId,
        movements.rows.flatMap((m) => (m.reference ? [m.reference] : [])),
      );
      out += csvLine([start.toISOString(), "opening_balance", "", "", "", currency.code, format(opening)]);
      let balance = opening;
      for (const m of movements.rows) {
        const signed = m.debit_account_id === account.ledger_account_id ? -m.amount : m.amount;
        balance += signed;
        out += csvLine([
          m.created_at.toISOString(),
          typeOfCode[m.code] ?? m.code,
          csvField(m.reference ?? ""),
          csvText(names.get(m.reference ?? "") ?? m.code),
          format(signed),
          currency.code,
          format(balance),
        ]);
      }
      out += csvLine([until.toISOString(), "closing_balance", "", "", "", currency.code, format(balance)]);
    }
    return out;
  }

  return { statement };
}
