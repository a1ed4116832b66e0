import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import {
  createWalletTestServices,
  linkBank,
  settleBank,
  signUpWallet,
  type TestWalletUser,
} from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { createCurrencyRegistry } from "../../ledger/currencies.js";
import type { Services } from "../../runtime/services.js";
import { loadWalletConfig } from "../config.js";

/**
 * A new live wallet user with the configuration coffer loads by default, nothing set: in development it signs up,
 * verifies and tops up with no operator (the sandbox decides and says so); in production the same steps wait for
 * people and bank files.
 */
describe("wallets with the development and production defaults", () => {
  const clock = manualClock("2026-05-01T09:00:00Z");
  // Both coffers share one database, so one master key.
  const masterKey = randomBytes(32);
  let db: TestDatabase;
  const running: { app: App; services: Services }[] = [];

  async function coffer(environment: "development" | "production") {
    const walletConfig = loadWalletConfig(
      {},
      { publicUrl: undefined, port: 4000, environment },
      createCurrencyRegistry(),
    );
    const services = createWalletTestServices({ pool: db.pool, clock, walletConfig, masterKey });
    const app = await createTestApp({ pool: db.pool, services });
    running.push({ app, services });
    return { app, services };
  }

  const submitIdentity = (user: TestWalletUser) =>
    user.client.post("/v1/wallet/kyc", {
      level: 1,
      full_name: "Ada Lovelace",
      id_number: "ID-4242424242",
      date_of_birth: "1990-12-10",
    });

  before(async () => {
    db = await createTestDatabase({ poolSize: 6 });
  });
  after(async () => {
    for (const { app, services } of running) {
      await app.close();
      await services.close();
    }
    await db.drop();
  });

  it("development: identity approved by the sandbox and a top-up settled, no operator", async () => {
    const { app, services } = await coffer("development");
    const user = await signUpWallet(app, db.pool);
    const me = await user.client.get("/v1/wallet/me");
    assert.equal(me.json().livemode, true, "a real, live wallet user");

    const submitted = await submitIdentity(user);
    assert.equal(submitted.statusCode, 201, submitted.body);
    assert.equal(submitted.json().status, "approved");
    assert.equal(submitted.json().provider, "sandbox", "the record says the sandbox decided");
    const stored = await db.pool.query("SELECT provider, reviewed_by FROM wallet_kyc_submissions WHERE id = $1", [
      submitted.json().id,
    ]);
    assert.deepEqual(stored.rows[0], { provider: "sandbox", reviewed_by: null });

    const source = await linkBank(user, "987654321000");
    const topUp = await user.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "2500" });
    assert.equal(topUp.statusCode, 201, topUp.body);
    await settleBank(services, clock);
    const settled = await user.client.get(`/v1/wallet/top_ups/${topUp.json().id}`);
    assert.equal(settled.json().status, "succeeded", settled.body);
    const balances = (await user.client.get("/v1/wallet/balances")).json().data;
    assert.equal(balances.find((b: { currency: string }) => b.currency === "USD")?.available, "2500");

    const sandbox = await app.inject({ url: "/v1/wallet/sandbox" });
    assert.deepEqual(sandbox.json(), {
      object: "wallet_sandbox",
      environment: "development",
      identity: true,
      bank: true,
    });
  });

  it("production: the same identity waits for an operator, and the wallet app is told no sandbox is on", async () => {
    const { app } = await coffer("production");
    const user = await signUpWallet(app, db.pool);
    const submitted = await submitIdentity(user);
    assert.equal(submitted.statusCode, 201, submitted.body);
    assert.equal(submitted.json().status, "pending_review");
    assert.equal(submitted.json().provider, "review");
    const sandbox = await app.inject({ url: "/v1/wallet/sandbox" });
    assert.deepEqual(sandbox.json(), {
      object: "wallet_sandbox",
      environment: "production",
      identity: false,
      bank: false,
    });
  });
});
