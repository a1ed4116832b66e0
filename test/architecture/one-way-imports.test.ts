import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

/**
 * src/runtime composes the domains, so imports point one way: into the runtime only from the entry points
 * (src/main.ts, src/app.ts) and the CLI, which opens the database itself. A domain that reached back into the
 * runtime would depend on every other domain through the whole services container.
 */
const srcDir = path.resolve(import.meta.dirname, "../../src");
const runtimeDir = path.join(srcDir, "runtime");
const mayImportRuntime = [runtimeDir, path.join(srcDir, "cli")];
const entryPoints = new Set([path.join(srcDir, "main.ts"), path.join(srcDir, "app.ts")]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

/** import, import type, export … from and import("…"), by TypeScript's own scanner: a comment is no import. */
function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** The file a relative specifier names; the code imports "./x.js" for ./x.ts. Packages resolve to nothing here. */
function resolveRelative(importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return path.resolve(path.dirname(importer), specifier).replace(/\.js$/, ".ts");
}

const isUnder = (file: string, dir: string) => file.startsWith(`${dir}${path.sep}`);

/** Every relative import of every source file, both ends as absolute paths. */
function scan(): { files: number; imports: { importer: string; imported: string }[] } {
  const files = sourceFiles(srcDir);
  const imports = files.flatMap((importer) =>
    specifiersOf(readFileSync(importer, "utf8")).flatMap((specifier) => {
      const imported = resolveRelative(importer, specifier);
      return imported ? [{ importer, imported }] : [];
    }),
  );
  return { files: files.length, imports };
}

const shown = (file: string) => path.relative(path.dirname(srcDir), file);

describe("one-way imports into src/runtime", () => {
  const { files, imports } = scan();

  it("reads every import form a module may use", () => {
    const specifiers = specifiersOf(
      [
        'import type { A } from "./a.js";',
        'export { b } from "./b.js";',
        'const c = await import("./c.js");',
        '// import { d } from "./d.js";',
      ].join("\n"),
    );
    assert.deepEqual(specifiers.sort(), ["./a.js", "./b.js", "./c.js"]);
  });

  it("scans the whole source tree and sees the entry points' runtime imports", () => {
    assert.ok(files > 100, `only ${files} source files found under ${srcDir}`);
    // The composition root must be seen importing the runtime, or the resolution below is broken.
    assert.ok(
      imports.some(({ importer, imported }) => entryPoints.has(importer) && isUnder(imported, runtimeDir)),
      "src/app.ts or src/main.ts is not seen importing src/runtime",
    );
  });

  it("lets no module outside the runtime, the CLI and the entry points import src/runtime", () => {
    const violations = imports
      .filter(({ importer }) => !entryPoints.has(importer) && !mayImportRuntime.some((dir) => isUnder(importer, dir)))
      .filter(({ imported }) => isUnder(imported, runtimeDir))
      .map(({ importer, imported }) => `${shown(importer)} → ${shown(imported)}`);
    assert.deepEqual(violations, [], `modules importing src/runtime:\n${violations.join("\n")}`);
  });
});
