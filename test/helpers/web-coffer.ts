import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { App } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logging.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { createTestApp } from "./app.js";
import { ensureWebBuilt } from "./browser.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { walletTestConfig } from "./wallets.js";

export interface WebCoffer {
  db: TestDatabase;
  services: Services;
  app: App;
  /** Where the browser finds it: http://127.0.0.1:{port}. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * coffer serving the built web app on a local port, set up as the embedded default: no SMTP_URL and no SMS gateway
 * (mail and texts are kept for the dev mailbox and outbox), webhooks allowed to local test targets.
 */
export async function startWebCoffer(clock: Clock): Promise<WebCoffer> {
  const webDistDir = await ensureWebBuilt();
  const db = await createTestDatabase({ poolSize: 20 });
  let services: Services | undefined;
  let app: App | undefined;
  const close = async () => {
    await app?.close();
    await services?.close();
    await db.drop();
  };
  try {
    services = createServices({
      config: loadConfig({ COFFER_WEBHOOK_LOCAL_TARGETS: "test" }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey: randomBytes(32),
      clock,
      walletConfig: walletTestConfig(),
    });
    app = await createTestApp({ pool: db.pool, services, webDistDir });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return { db, services, app, baseUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
