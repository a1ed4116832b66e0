import { randomBytes } from "node:crypto";
import { systemClock } from "../clock.js";
import { ConfigError, loadConfig, parseMasterKey } from "../config.js";
import { loadMigrations, migrationsApplied } from "../db/migrate.js";
import { createLogger } from "../logging.js";
import { createOfflineKeys } from "../offline/keys.js";
import { openDatabase } from "../runtime/database.js";
import { masterKeyBytes, readMasterKeyFile, replaceMasterKeyFile } from "../runtime/master-key.js";
import { createSecretBox, rewrapDataKeys } from "../security/encryption.js";
import type { Command } from "./command.js";

/**
 * `coffer keys`: rotates the keys that protect secrets at rest (src/security/encryption.ts). A new data key encrypts
 * what is written from then on; a new master key re-wraps every data key, so no ciphertext has to be rewritten.
 */
const actions = ["rotate-data-key", "rotate-master-key", "rotate-offline-key"] as const;
type Action = (typeof actions)[number];

export const keysCommand: Command = {
  summary: "Rotate the data key or the master key that protect secrets at rest",
  usage: [
    "coffer keys rotate-data-key",
    "coffer keys rotate-master-key",
    "coffer keys rotate-offline-key",
    "",
    "rotate-data-key    starts a new data key for new encryptions; older ciphertexts keep naming and using theirs.",
    "                   Running coffer processes switch to it when restarted.",
    "rotate-master-key  re-wraps every data key under a new master key in one transaction. Stop every coffer process",
    "                   first. With COFFER_MASTER_KEY set, give the new key in COFFER_NEW_MASTER_KEY (64 hex digits,",
    "                   e.g. from `openssl rand -hex 32`), then start coffer with it as COFFER_MASTER_KEY. Without",
    "                   COFFER_MASTER_KEY, the key file in the data folder is replaced (by COFFER_NEW_MASTER_KEY, or a",
    "                   new random key). Payment-reminder unsubscribe links signed with the old key stop working.",
    "rotate-offline-key retires the ES256 key that signs offline certificates and makes a new one; the old key stays",
    "                   published in GET /v1/offline_keys until every certificate it signed has expired (24 h).",
    "",
    "Every rotation is recorded in the audit log.",
  ].join("\n"),
  options: {},
  allowPositionals: true,
  async run(args, context) {
    const action = args.positionals[0] as Action | undefined;
    if (args.positionals.length !== 1 || action === undefined || !actions.includes(action)) {
      context.err(`coffer keys: give one of ${actions.join(", ")}\n\nUsage: ${keysCommand.usage}`);
      return 2;
    }
    const config = loadConfig();
    const current = config.masterKey ?? (await readMasterKeyFile(config.dataDir));
    if (!current) {
      throw new ConfigError([
        `no master key: set COFFER_MASTER_KEY, or run this where ${config.dataDir} holds coffer's master.key`,
      ]);
    }
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-keys", { existing: true });
    try {
      const migrations = await loadMigrations();
      if (!(await migrationsApplied(db.pool, migrations.at(-1)?.version ?? 0).catch(() => false))) {
        context.err("coffer keys: the database is not migrated to this coffer's schema; run `coffer migrate` first");
        return 1;
      }
      if (action === "rotate-data-key") {
        const box = createSecretBox({ db: db.pool, masterKey: current });
        await box.warm(); // proves this master key opens the active key before retiring it
        const id = await box.rotateDataKey();
        context.out(`New data key ${id} is active; restart coffer processes so they encrypt with it.`);
        return 0;
      }
      if (action === "rotate-offline-key") {
        const box = createSecretBox({ db: db.pool, masterKey: current });
        await box.warm();
        const rotated = await createOfflineKeys({ pool: db.pool, clock: systemClock, secrets: box }).rotate();
        context.out(
          rotated.retired
            ? `Offline key ${rotated.kid} signs new certificates; ${rotated.retired} stays published until ${rotated.publishUntil?.toISOString()}.`
            : `Offline key ${rotated.kid} signs new certificates.`,
        );
        return 0;
      }
      return await rotateMasterKey(context, {
        db: db.pool,
        current,
        fromFile: config.masterKey === undefined,
        dataDir: config.dataDir,
      });
    } finally {
      await db.close();
    }
  },
};

async function rotateMasterKey(
  context: Parameters<Command["run"]>[1],
  target: { db: Parameters<typeof rewrapDataKeys>[0]; current: Buffer; fromFile: boolean; dataDir: string },
): Promise<number> {
  const problems: string[] = [];
  const given = parseMasterKey(process.env.COFFER_NEW_MASTER_KEY, problems, "COFFER_NEW_MASTER_KEY");
  if (problems.length > 0) throw new ConfigError(problems);
  if (!given && !target.fromFile) {
    throw new ConfigError([
      "give the new master key in COFFER_NEW_MASTER_KEY (64 hex digits, e.g. from `openssl rand -hex 32`)",
    ]);
  }
  const next = given ?? randomBytes(masterKeyBytes);
  let rewrapped: string[] = [];
  const commit = async () => {
    rewrapped = await rewrapDataKeys(target.db, target.current, next);
  };
  if (target.fromFile) await replaceMasterKeyFile(target.dataDir, next, commit);
  else await commit();
  context.out(`Re-wrapped ${rewrapped.length} data key(s) under the new master key.`);
  context.out(
    target.fromFile
      ? "The master key file now holds the new key; start coffer as before."
      : "Start every coffer process with COFFER_MASTER_KEY set to the new key; the old key no longer opens anything.",
  );
  return 0;
}
