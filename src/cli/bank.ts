import fs from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../config.js";
import { walletBankFileBytesMax } from "../limits.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../runtime/database.js";
import { masterKeyFileName } from "../runtime/master-key.js";
import type { Services } from "../runtime/services.js";
import type { Command } from "./command.js";

const usage = [
  "coffer bank export [--out FILE]",
  "coffer bank import FILE",
  "coffer bank reconcile [--connector file|sandbox] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]",
  "",
  "The file-based bank connector (COFFER_BANK_CONNECTOR=file): coffer never calls the bank, an operator carries",
  "files between them (formats in docs/wallets.md).",
  "",
  "  export     write the instructions waiting for the bank (account verifications, top-up debits, withdrawal",
  "             credits) as CSV, and mark them exported so the next export has only new ones. The file holds full",
  "             account numbers: --out creates it readable by you only (and never overwrites a file).",
  "  import     read the bank's settlement file and confirm or fail each instruction it lists: the wallet is",
  "             credited, the withdrawal paid out or returned, the account verified. Importing a file again",
  "             changes nothing. Exits 1 when a line could not be applied (each one is listed).",
  "  reconcile  compare the bank's report (imported settlement lines; the sandbox bank's own answers) of one",
  "             UTC period, by default yesterday, with coffer's instructions and the ledger. Exits 1 on a mismatch.",
].join("\n");

async function masterKeyOf(config: ReturnType<typeof loadConfig>): Promise<Buffer> {
  if (config.masterKey) return config.masterKey;
  const file = path.join(config.dataDir, masterKeyFileName);
  const text = await fs.readFile(file, "utf8").catch(() => undefined);
  if (!text || !/^[0-9a-f]{64}$/i.test(text.trim())) {
    throw new Error(`no master key: set COFFER_MASTER_KEY (or run where ${file} is); account numbers cannot be read`);
  }
  return Buffer.from(text.trim(), "hex");
}

function parseDay(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "string" ||
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  ) {
    throw new UsageError(`--${name} must be a date, YYYY-MM-DD`);
  }
  return new Date(`${value}T00:00:00Z`);
}

class UsageError extends Error {}

export const bankCommand: Command = {
  summary: "Exchange files with a bank (file connector): export instructions, import settlements, reconcile",
  usage,
  options: {
    out: { type: "string" },
    connector: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    json: { type: "boolean" },
  },
  allowPositionals: true,
  async run(args, context) {
    const [action, file, ...extra] = args.positionals;
    const actions = ["export", "import", "reconcile"];
    if (!action || !actions.includes(action) || extra.length > 0 || (action === "import") !== (file !== undefined)) {
      context.err(`coffer bank: expected export, import FILE or reconcile\n\nUsage: ${usage}`);
      return 2;
    }
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    let masterKey: Buffer;
    try {
      masterKey = await masterKeyOf(config);
    } catch (error) {
      context.err(`coffer bank: ${(error as Error).message}`);
      return 2;
    }
    const db = await openDatabase(config, log, "coffer-bank", { existing: true });
    let services: Services | undefined;
    try {
      // Loaded here: the services are most of coffer, and every other command starts faster without them.
      const { createServices } = await import("../runtime/services.js");
      services = createServices({ config, pool: db.pool, log, masterKey });
      // A settlement file may queue failure notices inside its transaction, encrypted with a data key loaded now.
      await services.secrets.warm();
      const wallets = services.wallets;
      // Every file goes through the operators' desk, so it is listed in the console and audited.
      const desk = services.operators.bankFiles;
      if (action === "export") {
        const { batch, csv } = await desk.exportPending({ source: "cli" });
        if (typeof args.values.out === "string") {
          await fs.writeFile(args.values.out, csv, { flag: "wx", mode: 0o600 });
          context.err(`exported ${batch.instructionCount} instruction(s) to ${args.values.out} (batch ${batch.name})`);
        } else {
          process.stdout.write(csv);
          context.err(`exported ${batch.instructionCount} instruction(s) (batch ${batch.name})`);
        }
        return 0;
      }
      if (action === "import") {
        const stat = await fs.stat(file!);
        if (stat.size > walletBankFileBytesMax) {
          context.err(`coffer bank import: ${file} is larger than ${walletBankFileBytesMax} bytes`);
          return 2;
        }
        const imported = await desk.importSettlement(
          { source: "cli" },
          { name: path.basename(file!), content: await fs.readFile(file!, "utf8") },
        );
        if (!imported.ok) {
          context.err(`coffer bank import: ${imported.message ?? imported.code}`);
          return 1;
        }
        const report = imported.value.report;
        for (const line of report.lines) {
          if (line.result === "error")
            context.err(`  line ${line.line} (${line.instructionId || "?"}): ${line.problem}`);
        }
        context.out(`applied ${report.applied}, already applied ${report.unchanged}, errors ${report.errors}`);
        return report.errors > 0 ? 1 : 0;
      }
      const connector = args.values.connector ?? "file";
      if (connector !== "file" && connector !== "sandbox") throw new UsageError("--connector must be file or sandbox");
      const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
      const from = parseDay(args.values.from, "from") ?? new Date(today.getTime() - 86_400_000);
      const to = parseDay(args.values.to, "to") ?? today;
      const report = await wallets.reconcile(connector, { from, to });
      if (args.values.json === true) {
        context.out(JSON.stringify(report, null, 2));
      } else {
        context.out(
          `${connector} bank, ${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)}: ` +
            `${report.matched} matched, ${report.issues.length} issue(s)`,
        );
        for (const issue of report.issues) context.out(`  ✗ ${issue.instructionId} ${issue.problem}: ${issue.detail}`);
      }
      return report.issues.length > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof UsageError) {
        context.err(`coffer bank: ${error.message}`);
        return 2;
      }
      throw error;
    } finally {
      await services?.close();
      await db.close();
    }
  },
};
