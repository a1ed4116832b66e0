import { randomBytes } from "node:crypto";
import type { Clock } from "../../src/clock.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Pool } from "../../src/db/pool.js";
import { createLogger } from "../../src/logging.js";
import type { EmailTransport, SmsTransport } from "../../src/notifications/transports.js";
import { createServices, type Services } from "../../src/runtime/services.js";

/** Every domain service on a test database, built exactly as `coffer start` builds them. */
export function createTestServices(options: {
  pool: Pool;
  clock?: Clock;
  config?: Partial<Config>;
  email?: EmailTransport;
  sms?: SmsTransport;
  masterKey?: Buffer;
  /** Resolves webhook host names instead of the system resolver. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}): Services {
  return createServices({
    config: loadConfig({}, options.config ?? {}),
    pool: options.pool,
    log: createLogger({ level: "silent" }),
    masterKey: options.masterKey ?? randomBytes(32),
    clock: options.clock,
    email: options.email,
    sms: options.sms,
    resolve: options.resolve,
  });
}
