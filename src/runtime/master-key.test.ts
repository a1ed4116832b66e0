import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadOrCreateMasterKey, masterKeyFileName } from "./master-key.js";

describe("master key file", () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-key-"));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("is generated once with mode 0600 and reused after", async () => {
    const dataDir = path.join(dir, "data");
    const first = await loadOrCreateMasterKey(dataDir);
    assert.equal(first.created, true);
    assert.equal(first.key.length, 32);
    assert.equal((await fs.stat(first.file)).mode & 0o777, 0o600);
    const second = await loadOrCreateMasterKey(dataDir);
    assert.equal(second.created, false);
    assert.deepEqual(second.key, first.key);
    assert.equal(second.readableByOthers, false);
  });

  it("is created by exactly one of several processes starting at once", async () => {
    const dataDir = path.join(dir, "race");
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateMasterKey(dataDir)));
    assert.equal(results.filter((r) => r.created).length, 1);
    for (const r of results) assert.deepEqual(r.key, results[0]?.key);
  });

  it("refuses a damaged file and warns about loose permissions", async () => {
    const damaged = path.join(dir, "damaged");
    await fs.mkdir(damaged);
    await fs.writeFile(path.join(damaged, masterKeyFileName), "not a key\n", { mode: 0o600 });
    await assert.rejects(loadOrCreateMasterKey(damaged), /does not hold a 32-byte key/);

    const loose = path.join(dir, "loose");
    await fs.mkdir(loose);
    await fs.writeFile(path.join(loose, masterKeyFileName), `${"ab".repeat(32)}\n`);
    await fs.chmod(path.join(loose, masterKeyFileName), 0o644);
    assert.equal((await loadOrCreateMasterKey(loose)).readableByOthers, true);
  });
});
