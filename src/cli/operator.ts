import { systemClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { migrate } from "../db/migrate.js";
import { createLogger } from "../logging.js";
import { createOperator } from "../operators/accounts.js";
import { type OperatorRole, operatorRoles } from "../operators/model.js";
import { openDatabase } from "../runtime/database.js";
import type { Command } from "./command.js";

/**
 * `coffer operator create --email x --role admin`: the first operator of a new install (and any later one, from
 * the machine). Prints a one-time password once; the first sign-in (POST /v1/ops/login) must replace it with
 * new_password, and no session exists before that.
 */
export const operatorCommand: Command = {
  summary: "Manage the platform's operators (create one with a one-time password)",
  usage: [
    "coffer operator create --email EMAIL --role admin|reviewer|support [--name NAME]",
    "",
    "Creates an operator and prints a one-time password, shown this once. Sign in at POST /v1/ops/login with it and",
    "new_password set to a password of your own. Applies pending migrations first. Works beside a running coffer.",
    "",
    "  --email EMAIL   the operator's email address (their sign-in name)",
    "  --role ROLE     admin (everything), reviewer (decides KYB), support (reads the KYB queue)",
    "  --name NAME     shown in the operator console",
  ].join("\n"),
  options: {
    email: { type: "string" },
    role: { type: "string" },
    name: { type: "string" },
  },
  allowPositionals: true,
  async run(args, context) {
    const [action, ...extra] = args.positionals;
    if (action !== "create" || extra.length > 0) {
      context.err(
        `coffer operator: expected "create", got "${args.positionals.join(" ")}"\n\nUsage: ${operatorCommand.usage}`,
      );
      return 2;
    }
    const email = args.values.email;
    const role = args.values.role;
    if (typeof email !== "string" || email.trim() === "") {
      context.err("coffer operator create: --email is required");
      return 2;
    }
    if (typeof role !== "string" || !(operatorRoles as readonly string[]).includes(role)) {
      context.err(`coffer operator create: --role must be one of ${operatorRoles.join(", ")}`);
      return 2;
    }
    const name = typeof args.values.name === "string" ? args.values.name : null;

    const config = loadConfig();
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-operator");
    try {
      await migrate(db.pool);
      const created = await createOperator(
        { pool: db.pool, clock: systemClock },
        { email, role: role as OperatorRole, name, createdBy: null, ip: null },
      );
      if (!created.ok) {
        const reason =
          created.code === "operator_email_taken"
            ? "an operator with this email exists already"
            : created.code === "email_invalid"
              ? "the email address is not valid"
              : "the name is too long";
        context.err(`coffer operator create: ${reason}`);
        return created.code === "operator_email_taken" ? 1 : 2;
      }
      const { operator, oneTimePassword } = created.value;
      context.out(`operator ${operator.id} created: ${operator.email} (${operator.role})`);
      context.out(`one-time password: ${oneTimePassword}`);
      context.out("It is shown this once. The first sign-in (POST /v1/ops/login) must set new_password.");
      return 0;
    } finally {
      await db.close();
    }
  },
};
