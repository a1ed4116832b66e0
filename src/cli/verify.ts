import path from "node:path";
import type { Logger } from "pino";
import { systemClock } from "../clock.js";
import { type Config, loadConfig } from "../config.js";
import { formatReservesReport } from "../crypto/reserves/format.js";
import { type ReservesReport, storedAssetFigures } from "../crypto/reserves/model.js";
import { loadMigrations, migrationsApplied } from "../db/migrate.js";
import type { Pool } from "../db/pool.js";
import { type CurrencyRegistry, createCurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerName } from "../ledger/model.js";
import { formatVerifyReport, verifyHoldGraceMsDefault } from "../ledger/verify.js";
import { createLogger } from "../logging.js";
import { createVerifyRuns } from "../operators/verify-runs.js";
import { openDatabase } from "../runtime/database.js";
import { masterKeyFileName, readMasterKeyFile } from "../runtime/master-key.js";
import { parseStoredValueLimits } from "../stored-value/config.js";
import type { Command } from "./command.js";

export const verifyCommand: Command = {
  summary: "Prove the books: debits = credits, balances = their transfers, no limit broken, no hold late",
  usage: [
    "coffer verify [--ledger test|live] [--json] [--hold-grace-ms N] [--reserves]",
    "",
    "Checks the ledger from the database rows alone: per ledger and currency debits equal credits; every account's",
    "four balances equal the sums of its transfers; no balance breaks its account's flags; every post or void matches",
    "its hold; no hold is still pending past its timeout (plus --hold-grace-ms, default 60000, for the expiry worker);",
    "stored value: the platform float equals what platform cards were issued with, each breakage account holds its",
    "cards' breakage, every card has one wallet account of its own, no card is above its cap (plus refunds), and no",
    "expired card keeps money (COFFER_STORED_VALUE_LIMITS gives the caps, as for the server).",
    "Exits 0 when clean and 1 with a report of every violation. Safe to run while coffer is running. Each run is kept",
    "with its report; the operator console shows the latest.",
    "",
    "--reserves also proves the reserves of each mode with a chain (COFFER_CHAINS; for test mode the sandbox chain",
    "when COFFER_SANDBOX_CHAIN is its URL): every custody address's balance on chain against what the ledger owes per",
    "asset (wallets, merchants, crypto payments' held money), and a Merkle tree of the wallet balances; the report is",
    "kept, and a shortfall exits 1 and alerts operators. It needs the master key, as `coffer start` does.",
    "",
    "  --ledger test|live   check one ledger only (default: both); with --reserves, that mode's reserves only",
    "  --json               print the report as JSON",
    "  --reserves           prove the reserves of crypto assets too (docs/crypto.md)",
  ].join("\n"),
  options: {
    ledger: { type: "string" },
    json: { type: "boolean" },
    "hold-grace-ms": { type: "string" },
    reserves: { type: "boolean" },
  },
  async run(args, context) {
    const ledger = args.values.ledger;
    if (ledger !== undefined && ledger !== "test" && ledger !== "live") {
      context.err(`coffer verify: --ledger must be test or live, got "${String(ledger)}"`);
      return 2;
    }
    const graceRaw = args.values["hold-grace-ms"];
    const holdGraceMs = graceRaw === undefined ? verifyHoldGraceMsDefault : Number(graceRaw);
    if (!Number.isSafeInteger(holdGraceMs) || holdGraceMs < 0) {
      context.err(`coffer verify: --hold-grace-ms must be a whole number of milliseconds, got "${String(graceRaw)}"`);
      return 2;
    }
    const config = loadConfig();
    // Cards' balance caps, as the server reads them: verify checks no card holds more than its cap.
    const problems: string[] = [];
    const storedValueLimits = parseStoredValueLimits(
      process.env.COFFER_STORED_VALUE_LIMITS,
      createCurrencyRegistry(config.cryptoAssets),
      problems,
    );
    if (problems.length > 0) {
      context.err(`coffer verify: ${problems.join("; ")}`);
      return 2;
    }
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-verify", { existing: true });
    try {
      const migrations = await loadMigrations();
      const current = migrations.at(-1)?.version ?? 0;
      const ready = await migrationsApplied(db.pool, current).catch(() => false);
      if (!ready) {
        context.err("coffer verify: the database is not migrated to this coffer's schema; run `coffer migrate` first");
        return 1;
      }
      // Each run is kept, so the operator console shows when the books were last proven and how.
      const { report } = await createVerifyRuns({ pool: db.pool, clock: systemClock }).run(
        { source: "cli" },
        { ledger: ledger as LedgerName | undefined, holdGraceMs, storedValueLimits },
      );
      const reserves =
        args.values.reserves === true
          ? await proveReserves(config, db.pool, ledger as LedgerName | undefined, context, log)
          : undefined;
      if (reserves === "usage") return 2;
      if (args.values.json === true) {
        const json = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v), 2);
        context.out(
          reserves === undefined
            ? json(report)
            : json({
                ...report,
                reserves: reserves.reports.map((r) => ({ ...r, assets: r.assets.map(storedAssetFigures) })),
                reserves_off: reserves.off,
                reserves_failures: reserves.failures,
              }),
        );
      } else {
        context.out(formatVerifyReport(report));
        if (reserves) {
          for (const line of reserves.off) context.out(line);
          for (const r of reserves.reports) context.out(formatReservesReport(r, reserves.currencies));
          for (const line of reserves.failures) context.out(line);
        }
      }
      const reservesOk =
        reserves === undefined || (reserves.failures.length === 0 && reserves.reports.every((r) => r.ok));
      return report.ok && reservesOk ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};

