import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { Coffer } from "../../sdk/src/index.js";
import type { App } from "../../src/app.js";
import { type Clock, manualClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { balanceOf } from "../../src/ledger/model.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { createLogger } from "../../src/logging.js";
import type { PaymentConfig } from "../../src/payments/config.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { createTestApp } from "./app.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { newMerchant, type SessionClient } from "./merchant-console.js";
import { type SmtpSink, startSmtpSink } from "./smtp-sink.js";
import {
  latestCode,
  linkBank,
  type TestWalletUser,
  testEmail,
  topUpAndSettle,
  verifyIdentity,
  WalletClient,
  walletTestConfig,
} from "./wallets.js";

/**
 * The whole of coffer for payments tests: a test database, every service on a manual clock, real SMTP (a local
 * sink, for merchant sign-up mail), the sandbox bank, and the app listening on a local port for the SDK. Merchants
 * are real (signed up over HTTP, with their own sk_test_ key) and so are payers (test-mode wallet users, identity
 * verified, funded through the sandbox bank).
 */
export interface PaymentsCoffer {
  db: TestDatabase;
  services: Services;
  app: App;
  baseUrl: string;
  clock: Clock & { advance(ms: number): void; set(at: Date): void };
  sink: SmtpSink;
  /** Another coffer process on the same database and clock (its own ledger writer, its own port). */
  sibling(): Promise<{ services: Services; baseUrl: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startPaymentsCoffer(
  options: {
    paymentConfig?: PaymentConfig;
    poolSize?: number;
    start?: string;
    /** The app's logger (default: silent, or TEST_LOG_LEVEL), for tests that read what coffer logs. */
    logger?: Logger;
  } = {},
): Promise<PaymentsCoffer> {
  const db = await createTestDatabase({ poolSize: options.poolSize ?? 30 });
  const sink = await startSmtpSink();
  const clock = manualClock(options.start ?? "2026-04-01T08:00:00Z");
  const masterKey = randomBytes(32);
  const build = () =>
    createServices({
      config: loadConfig({}, { smtpUrl: sink.url }),
      pool: db.pool,
      log: createLogger({ level: "silent" }),
      masterKey,
      clock,
      walletConfig: walletTestConfig(),
      paymentConfig: options.paymentConfig,
    });
  const listen = async (services: Services) => {
    const app = await createTestApp({ pool: db.pool, services, logger: options.logger });
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
  };
  const services = build();
  const { app, baseUrl } = await listen(services);
  return {
    db,
    services,
    app,
    baseUrl,
    clock,
    sink,
    async sibling() {
      const siblingServices = build();
      const sibling = await listen(siblingServices);
      return {
        services: siblingServices,
        baseUrl: sibling.baseUrl,
        async close() {
          await sibling.app.close();
          await siblingServices.close();
        },
      };
    },
    async close() {
      await app.close();
      await services.close();
      await sink.close();
      await db.drop();
    },
  };
}

export interface TestPaymentsMerchant {
  merchantId: string;
  /** The sk_test_… key made at sign-up, revealed once through the console. */
  secretKey: string;
  /** The SDK as the merchant uses it, with that key. */
  sdk: Coffer;
  console: SessionClient;
}

/** A merchant signed up over HTTP, with its test secret key revealed and an SDK client on it. */
export async function newPaymentsMerchant(
  coffer: PaymentsCoffer,
  businessName = "Tea House",
): Promise<TestPaymentsMerchant> {
  const merchant = await newMerchant(coffer.app, coffer.sink, businessName);
  const keys = (await merchant.client.get("/v1/console/api_keys")).json();
  const secret = keys.data.find((k: { type: string }) => k.type === "secret");
  const revealed = await merchant.client.post(`/v1/console/api_keys/${secret.id}/reveal`);
  assert.equal(revealed.statusCode, 200, revealed.body);
  const secretKey = revealed.json().secret as string;
  assert.match(secretKey, /^sk_test_/);
  return {
    merchantId: merchant.merchantId,
    secretKey,
    sdk: new Coffer(secretKey, { baseUrl: coffer.baseUrl, maxRetries: 0 }),
    console: merchant.client,
  };
}

/** Sets the merchant's settlement bank account (the KYB application's bank_account). */
export async function setSettlementAccount(merchant: TestPaymentsMerchant, accountNumber: string): Promise<void> {
  const response = await merchant.console.put("/v1/console/kyb", {
    bank_account: { holder_name: "Tea House Ltd", bank_name: "Bank of Tests", account_number: accountNumber },
  });
  assert.equal(response.statusCode, 200, response.body);
}

/**
 * A test-mode wallet user (the payers of merchants' test payments), made through the wallet service as the sandbox
 * makes them, identity-verified to tier 1 (unless verify is false), and funded by a sandbox top-up when `fund` is given.
 */
export async function newTestPayer(
  coffer: PaymentsCoffer,
  options: { fund?: string; currency?: string; displayName?: string; verify?: boolean } = {},
): Promise<TestWalletUser> {
  const email = testEmail("payer");
  const wallets = coffer.services.wallets;
  const verification = await wallets.users.signup({
    email,
    password: "a long and quiet river",
    locale: "en",
    livemode: false,
    displayName: options.displayName,
  });
  // A coffer of the web tests has no SMTP sink: its mail stays in the dev mailbox.
  const codes = (coffer.sink as SmtpSink | undefined) ?? coffer.db.pool;
  const grant = await wallets.users.verify(verification.id, await latestCode(codes, email), {
    userAgent: "payments-tests",
    ip: null,
  });
  const user: TestWalletUser = {
    id: grant.user.id,
    token: grant.token,
    email,
    client: new WalletClient(coffer.app, grant.token),
  };
  if (options.verify !== false || options.fund) await verifyIdentity(user);
  if (options.fund) {
    const currency = options.currency ?? "USD";
    const source = await linkBank(user, "000123456789", currency);
    await topUpAndSettle(coffer.services, coffer.clock, user, source, options.fund);
  }
  return user;
}

/** A wallet user's ledger balance in a currency ("available" as the ledger computes it). */
export async function walletLedgerBalance(services: Services, userId: string, currency = "USD") {
  const found = await services.pool.query<{ ledger_account_id: bigint }>(
    "SELECT ledger_account_id FROM wallet_accounts WHERE wallet_user_id = $1 AND currency = $2",
    [userId, currency],
  );
  const id = found.rows[0]?.ledger_account_id;
  const account = id === undefined ? undefined : await services.ledger.getAccount(id);
  return account ? balanceOf(account) : undefined;
}

/** The merchant's ledger balance in a mode and currency. */
export async function merchantLedgerBalance(
  services: Services,
  merchantId: string,
  currency = "USD",
  livemode = false,
) {
  const id = await services.payments.accounts.merchantAccountId(merchantId, livemode, currency);
  return balanceOf((await services.ledger.getAccount(id))!);
}

/** The platform's fee account balance in a mode and currency. */
export async function feeLedgerBalance(services: Services, currency = "USD", livemode = false) {
  const id = await services.payments.accounts.feeAccountId(livemode, currency);
  return balanceOf((await services.ledger.getAccount(id))!);
}

/** coffer verify on the test database, at the test clock's time: no violations expected. */
export async function assertBooksBalance(coffer: PaymentsCoffer): Promise<void> {
  const report = await verifyLedger(coffer.db.pool, { now: coffer.clock.now() });
  assert.deepEqual(report.violations, []);
}

/** The event types of an object (a payment, refund or payout), oldest first. */
export async function eventTypesOf(coffer: PaymentsCoffer, objectId: string): Promise<string[]> {
  const result = await coffer.db.pool.query<{ type: string }>(
    "SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq",
    [objectId],
  );
  return result.rows.map((r) => r.type);
}
