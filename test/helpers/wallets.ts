import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import type { App } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type { Pool } from "../../src/db/pool.js";
import type { Authenticator } from "../../src/http/auth.js";
import { createCurrencyRegistry } from "../../src/ledger/currencies.js";
import { createLogger } from "../../src/logging.js";
import type { DevMessage } from "../../src/notifications/service.js";
import type { EmailTransport, SmsTransport } from "../../src/notifications/transports.js";
import { createServices, type Services } from "../../src/runtime/services.js";
import { loadWalletConfig, type WalletConfig } from "../../src/wallets/config.js";
import { servicesOfPool } from "./app.js";
import type { SmtpSink } from "./smtp-sink.js";

/** The origin passkeys are bound to in wallet tests (the WebAuthn relying party of walletTestConfig). */
export const walletTestOrigin = "http://localhost:4000";

/**
 * Wallet configuration for tests: the default tiers, the sandbox bank and the sandbox identity provider for live
 * wallets, passkeys bound to walletTestOrigin. Pass environment-style overrides (COFFER_WALLET_TIERS …) to change it.
 */
export function walletTestConfig(env: Record<string, string> = {}): WalletConfig {
  return loadWalletConfig(
    { COFFER_BANK_CONNECTOR: "sandbox", COFFER_KYC_PROVIDER: "sandbox", ...env },
    { publicUrl: walletTestOrigin, port: 4000 },
    createCurrencyRegistry(),
  );
}

/** Every service on a test database (as createTestServices), with the wallet configuration given. */
export function createWalletTestServices(options: {
  pool: Pool;
  clock?: Clock;
  walletConfig?: WalletConfig;
  email?: EmailTransport;
  sms?: SmsTransport;
  masterKey?: Buffer;
}): Services {
  return createServices({
    config: loadConfig({}),
    pool: options.pool,
    log: createLogger({ level: "silent" }),
    masterKey: options.masterKey ?? randomBytes(32),
    clock: options.clock,
    email: options.email,
    sms: options.sms,
    walletConfig: options.walletConfig ?? walletTestConfig(),
  });
}

/**
 * Stands in for the merchant platform's operator login in tests: `x-test-operator: <role>` makes the caller an
 * operator with that role. Only tests register it.
 */
export const testOperatorAuthenticator: Authenticator = {
  name: "test-operator",
  async authenticate(request) {
    const role = request.headers["x-test-operator"];
    if (role !== "admin" && role !== "reviewer" && role !== "support") return null;
    return { kind: "operator", operatorId: `op_test_${role}`, role, sessionId: "os_test" };
  },
};

/** JSON requests to the wallet API, as one logged-in wallet user (or anonymous). */
export class WalletClient {
  constructor(
    readonly app: App,
    readonly token?: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: "GET", url, headers: this.headers(headers) });
  }

  post(url: string, body: unknown = {}, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: "POST",
      url,
      headers: this.headers({ "content-type": "application/json", ...headers }),
      payload: JSON.stringify(body),
    });
  }

  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: "DELETE", url, headers: this.headers(headers) });
  }
}

/**
 * The newest code sent to an email address or phone number: from the dev mailbox (the pool's test app keeps mail and
 * SMS there, decrypted only by coffer), or from the SMTP sink when mail really leaves. The database never holds a
 * code in clear.
 */
export async function latestCode(codes: Pool | SmtpSink, to: string): Promise<string> {
  const text =
    "mails" in codes
      ? await newestMail(codes, to)
      : (await newestDevMessage(codes, to, "wallet.verification_code")).text;
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  assert.ok(code, `no verification code was sent to ${to}`);
  return code;
}

async function newestMail(sink: SmtpSink, to: string): Promise<string> {
  await sink.waitFor((m) => m.to.includes(to));
  return sink.mails.filter((m) => m.to.includes(to)).at(-1)?.text ?? "";
}

