/**
 * `npm run bench -- statements [--ops N]`: what one operation costs the database, counted. The real app runs in
 * this process on a fresh database (DATABASE_URL); every statement any pool client sends is counted while N
 * operations of each kind run one after another (no concurrency, so no batch is shared). Prints, per operation,
 * statements, commits and round trips by statement, one JSON line each. A profile, not a speed figure: it says
 * where an operation's round trips go, so a change that adds one shows up here.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { newPaymentsMerchant, type PaymentsCoffer, startPaymentsCoffer } from "../test/helpers/payments.js";

const { values } = parseArgs({ options: { ops: { type: "string", default: "50" } }, allowPositionals: true });
const opsCount = Number(values.ops);
const statementTextLengthMax = 90;

const counts = new Map<string, number>();
let counting = false;
const originalQuery = pg.Client.prototype.query;
// Every pool client is a pg.Client: counting here sees what the app, the ledger and the hooks send.
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  if (counting) {
    const first = args[0];
    const text = typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "?");
    const key = text.replace(/\s+/g, " ").trim().slice(0, statementTextLengthMax);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

async function measure(name: string, op: () => Promise<void>): Promise<void> {
  counts.clear();
  counting = true;
  for (let i = 0; i < opsCount; i++) await op();
  counting = false;
  const byStatement = [...counts.entries()]
    .map(([sql, n]) => ({ sql, per_op: Math.round((n / opsCount) * 100) / 100 }))
    .sort((a, b) => b.per_op - a.per_op);
  const total = byStatement.reduce((sum, s) => sum + s.per_op, 0);
  const commits = byStatement.filter((s) => s.sql === "COMMIT").reduce((sum, s) => sum + s.per_op, 0);
  console.log(
    JSON.stringify({
      operation: name,
      statements_per_op: Math.round(total * 100) / 100,
      commits_per_op: commits,
      by_statement: byStatement,
    }),
  );
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error("set DATABASE_URL to a PostgreSQL server");
  const coffer: PaymentsCoffer = await startPaymentsCoffer({ poolSize: 10 });
  try {
    const merchant = await newPaymentsMerchant(coffer);
    const call = async (method: string, url: string, auth: string, body?: unknown) => {
      const response = await coffer.app.inject({
        method: method as "GET" | "POST",
        url,
        headers: {
          authorization: `Bearer ${auth}`,
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "idempotency-key": randomBytes(8).toString("hex") }),
        },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.json() as Record<string, unknown>;
    };
    const payer = await call("POST", "/v1/test_helpers/wallet_users", merchant.secretKey, {
      currency: "USD",
      balance: "10000000",
      tier: 2,
      password_free_limit: "100000",
    });
    const payerToken = String(payer.session_token);
    const pay = async () => {
      const created = await call("POST", "/v1/payments", merchant.secretKey, {
        amount: "100",
        currency: "USD",
        method: "qr",
      });
      await call("POST", `/v1/wallet/payments/${created.id}/confirm`, payerToken, {});
      return String(created.id);
    };
    await pay(); // warm: accounts made, caches filled
    await measure("create qr", async () => {
      await call("POST", "/v1/payments", merchant.secretKey, { amount: "100", currency: "USD", method: "qr" });
    });
    const open: string[] = [];
    for (let i = 0; i < opsCount; i++) {
      open.push(
        String(
          (await call("POST", "/v1/payments", merchant.secretKey, { amount: "100", currency: "USD", method: "qr" })).id,
        ),
      );
    }
    await measure("confirm", async () => {
      await call("POST", `/v1/wallet/payments/${open.pop()}/confirm`, payerToken, {});
    });
    await measure("payment_code (magic success code)", async () => {
      await call("POST", "/v1/payments", merchant.secretKey, {
        amount: "1",
        currency: "USD",
        method: "payment_code",
        payment_code: "880000000000000001",
      });
    });
    await measure("payment_code (payer's own code)", async () => {
      const code = await call("GET", "/v1/wallet/payment_code", payerToken);
      await call("POST", "/v1/payments", merchant.secretKey, {
        amount: "100",
        currency: "USD",
        method: "payment_code",
        payment_code: code.code,
      });
    });
    const paid = await pay();
    await measure("refund (partial)", async () => {
      await call("POST", "/v1/refunds", merchant.secretKey, { payment: paid, amount: "1" });
    });
    await measure("read", async () => {
      await call("GET", `/v1/payments/${paid}`, merchant.secretKey);
    });
  } finally {
    await coffer.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
