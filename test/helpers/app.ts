import type { FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import { type App, buildApp } from "../../src/app.js";
import { loadConfig, type RateLimits } from "../../src/config.js";
import type { Pool } from "../../src/db/pool.js";
import type { SchemaCompilation } from "../../src/http/schema-compilers.js";
import { rateLimitBurstRequestsMax, rateLimitRequestsPerSMax } from "../../src/limits.js";
import { createLogger } from "../../src/logging.js";
import type { Services } from "../../src/runtime/services.js";
import { registerResponseValidation } from "./response-validation.js";

const servicesByPool = new WeakMap<Pool, Services>();

/** The services of the newest test app on this pool (helpers that get only a pool read the dev mailbox with them). */
export function servicesOfPool(pool: Pool): Services {
  const services = servicesByPool.get(pool);
  if (!services) throw new Error("no test app with services was created on this pool");
  return services;
}

const unthrottledPolicy = { requestsPerS: rateLimitRequestsPerSMax, burstRequests: rateLimitBurstRequestsMax };
const unthrottled: RateLimits = { live: unthrottledPolicy, test: unthrottledPolicy };

/**
 * The real app on a test database, with the test file's own routes (if any) registered beside the shipped ones.
 * Call app.close() when done; the pool stays the caller's.
 */
export async function createTestApp(options: {
  pool: Pool;
  routes?: FastifyPluginAsync;
  logger?: Logger;
  /** With services, the domain routes are registered too (see createTestServices). */
  services?: Services;
  /** The built web app to serve (default: web/dist when built; null: none). */
  webDistDir?: string | null;
  /**
   * The per-key rate limits (default: as high as the configuration allows, so tests that fire many requests
   * through one key measure coffer, not the limiter) and the limiter's clock in milliseconds.
   */
  rateLimits?: RateLimits;
  rateLimitNowMs?: () => number;
  schemaCompilation?: SchemaCompilation;
}): Promise<App> {
  // As `coffer start` does: the first data key exists before a request encrypts inside a transaction.
  await options.services?.secrets.warm();
  if (options.services) servicesByPool.set(options.pool, options.services);
  const app = await buildApp({
    config: { ...(options.services?.config ?? loadConfig({})), rateLimits: options.rateLimits ?? unthrottled },
    pool: options.pool,
    // TEST_LOG_LEVEL=error shows what a test's app logs (a 500's cause), silent by default.
    logger: options.logger ?? createLogger({ level: (process.env.TEST_LOG_LEVEL ?? "silent") as "silent" }),
    version: "0.0.0-test",
    services: options.services,
    webDistDir: options.webDistDir,
    rateLimitNowMs: options.rateLimitNowMs,
    // A test file calls a few of the hundreds of routes; compiling each on first use saves seconds per file.
    // test/http/schema-compilation.test.ts compiles them all, as `coffer start` does.
    schemaCompilation: options.schemaCompilation ?? "lazy",
  });
  if (options.routes) await app.register(options.routes);
  if (options.services) registerResponseValidation(app);
  await app.ready();
  return app;
}
