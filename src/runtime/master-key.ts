import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { masterKeyFileName } from "../security/master-key-file.js";

// Re-exported for the CLI and tests that name the file.
export { masterKeyFileName };

/**
 * The master key wraps the data keys that encrypt secrets at rest. Operators set COFFER_MASTER_KEY; without it,
 * coffer generates one into `<dataDir>/master.key` (mode 0600) on first start and reuses it after, so a
 * development install works out of the box. Losing that file makes the encrypted data unreadable.
 */
export const masterKeyBytes = 32;

export interface MasterKeyFile {
  key: Buffer;
  file: string;
  /** True when this call generated the key. */
  created: boolean;
  /** True when group or others may read the file. */
  readableByOthers: boolean;
}

export async function loadOrCreateMasterKey(dataDir: string): Promise<MasterKeyFile> {
  const file = path.join(dataDir, masterKeyFileName);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(masterKeyBytes);
  try {
    // "wx": two processes starting at once cannot both create it; the loser reads the winner's key.
    await fs.writeFile(file, `${key.toString("hex")}\n`, { flag: "wx", mode: 0o600 });
    return { key, file, created: true, readableByOthers: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const text = (await fs.readFile(file, "utf8")).trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new Error(`${file} does not hold a ${masterKeyBytes}-byte key as 64 hex digits; restore it from a backup`);
  }
  const mode = (await fs.stat(file)).mode;
  return { key: Buffer.from(text, "hex"), file, created: false, readableByOthers: (mode & 0o077) !== 0 };
}

/** The master key file's current key, without creating one: for commands that work on an existing install. */
export async function readMasterKeyFile(dataDir: string): Promise<Buffer | undefined> {
  const file = path.join(dataDir, masterKeyFileName);
  const text = await fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  if (!/^[0-9a-f]{64}$/i.test(text.trim())) throw new Error(`${file} does not hold a ${masterKeyBytes}-byte key`);
  return Buffer.from(text.trim(), "hex");
}

/**
 * Replaces the master key file in two steps around `commit` (the re-wrap of the data keys): the new key is written
 * beside the old file first, so a crash never leaves data keys wrapped by a key that is nowhere on disk; the rename
 * over the old file happens only after the commit, and the spare file is removed if the commit fails.
 */
export async function replaceMasterKeyFile(
  dataDir: string,
  newKey: Buffer,
  commit: () => Promise<void>,
): Promise<void> {
  const file = path.join(dataDir, masterKeyFileName);
  const next = `${file}.new`;
  await fs.writeFile(next, `${newKey.toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  try {
    await commit();
  } catch (error) {
    await fs.rm(next, { force: true });
    throw error;
  }
  await fs.rename(next, file);
}
