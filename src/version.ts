import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** coffer's version from package.json, found from here both in src/ (tsx) and in dist/src/ (the build). */
function readVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "coffer" && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one folder up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "0.0.0-unknown";
    dir = parent;
  }
}

export const cofferVersion = readVersion();
