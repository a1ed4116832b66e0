/**
 * `npm run sdk:generate`: writes docs/openapi.json (the API document, keys in a stable order) and
 * sdk/src/generated.ts (the SDK's types and resource methods) from the route schemas. test/sdk-generated.test.ts
 * fails when either is stale. docs/sdk.md explains what is generated and how operations are named.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { canonicalDocument, type OpenApiDocument } from "../sdk/codegen/openapi.js";
import { type OperationFilter, sdkOperations } from "../sdk/codegen/operations.js";
import { renderGeneratedTs } from "../sdk/codegen/render.js";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createPool } from "../src/db/pool.js";
import { authErrors } from "../src/http/auth.js";
import { type DomainErrors, type ErrorDefinition, errorCatalog, errorTypes } from "../src/http/errors.js";
import { apiDocument } from "../src/http/openapi.js";
import { apiVersionLatest } from "../src/http/versioning.js";
import { createLogger } from "../src/logging.js";
import { createServices } from "../src/runtime/services.js";
import { cofferVersion } from "../src/version.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The merchant API: every operation under /v1 except those for other kinds of caller. Console routes take a
 * console session, ops routes an operator, wallet routes a wallet user — none takes a merchant's API key.
 */
export const merchantApi: OperationFilter = {
  prefix: "/v1",
  excluded: ["/v1/console", "/v1/ops", "/v1/wallet"],
};

/** Error catalogs of domains merchant API keys never reach; their codes stay out of the SDK's ErrorCode. */
const domainsWithoutMerchantErrors = new Set(["wallets", "operators"]);

/**
 * The OpenAPI document of a fully wired app. Building it runs no query: the pool below is never connected
 * (pg connects on the first query), so generation needs no database.
 */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const config = loadConfig({});
  const pool = createPool({ connectionString: "postgres://openapi@127.0.0.1:1/never_connected", max: 1 });
  const logger = createLogger({ level: "silent" });
  const services = createServices({ config, pool, log: logger, masterKey: Buffer.alloc(32) });
  const app = await buildApp({ config, pool, logger, version: cofferVersion, services });
  try {
    await app.ready();
    return canonicalDocument(apiDocument(app, config.publicUrl));
  } finally {
    await app.close();
    await services.close();
    await pool.end();
  }
}

/**
 * Every error code a merchant can meet: the platform catalog, authorization, and each domain's catalog — any
 * defineErrors() result exported from src/<domain>/errors.ts, found by looking, so a new domain needs no entry here.
 */
export async function sdkErrorCodes(): Promise<string[]> {
  const catalogs: Readonly<Record<string, ErrorDefinition>>[] = [errorCatalog, authErrors.definitions];
  const domains = (await fs.readdir(path.join(root, "src"), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !domainsWithoutMerchantErrors.has(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const domain of domains) {
    const file = path.join(root, "src", domain, "errors.ts");
    if (!(await fs.stat(file).catch(() => undefined))) continue;
    const exported: Record<string, unknown> = await import(pathToFileURL(file).href);
    for (const value of Object.values(exported)) if (isDomainErrors(value)) catalogs.push(value.definitions);
  }
  return [...new Set(catalogs.flatMap((catalog) => Object.keys(catalog)))];
}

function isDomainErrors(value: unknown): value is DomainErrors<string> {
  const candidate = value as Partial<DomainErrors<string>> | null;
  return typeof candidate?.toApiError === "function" && typeof candidate.definitions === "object";
}

/** The generated files, path → content, exactly as `npm run sdk:generate` writes them. */
export async function renderSdkFiles(): Promise<Record<string, string>> {
  const document = await openApiDocument();
  const source = renderGeneratedTs({
    document,
    operations: sdkOperations(document, merchantApi),
    apiVersion: apiVersionLatest,
    errorTypes,
    errorCodes: await sdkErrorCodes(),
  });
  return {
    "docs/openapi.json": `${JSON.stringify(document, null, 2)}\n`,
    "sdk/src/generated.ts": formatTypeScript(source, "sdk/src/generated.ts"),
  };
}

/** Formats with the project's biome settings, so `npm run lint` accepts the generated file as it is. */
function formatTypeScript(source: string, file: string): string {
  const biome = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "biome.cmd" : "biome");
  return execFileSync(biome, ["format", `--stdin-file-path=${file}`], {
    cwd: root,
    input: source,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function main(): Promise<void> {
  for (const [file, content] of Object.entries(await renderSdkFiles())) {
    await fs.writeFile(path.join(root, file), content);
    console.log(`wrote ${file}`);
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) await main();
