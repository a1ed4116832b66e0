import type { AuditContext, Finding } from "./model.js";

/**
 * How coffer's own database is reached: the embedded PostgreSQL (trust authentication, meant for one machine)
 * must listen on loopback only; any other database should be reached encrypted, with a role that is not a superuser.
 */
export async function checkDatabase(context: AuditContext): Promise<Finding[]> {
  const facts = await context.pool.query<{
    listen_addresses: string;
    ssl: boolean | null;
    server_addr: string | null;
    superuser: boolean;
  }>(
    `SELECT current_setting('listen_addresses') AS listen_addresses,
            (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl,
            host(inet_server_addr()) AS server_addr,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
  );
  const row = facts.rows[0]!;
  const embedded = context.config.databaseUrl === undefined;
  return embedded ? embeddedFindings(context, row.listen_addresses) : externalFindings(row);
}

function isLoopback(address: string): boolean {
  return address === "localhost" || address === "::1" || /^127\./.test(address);
}

/**
 * pg_hba.conf rules that let a caller from beyond this machine in without a password. The embedded database is
 * initialised trusting loopback only; a rule for any other address is an edit. (Readable as superuser, which the
 * embedded database's role is.)
 */
async function remoteTrustRules(context: AuditContext): Promise<string[]> {
  const rules = await context.pool.query<{ line_number: number; address: string | null }>(
    `SELECT line_number, address FROM pg_hba_file_rules
      WHERE type LIKE 'host%' AND auth_method = 'trust' AND error IS NULL`,
  );
  return rules.rows
    .filter((rule) => rule.address === null || !isLoopback(rule.address))
    .map((rule) => `line ${rule.line_number} (${rule.address ?? "any address"})`);
}

async function embeddedFindings(context: AuditContext, listenAddresses: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const exposed = listenAddresses
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "" && !isLoopback(a));
  if (exposed.length > 0) {
    const trusted = await remoteTrustRules(context);
    findings.push({
      id: "embedded_database_exposed",
      severity: trusted.length > 0 ? "high" : "medium",
      title: "The embedded PostgreSQL listens beyond this machine",
      detail:
        trusted.length > 0
          ? `listen_addresses is "${listenAddresses}" and pg_hba.conf trusts callers from beyond this machine ` +
            `without a password (${trusted.join(", ")}): whoever reaches it is its superuser, can read every row ` +
            "and move money."
          : `listen_addresses is "${listenAddresses}": the server answers the network. Its pg_hba.conf trusts ` +
            "loopback only, so it refuses other callers today, but it is one edit away from letting them in as " +
            "superuser without a password.",
      remedy:
        "Restart it with listen_addresses=127.0.0.1 (coffer's default: do not override it), or move to your own " +
        "PostgreSQL with DATABASE_URL.",
    });
  }
  if (context.liveMerchants > 0) {
    findings.push({
      id: "embedded_database_in_production",
      severity: "medium",
      title: "Live mode runs on the embedded PostgreSQL",
      detail:
        `${context.liveMerchants} merchant(s) are approved for live mode, and the database is the embedded one: ` +
        "every account of this machine can connect to it as superuser without a password, and it has no " +
        "replica or backups unless you made them.",
      remedy: "Move to a PostgreSQL you run with passwords, backups and TLS, and point DATABASE_URL at it.",
    });
  }
  return findings;
}

function externalFindings(row: { ssl: boolean | null; server_addr: string | null; superuser: boolean }): Finding[] {
  const findings: Finding[] = [];
  // A null server address is a unix socket: nothing crosses a network.
  const overNetwork = row.server_addr !== null && !isLoopback(row.server_addr);
  if (overNetwork && row.ssl !== true) {
    findings.push({
      id: "database_connection_unencrypted",
      severity: "medium",
      title: "The connection to PostgreSQL is not encrypted",
      detail: `coffer reaches its database at ${row.server_addr} without TLS: passwords, keys' hashes and every payment cross the network in clear.`,
      remedy: "Enable TLS on the server and add sslmode=verify-full (or at least require) to DATABASE_URL.",
    });
  }
  if (row.superuser) {
    findings.push({
      id: "database_role_superuser",
      severity: "low",
      title: "coffer connects to PostgreSQL as a superuser",
      detail:
        "Whoever holds DATABASE_URL can do anything on that server: read other databases, change roles, and run " +
        "programs on the database host (COPY … TO PROGRAM). coffer needs only to own its own database.",
      remedy: "Create a role that owns coffer's database (not a superuser) and use it in DATABASE_URL.",
    });
  }
  return findings;
}
