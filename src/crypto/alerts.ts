import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { newId } from "../ids.js";

/**
 * Operator alerts of custody (shown in the operator console until acknowledged). Raising an alert whose subject
 * already has an open one updates it instead of adding another, so a loop that re-detects a problem every pass
 * does not flood the list.
 */
export type CryptoAlertKind =
  | "reorg_reversal"
  | "hot_wallet_limit"
  | "withdrawal_stuck"
  | "withdrawal_failed"
  | "reserves_shortfall"
  | "sweep_failed";

export interface CryptoAlert {
  id: string;
  livemode: boolean;
  chain: string;
  kind: CryptoAlertKind;
  subject: string;
  details: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

interface AlertRow {
  id: string;
  livemode: boolean;
  chain: string;
  kind: CryptoAlertKind;
  subject: string;
  details: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

function alertFromRow(row: AlertRow): CryptoAlert {
  return {
    id: row.id,
    livemode: row.livemode,
    chain: row.chain,
    kind: row.kind,
    subject: row.subject,
    details: row.details,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
  };
}

export type CryptoAlerts = ReturnType<typeof createCryptoAlerts>;

export function createCryptoAlerts(deps: { pool: Pool; clock: Clock }) {
  /** db: the transaction of the change that caused the alert, so both are recorded or neither. */
  async function raise(
    db: Queryable,
    alert: { livemode: boolean; chain: string; kind: CryptoAlertKind; subject: string; details: object },
  ): Promise<void> {
    const now = deps.clock.now();
    await db.query(
      `INSERT INTO crypto_alerts (id, livemode, chain, kind, subject, details, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (kind, subject) WHERE acknowledged_at IS NULL
       DO UPDATE SET details = EXCLUDED.details, updated_at = EXCLUDED.updated_at`,
      [newId("calr"), alert.livemode, alert.chain, alert.kind, alert.subject, JSON.stringify(alert.details), now],
    );
  }

  async function list(options: { open?: boolean; limit: number }): Promise<CryptoAlert[]> {
    const found = await deps.pool.query<AlertRow>(
      `SELECT * FROM crypto_alerts WHERE ($1::boolean IS NULL OR (acknowledged_at IS NULL) = $1)
        ORDER BY created_at DESC, id LIMIT $2`,
      [options.open ?? null, options.limit],
    );
    return found.rows.map(alertFromRow);
  }

  async function acknowledge(id: string, operatorId: string): Promise<CryptoAlert | undefined> {
    const updated = await deps.pool.query<AlertRow>(
      `UPDATE crypto_alerts SET acknowledged_at = $2, acknowledged_by = $3
        WHERE id = $1 AND acknowledged_at IS NULL RETURNING *`,
      [id, deps.clock.now(), operatorId],
    );
    return updated.rows[0] && alertFromRow(updated.rows[0]);
  }

  return { raise, list, acknowledge };
}
