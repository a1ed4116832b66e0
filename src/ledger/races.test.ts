import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createPool } from "../db/pool.js";
import { createCurrencyRegistry } from "./currencies.js";
import { AccountFlags } from "./model.js";
import { createLedgerService, type LedgerService } from "./service.js";
import { verifyLedger } from "./verify.js";

const execFileAsync = promisify(execFile);

/** mulberry32: a reproducible stream of integers in [0, n). */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}
const currencies = createCurrencyRegistry();

/** Races for real: many callers, several independent writers (own pools) and separate OS processes. */
describe("ledger under concurrency", () => {
  let db: TestDatabase;
  let ledger: LedgerService;

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    ledger = createLedgerService({ pool: db.pool, currencies });
  });
  after(async () => {
    const report = await verifyLedger(db.pool);
    assert.deepEqual(report.violations, []);
    await ledger.close();
    await db.drop();
  });

  async function fund(amount: bigint, count: number) {
    const [bank, ...wallets] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "USD", code: "settlement" },
      ...Array.from({ length: count }, () => ({
        ledger: "test" as const,
        currency: "USD",
        code: "wallet",
        flags: AccountFlags.debitsMustNotExceedCredits,
      })),
    ]);
    const results = await ledger.createTransfers(
      wallets.map((w) => ({
        id: randomUUID(),
        debitAccountId: bank!.id,
        creditAccountId: w.id,
        amount,
        code: "top_up",
      })),
    );
    assert.ok(results.every((r) => r.code === "ok"));
    return { bank: bank!, wallets };
  }

  it("1,000 concurrent debits against an account that affords exactly 137: exactly 137 succeed", async () => {
    const { wallets } = await fund(137n * 5n, 1);
    const [payer] = wallets;
    const [merchant] = await ledger.createAccounts(db.pool, [{ ledger: "test", currency: "USD", code: "merchant" }]);
    // Four independent writers (own pool, own batch writer) plus many callers each: contention across writers too.
    const writers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const pool = createPool({ connectionString: db.url, max: 3 });
        return { pool, ledger: createLedgerService({ pool, currencies }) };
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        writers[i % writers.length]!.ledger.createTransfers([
          { id: randomUUID(), debitAccountId: payer!.id, creditAccountId: merchant!.id, amount: 5n, code: "payment" },
        ]),
      ),
    );
    const codes = results.map(([r]) => r!.code);
    assert.equal(codes.filter((c) => c === "ok").length, 137);
    assert.equal(codes.filter((c) => c === "exceeds_credits").length, 863);
    assert.equal((await ledger.getBalance(payer!.id))!.posted, 0n);
    assert.equal((await ledger.getBalance(merchant!.id))!.posted, 685n);
    for (const w of writers) {
      await w.ledger.close();
      await w.pool.end();
    }
  });

  it("the same transfer from several writers at once, for all the account holds: one applies, the rest answer exists", async () => {
    const [merchant] = await ledger.createAccounts(db.pool, [{ ledger: "test", currency: "USD", code: "merchant" }]);
    const writers = Array.from({ length: 4 }, () => {
      const pool = createPool({ connectionString: db.url, max: 3 });
      return { pool, ledger: createLedgerService({ pool, currencies }) };
    });
    try {
      for (let round = 0; round < 5; round++) {
        const [wallet] = (await fund(500n, 1)).wallets;
        const id = randomUUID();
        const transfer = {
          id,
          debitAccountId: wallet!.id,
          creditAccountId: merchant!.id,
          amount: 500n,
          code: "payment",
        };
        // Each writer's batch reads the id as unknown before the others commit; the loser must not see its
        // balance check fail on money the winner already moved under the same id.
        const results = await Promise.all(
          writers.flatMap((w) => [w.ledger.createTransfers([transfer]), w.ledger.createTransfers([transfer])]),
        );
        const codes = results.map(([result]) => result!.code).sort();
        assert.deepEqual(codes, ["exists", "exists", "exists", "exists", "exists", "exists", "exists", "ok"]);
      }
    } finally {
      for (const w of writers) {
        await w.ledger.close();
        await w.pool.end();
      }
    }
  });

  it("bank test: thousands of random transfers among 20 accounts, every concurrent read sums to the total", async () => {
    const start = 1_000n;
    const { wallets } = await fund(start, 20);
    const ids = wallets.map((w) => String(w.id));
    const total = start * 20n;
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const r = await db.pool.query(
          "SELECT sum(credits_posted - debits_posted) AS total, min(credits_posted - debits_posted - debits_pending) AS lowest FROM ledger_accounts WHERE id = ANY($1::bigint[])",
          [ids],
        );
        assert.equal(r.rows[0].total, total, "a read saw money appear or vanish");
        assert.ok(r.rows[0].lowest >= 0n, "a flagged account went negative");
        reads++;
      }
    })();
    const writers = Array.from({ length: 3 }, () => {
      const pool = createPool({ connectionString: db.url, max: 3 });
      return { pool, ledger: createLedgerService({ pool, currencies }) };
    });
    const random = seededRandom(42);
    const jobs = Array.from({ length: 4000 }, (_, i) => {
      const from = random(20);
      const to = (from + 1 + random(19)) % 20;
      return writers[i % 3]!.ledger.createTransfers([
        {
          id: randomUUID(),
          debitAccountId: wallets[from]!.id,
          creditAccountId: wallets[to]!.id,
          amount: BigInt(1 + random(400)),
          code: "p2p",
        },
      ]);
    });
    const results = await Promise.all(jobs);
    stop = true;
    await reader;
    const okCount = results.filter(([r]) => r!.code === "ok").length;
    assert.ok(okCount > 1000, `${okCount} transfers succeeded`);
    assert.ok(results.every(([r]) => r!.code === "ok" || r!.code === "exceeds_credits"));
    assert.ok(reads > 5, `only ${reads} concurrent reads`);
    const balances = await ledger.getAccounts(wallets.map((w) => w.id));
    assert.equal(
      balances.reduce((sum, a) => sum + a.creditsPosted - a.debitsPosted, 0n),
      total,
    );
    for (const w of writers) {
      await w.ledger.close();
      await w.pool.end();
    }
  });

  it("two writer processes at once: shared ids apply once, no overdraft, books balance", async () => {
    const { wallets } = await fund(10_000n, 6);
    const random = seededRandom(7);
    // 1,500 transfers; both processes submit all of them (each id twice, from two processes, racing).
    const transfers = Array.from({ length: 1500 }, () => {
      const from = random(6);
      const to = (from + 1 + random(5)) % 6;
      return {
        id: randomUUID(),
        debit: String(wallets[from]!.id),
        credit: String(wallets[to]!.id),
        amount: String(1 + random(100)),
      };
    });
    const run = (list: typeof transfers) =>
      execFileAsync(
        process.execPath,
        ["--import", "tsx", "test/helpers/ledger-writer-process.ts", JSON.stringify({ url: db.url, transfers: list })],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      ).then((r) => JSON.parse(r.stdout) as { codes: Record<string, number>; ok: string[] });
    const [a, b] = await Promise.all([run(transfers), run([...transfers].reverse())]);
    // Each id moved money at most once: no id is "ok" in both processes.
    const okA = new Set(a.ok);
    assert.equal(b.ok.filter((id) => okA.has(id)).length, 0);
    const stored = await db.pool.query("SELECT count(*)::int AS n FROM ledger_transfers WHERE id = ANY($1::uuid[])", [
      transfers.map((t) => t.id),
    ]);
    assert.equal(stored.rows[0].n, a.ok.length + b.ok.length);
    const balances = await ledger.getAccounts(wallets.map((w) => w.id));
    assert.equal(
      balances.reduce((s, x) => s + x.creditsPosted - x.debitsPosted, 0n),
      60_000n,
    );
    assert.ok(balances.every((x) => x.creditsPosted >= x.debitsPosted));
  });
});
