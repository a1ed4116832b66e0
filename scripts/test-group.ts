/**
 * Runs several test files in one node process, one after another: `node --import tsx scripts/test-group.ts a b`.
 * Each file is imported inside a suite named after it, so its tests, hooks and failures are reported under its
 * name. Why: loading coffer's modules costs seconds of CPU per process; files that share one process pay it once.
 * The runner (scripts/run-tests.ts) decides which files may share.
 */

import path from "node:path";
import { describe } from "node:test";
import { pathToFileURL } from "node:url";

// One file at a time, each imported just before it runs: a file may take the time at load (a "now" for its
// tests), which must not be minutes old when its tests start.
for (const file of process.argv.slice(2)) {
  await describe(file, async () => {
    await import(pathToFileURL(path.resolve(file)).href);
  });
}
