import { randomBytes } from "node:crypto";
import { type HttpClient, stringField } from "./http-client.js";

/**
 * Everything the workloads need, made through coffer's public HTTP API only, the way README's "Integration in five
 * minutes" does it: a merchant (sign-up, the verification mail from the dev mailbox, login, the revealed test secret
 * key), funded test payers with wallet session tokens, and paid payments to refund and read.
 */

export const currency = "USD";
/** Tier 2, the highest the test helper allows: 50,000.00 USD a day and 100,000.00 USD of balance by default. */
export const payerTier = 2;
/** The tier-2 balance cap (100,000.00 USD): the most a test payer may be funded with. */
export const payerBalanceMinor = 10_000_000n;
/** Payment codes up to this amount are charged at once, without the payer confirming (per payer, via the helper). */
export const payerPasswordFreeMinor = 100_000n;
/**
 * The refunded payments: 500.00 USD each, the default step-up threshold (a larger confirm needs a second factor,
 * which a test payer does not have).
 */
export const refundablePaymentMinor = 50_000n;
/** Paid payments made per caller of the largest run, so refund callers can move on when one is used up. */
const refundablePaymentsPerCaller = 2;
/** How long the verification mail may take to show in the dev mailbox, and how often the bench looks. */
const mailboxWaitMs = 15_000;
const mailboxPollIntervalMs = 100;
/** Requests in flight while setting up. */
const setupConcurrency = 16;

export interface Payer {
  id: string;
  token: string;
}

export interface BenchMerchant {
  merchantId: string;
  secretKey: string;
  email: string;
}

export interface BenchSetup {
  merchant: BenchMerchant;
  payers: Payer[];
  /** Paid payments of refundablePaymentMinor each, not refunded yet. */
  refundable: string[];
}

/** Runs `task` for 0..count-1 with at most `concurrency` at once; answers the results in order. */
export async function inParallel<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

let idempotencyCounter = 0;
const idempotencyPrefix = `bench-${randomBytes(6).toString("hex")}`;

/** A key no other request of this run (or of an earlier run on the same database) uses. */
export function idempotencyKey(): string {
  idempotencyCounter++;
  return `${idempotencyPrefix}-${idempotencyCounter}`;
}

function required(body: string, field: string, what: string): string {
  const value = stringField(body, field);
  if (value === undefined) throw new Error(`${what}: no "${field}" in ${body.slice(0, 300)}`);
  return value;
}

/** The token of the verification link in the dev mailbox; the mail may be written just after sign-up answers. */
async function verificationToken(client: HttpClient, email: string): Promise<string> {
  const until = performance.now() + mailboxWaitMs;
  let body = "";
  while (performance.now() < until) {
    const mailbox = await client.must(0, {
      method: "GET",
      path: `/v1/console/dev/mailbox?to=${encodeURIComponent(email)}&limit=1`,
    });
    body = mailbox.body;
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(body)?.[1];
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, mailboxPollIntervalMs));
  }
  throw new Error(`no verification link in the dev mailbox after ${mailboxWaitMs} ms: ${body.slice(0, 300)}`);
}

/** Sign-up → verification mail → verify → login → reveal the sign-up test secret key. */
async function createMerchant(client: HttpClient): Promise<BenchMerchant> {
  const email = `bench-${randomBytes(4).toString("hex")}@bench.example`;
  const password = `bench ${randomBytes(12).toString("hex")}`;
  await client.must(0, {
    method: "POST",
    path: "/v1/console/signup",
    json: { email, password, business_name: "coffer bench" },
  });
  const token = await verificationToken(client, email);
  await client.must(0, { method: "POST", path: "/v1/console/verify_email", json: { token } });
  const login = await client.must(0, { method: "POST", path: "/v1/console/login", json: { email, password } });
  const setCookie = login.headers["set-cookie"];
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ""])
    .map((c) => c.split(";")[0])
    .filter((c) => c?.startsWith("coffer_console="))
    .join("; ");
  const csrf = required(login.body, "csrf_token", "login");
  const merchantId = required(login.body, "merchant", "login");
  const keys = await client.must(0, { method: "GET", path: "/v1/console/api_keys", headers: { cookie } });
  const keyId = revealableKeyId(keys.body);
  const revealed = await client.must(0, {
    method: "POST",
    path: `/v1/console/api_keys/${keyId}/reveal`,
    headers: { cookie, "x-csrf-token": csrf },
    json: {},
  });
  return { merchantId, secretKey: required(revealed.body, "secret", "reveal"), email };
}

function revealableKeyId(body: string): string {
  const list = JSON.parse(body) as { data: { id: string; type: string; livemode: boolean; revealable: boolean }[] };
  const key = list.data.find((k) => k.type === "secret" && !k.livemode && k.revealable);
  if (!key) throw new Error(`sign-up made no revealable test secret key: ${body.slice(0, 300)}`);
  return key.id;
}

export function secretHeaders(merchant: BenchMerchant, idempotent: boolean): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${merchant.secretKey}` };
  if (idempotent) headers["idempotency-key"] = idempotencyKey();
  return headers;
}

export function walletHeaders(payer: Payer, idempotent: boolean): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${payer.token}` };
  if (idempotent) headers["idempotency-key"] = idempotencyKey();
  return headers;
}

async function createPayer(client: HttpClient, merchant: BenchMerchant, caller: number): Promise<Payer> {
  const answer = await client.must(caller, {
    method: "POST",
    path: "/v1/test_helpers/wallet_users",
    headers: secretHeaders(merchant, true),
    json: {
      currency,
      balance: String(payerBalanceMinor),
      tier: payerTier,
      password_free_limit: String(payerPasswordFreeMinor),
    },
  });
  return { id: required(answer.body, "id", "test payer"), token: required(answer.body, "session_token", "test payer") };
}

/** A QR payment paid by `payer`: the merchant creates it, the payer confirms it. Answers its id. */
export async function paidPayment(
  client: HttpClient,
  merchant: BenchMerchant,
  payer: Payer,
  amountMinor: bigint,
  caller: number,
): Promise<string> {
  const created = await client.must(caller, {
    method: "POST",
    path: "/v1/payments",
    headers: secretHeaders(merchant, true),
    json: { amount: String(amountMinor), currency, method: "qr" },
  });
  const id = required(created.body, "id", "payment");
  const confirmed = await client.must(caller, {
    method: "POST",
    path: `/v1/wallet/payments/${id}/confirm`,
    headers: walletHeaders(payer, true),
    json: {},
  });
  const status = stringField(confirmed.body, "status");
  if (status !== "succeeded") throw new Error(`setup payment ${id} is ${status}, not succeeded`);
  return id;
}

export async function setUp(client: HttpClient, callersMax: number, log: (line: string) => void): Promise<BenchSetup> {
  const merchant = await createMerchant(client);
  log(`setup: merchant ${merchant.merchantId} (${merchant.email}) with its test secret key`);
  const payers = await inParallel(callersMax, setupConcurrency, (i) => createPayer(client, merchant, i));
  log(
    `setup: ${payers.length} test payers, tier ${payerTier}, ${payerBalanceMinor} minor units of ${currency} each, password-free up to ${payerPasswordFreeMinor}`,
  );
  const refundableCount = callersMax * refundablePaymentsPerCaller;
  const refundable = await inParallel(refundableCount, setupConcurrency, (i) =>
    paidPayment(client, merchant, payers[i % payers.length]!, refundablePaymentMinor, i),
  );
  log(`setup: ${refundable.length} paid payments of ${refundablePaymentMinor} to refund in part and to read`);
  return { merchant, payers, refundable };
}
