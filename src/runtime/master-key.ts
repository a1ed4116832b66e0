import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The master key wraps the data keys that encrypt secrets at rest. Operators set COFFER_MASTER_KEY; without it,
 * coffer generates one into `<dataDir>/master.key` (mode 0600) on first start and reuses it after, so a
 * development install works out of the box. Losing that file makes the encrypted data unreadable.
 */
export const masterKeyBytes = 32;
export const masterKeyFileName = "master.key";

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
