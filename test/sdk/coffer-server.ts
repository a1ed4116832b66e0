import type { AddressInfo } from "node:net";
import { Coffer, type CofferOptions } from "../../sdk/src/index.js";
import type { App } from "../../src/app.js";
import type { Services } from "../../src/runtime/services.js";
import { createTestApp } from "../helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { insertTestMerchant, issueTestApiKey } from "../helpers/merchant-rows.js";
import { createTestServices } from "../helpers/services.js";

/**
 * The real coffer app, listening on a random local port with every domain route, for the SDK to talk to over
 * HTTP, with a real API key. Nothing of coffer is mocked.
 */
export interface CofferUnderTest {
  baseUrl: string;
  db: TestDatabase;
  services: Services;
  app: App;
  merchantId: string;
  /** A client for merchantId's test mode; extra options (a fetch wrapper, retries) on top. */
  client(options?: CofferOptions): Coffer;
  close(): Promise<void>;
}

/** A real unrestricted test-mode secret key (sk_test_…) from the merchant platform. */
function secretKeyFor(cofferUnderTest: { services: Services }, merchantId: string): Promise<string> {
  return issueTestApiKey(cofferUnderTest.services, merchantId);
}

export async function startCoffer(): Promise<CofferUnderTest> {
  const db = await createTestDatabase();
  const services = createTestServices({ pool: db.pool, config: { webhookLocalTargets: "test" } });
  const app = await createTestApp({ pool: db.pool, services });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const merchantId = await insertTestMerchant(db.pool, "SDK Shop");
  const apiKey = await secretKeyFor({ services }, merchantId);
  return {
    baseUrl,
    db,
    services,
    app,
    merchantId,
    client: (options = {}) => new Coffer(apiKey, { baseUrl, ...options }),
    async close() {
      await app.close();
      await services.close();
      await db.drop();
    },
  };
}
