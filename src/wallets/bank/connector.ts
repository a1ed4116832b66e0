import type { BankConnectorName } from "../config.js";

/**
 * The bank rails behind funding sources, kept small so a deployment can add its own (an open-banking API, an
 * ACH/SEPA file format). coffer ships two: the sandbox bank (sandbox.ts) and the file-based connector (file.ts).
 *
 * Every call gets one instruction and answers where it stands. `pending` with a nextCheckAt asks the settlement
 * worker to call status() again then; `pending` with nextCheckAt null means the answer comes from outside (a
 * settlement file). A call that throws BankUnavailableError (timeout, 5xx) is retried with backoff; the instruction
 * id is stable, so a connector can make retries idempotent on the bank's side.
 */
export type BankOperationKind = "verify" | "debit" | "credit";

export interface BankAccountDetails {
  holderName: string;
  bankCode: string;
  accountNumber: string;
}

export interface BankInstruction {
  /** fs_… (verify), tu_… (debit: pull a top-up), wd_… (credit: pay out a withdrawal). */
  id: string;
  kind: BankOperationKind;
  livemode: boolean;
  /** Minor units; null for verify. */
  amount: bigint | null;
  currency: string;
  account: BankAccountDetails;
  /** When the bank first accepted the instruction; null before. */
  submittedAt: Date | null;
  /** Earlier calls for this instruction that threw (timeouts …). */
  failedCalls: number;
  bankReference: string | null;
  /**
   * The time the instruction lives in, when it is not the system clock: a test-mode payout's merchant test clock.
   * The sandbox bank settles on it; real connectors ignore it.
   */
  at?: Date;
}

export type BankUpdate =
  | { status: "pending"; nextCheckAt: Date | null; bankReference?: string }
  | { status: "succeeded"; bankReference?: string }
  | { status: "failed"; code: string; message: string; bankReference?: string };

export interface BankReportEntry {
  operationId: string;
  outcome: "settled" | "failed";
  amount: bigint | null;
  currency: string;
  bankReference: string | null;
}

export interface BankConnector {
  readonly name: BankConnectorName;
  /** Checks that the account exists and can be debited and credited (a prenote, an account lookup …). */
  verifyAccount(instruction: BankInstruction): Promise<BankUpdate>;
  /** Pulls money from the user's bank account for a top-up. */
  debit(instruction: BankInstruction): Promise<BankUpdate>;
  /** Pays a withdrawal out to the user's bank account. */
  credit(instruction: BankInstruction): Promise<BankUpdate>;
  /** Where an instruction submitted earlier stands now. */
  status(instruction: BankInstruction): Promise<BankUpdate>;
  /** The bank's view of the instructions it finished in [from, to), to compare with the books. */
  reconciliationReport(range: { from: Date; to: Date }): Promise<BankReportEntry[]>;
}

/** The bank did not answer (timeout, unavailable): nothing is known, try again later. */
export class BankUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BankUnavailableError";
  }
}