interface ReservesOutcome {
  reports: ReservesReport[];
  /** Modes with no chain to check: crypto is off there, which is not a failure. */
  off: string[];
  /** Modes whose chain did not answer: their reserves are unproven. */
  failures: string[];
  currencies: CurrencyRegistry;
}

/**
 * Connects the chains coffer is configured with (never starting a sandbox node: a fresh one would hold nothing) and
 * makes a reserves report for each mode that has one. "usage" when the master key is missing.
 */
async function proveReserves(
  config: Config,
  pool: Pool,
  only: LedgerName | undefined,
  context: { err(line: string): void },
  log: Logger,
): Promise<ReservesOutcome | "usage"> {
  const currencies = createCurrencyRegistry(config.cryptoAssets);
  // Loaded here: chain code (viem) and the services are most of coffer; a plain verify starts faster without them.
  const { loadCryptoConfig } = await import("../crypto/config.js");
  const crypto = loadCryptoConfig(process.env, config.environment, currencies);
  const wanted = (["test", "live"] as const).filter((mode) => only === undefined || only === mode);
  const testChainConfigured = crypto.chains.some((c) => c.mode === "test");
  const sandboxUrl = !testChainConfigured && crypto.sandboxChain.kind === "url" ? crypto.sandboxChain.rpcUrl : null;
  const outcome: ReservesOutcome = { reports: [], off: [], failures: [], currencies };
  const chainModes = new Set([...crypto.chains.map((c) => c.mode), ...(sandboxUrl ? ["test" as const] : [])]);
  for (const mode of wanted.filter((m) => !chainModes.has(m))) {
    const hint =
      mode === "live"
        ? "no live chain in COFFER_CHAINS"
        : crypto.sandboxChain.kind === "auto"
          ? "the sandbox chain is started by `coffer start`; give its URL in COFFER_SANDBOX_CHAIN to check it"
          : "no test chain in COFFER_CHAINS and COFFER_SANDBOX_CHAIN is off";
    outcome.off.push(`Reserves, ${mode} mode: crypto is off (${hint}); nothing to prove.`);
  }
  if (!wanted.some((m) => chainModes.has(m))) return outcome;

  const masterKey = config.masterKey ?? (await readMasterKeyFile(config.dataDir));
  if (!masterKey) {
    context.err(
      `coffer verify --reserves: no master key: set COFFER_MASTER_KEY (or run where ${path.join(config.dataDir, masterKeyFileName)} is)`,
    );
    return "usage";
  }
  const { createServices } = await import("../runtime/services.js");
  const { attachSandboxChain } = await import("../crypto/chain/sandbox-node.js");
  const services = createServices({ config, pool, log, masterKey });
  try {
    for (const chain of services.crypto.config.chains) services.crypto.connect(chain, chain.rpcUrl!);
    for (const mode of wanted.filter((m) => chainModes.has(m))) {
      const livemode = mode === "live";
      try {
        if (!livemode && sandboxUrl) {
          const sandbox = await attachSandboxChain(sandboxUrl).catch((error: unknown) => {
            throw new Error(`the sandbox chain at ${sandboxUrl} did not answer (${shortMessage(error)})`);
          });
          services.crypto.connectSandbox(sandbox);
        }
        outcome.reports.push(await services.crypto.reserves.run(livemode, { source: "cli" }));
      } catch (error) {
        // A chain that does not answer leaves the mode's reserves unproven: a failure, with the reason.
        outcome.failures.push(`Reserves, ${mode} mode: UNPROVEN: ${shortMessage(error)}`);
      }
    }
  } finally {
    await services.close();
  }
  return outcome;
}

/** viem's errors carry a one-line shortMessage beside a message of many lines. */
function shortMessage(error: unknown): string {
  const { shortMessage: short, message } = error as { shortMessage?: string; message?: string };
  return short ?? message ?? String(error);
}