/** The newest message of a template to a recipient, as the dev mailbox or SMS outbox shows it once it is "sent". */
export async function newestDevMessage(pool: Pool, to: string, template: string): Promise<DevMessage> {
  const newest = await pool.query<{ id: string }>(
    "SELECT id FROM outbound_messages WHERE recipient = $1 AND template = $2 ORDER BY seq DESC LIMIT 1",
    [to, template],
  );
  const id = newest.rows[0]?.id;
  assert.ok(id, `no ${template} message was sent to ${to}`);
  const { notifications } = servicesOfPool(pool);
  // Delivery runs right after the commit, in the background; the dev transport's copy shows once it is "sent".
  for (let i = 0; i < 250; i++) {
    const kept = await notifications.listDevMessages({ to, limit: 20 });
    const found = kept.find((m) => m.id === id);
    if (found) return found;
    await notifications.deliverDue();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the ${template} message to ${to} never reached the dev mailbox`);
}

let contactCounter = 0;
/** A fresh email address for a test wallet user. */
export function testEmail(name = "user"): string {
  contactCounter++;
  return `${name}.${contactCounter}.${randomBytes(3).toString("hex")}@example.com`;
}

export interface TestWalletUser {
  id: string;
  token: string;
  email: string;
  client: WalletClient;
}

/** Signs up with an email address and verifies it with the code from the outbox: a tier-0 wallet user. */
export async function signUpWallet(
  app: App,
  codes: Pool | SmtpSink,
  options: { email?: string; password?: string; displayName?: string } = {},
): Promise<TestWalletUser> {
  const email = options.email ?? testEmail();
  const anonymous = new WalletClient(app);
  const signup = await anonymous.post("/v1/wallet/signup", {
    email,
    password: options.password ?? "a long and quiet river",
    ...(options.displayName ? { display_name: options.displayName } : {}),
  });
  assert.equal(signup.statusCode, 202, signup.body);
  const verified = await anonymous.post("/v1/wallet/verify", {
    verification: signup.json().id,
    code: await latestCode(codes, email),
  });
  assert.equal(verified.statusCode, 201, verified.body);
  const { token, wallet_user } = verified.json();
  return { id: wallet_user.id, token, email, client: new WalletClient(app, token) };
}

/** Logs an existing test wallet user in again (a new session), e.g. after the test clock jumped past the idle timeout. */
export async function logInWallet(
  app: App,
  user: TestWalletUser,
  password = "a long and quiet river",
): Promise<TestWalletUser> {
  const response = await new WalletClient(app).post("/v1/wallet/login", { email: user.email, password });
  assert.equal(response.statusCode, 200, response.body);
  return { ...user, token: response.json().token, client: new WalletClient(app, response.json().token) };
}

/** Identity level 1 through the sandbox provider: the wallet user is tier 1 afterwards. */
export async function verifyIdentity(user: TestWalletUser, fullName = "Ada Lovelace"): Promise<void> {
  const response = await user.client.post("/v1/wallet/kyc", {
    level: 1,
    full_name: fullName,
    id_number: "ID-4242424242",
    date_of_birth: "1990-12-10",
  });
  assert.equal(response.statusCode, 201, response.body);
  assert.equal(response.json().status, "approved");
}

/** Links a sandbox bank account (verified at once) and returns its id. */
export async function linkBank(
  user: TestWalletUser,
  accountNumber = "000123456789",
  currency = "USD",
): Promise<string> {
  const response = await user.client.post("/v1/wallet/funding_sources", {
    holder_name: "Ada Lovelace",
    bank_code: "110000000",
    account_number: accountNumber,
    currency,
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

/** Tops up through the sandbox bank and lets it settle: moves the clock and runs the settlement worker's pass. */
export async function topUpAndSettle(
  services: Services,
  clock: { advance(ms: number): void },
  user: TestWalletUser,
  fundingSource: string,
  amount: string,
): Promise<void> {
  const created = await user.client.post("/v1/wallet/top_ups", { funding_source: fundingSource, amount });
  assert.equal(created.statusCode, 201, created.body);
  await settleBank(services, clock);
  const after = await user.client.get(`/v1/wallet/top_ups/${created.json().id}`);
  assert.equal(after.json().status, "succeeded", after.body);
}

/** Moves the clock past the sandbox bank's settle delay and runs one pass of the settlement worker. */
export async function settleBank(services: Services, clock: { advance(ms: number): void }): Promise<number> {
  clock.advance(services.wallets.config.sandboxBankSettleMs);
  return services.wallets.bank.runDue();
}

/** The events of a wallet user, oldest first. */
export async function walletEvents(
  pool: Pool,
  walletUserId: string,
): Promise<{ type: string; data: { object: Record<string, unknown> } }[]> {
  const result = await pool.query("SELECT type, data FROM events WHERE wallet_user_id = $1 ORDER BY seq", [
    walletUserId,
  ]);
  return result.rows;
}

export async function availableBalance(user: TestWalletUser, currency = "USD"): Promise<string> {
  const response = await user.client.get("/v1/wallet/balances");
  assert.equal(response.statusCode, 200, response.body);
  return (
    (response.json().data as { currency: string; available: string }[]).find((b) => b.currency === currency)
      ?.available ?? "0"
  );
}
