import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { Pool } from "../../db/pool.js";
import type { LedgerBatchTotals } from "../../ledger/batch-totals.js";
import type { SecurityAudit } from "../../security/audit-report/service.js";
import type { OperatorServices } from "../service.js";

/**
 * What the /v1/ops routes use of the platform's services. Each route file picks its share, so its options say what
 * it reads; app.ts passes the whole services object, which has all of these.
 */
export interface OperatorRouteDeps {
  config: Config;
  pool: Pool;
  clock: Clock;
  operators: OperatorServices;
  /** The last `coffer audit` report, and the system health's summary of it. */
  securityAudit: SecurityAudit;
  /** This process's ledger batches, shown by the system health. */
  ledgerBatches: LedgerBatchTotals;
}
