import type { AddressInfo } from "node:net";
import { Coffer, type CofferOptions } from "../../sdk/src/index.js";
import type { App } from "../../src/app.js";
import type { Authenticator } from "../../src/http/auth.js";
import type { Services } from "../../src/runtime/services.js";
import { createTestApp } from "../helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { insertTestMerchant } from "../helpers/merchant-rows.js";
import { createTestServices } from "../helpers/services.js";

/**
 * The real coffer app, listening on a random local port with every domain route, for the SDK to talk to over
 * HTTP. Nothing of coffer is mocked; only the API key is a stand-in (see secretKeyFor).
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

/** "Bearer key_<merchant>_test" acts as that merchant's unrestricted test-mode secret key. */
const standInKeys: Authenticator = {
  name: "sdk-test-keys",
  async authenticate(request) {
    const match = /^Bearer key_(mer_[0-9A-Za-z]{22})_test$/.exec(request.headers.authorization ?? "");
    if (!match?.[1]) return null;
    return { kind: "secret_key", merchantId: match[1], livemode: false, keyId: "key_sdk_test", scopes: null };
  },
};

/** The one place that decides the key: return a real sk_test_… from the merchant platform here to test with it. */
async function secretKeyFor(_cofferUnderTest: { services: Services }, merchantId: string): Promise<string> {
  return `key_${merchantId}_test`;
}

export async function startCoffer(): Promise<CofferUnderTest> {
  const db = await createTestDatabase();
  const services = createTestServices({ pool: db.pool, config: { webhookLocalTargets: "test" } });
  services.authenticators.unshift(standInKeys);
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
