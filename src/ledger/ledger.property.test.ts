import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { LedgerModel } from "../../test/helpers/ledger-model.js";
import { createCurrencyRegistry } from "./currencies.js";
import { AccountFlags, type TransferInput } from "./model.js";
import { createLedgerService, type LedgerService } from "./service.js";
import { verifyLedger } from "./verify.js";

/**
 * Random sequences of transfers, holds, posts, voids, linked chains, duplicates, clock moves and expiries run
 * against the real ledger (PostgreSQL, batch writer) and the reference model: every result code and every balance
 * must agree.
 */

type Op =
  | { kind: "submit"; transfers: TransferSpec[] }
  | { kind: "submitMany"; submissions: TransferSpec[][] }
  | { kind: "advance"; ms: number }
  | { kind: "expire" };

type TransferSpec =
  | {
      type: "single" | "pending";
      id: IdRef;
      debit: number;
      credit: number;
      amount: bigint;
      linked: boolean;
      timeoutMs: number;
      code: string;
    }
  | { type: "post" | "void"; id: IdRef; pending: IdRef; amount: bigint | null; linked: boolean };

/** An id is either fresh or a reuse of an earlier one (duplicates, posts of earlier holds). */
type IdRef = { reuse: number | null };

const accountCount = 6;
const amountArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt(1n, 300n) },
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.constant((1n << 128n) - 1n) },
);
const idRefArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ reuse: null }) },
  { weight: 1, arbitrary: fc.nat(40).map((n) => ({ reuse: n })) },
);
const transferArb: fc.Arbitrary<TransferSpec> = fc.oneof(
  fc.record({
    type: fc.constantFrom("single" as const, "pending" as const),
    id: idRefArb,
    debit: fc.nat(accountCount - 1),
    credit: fc.nat(accountCount - 1),
    amount: amountArb,
    linked: fc.boolean(),
    timeoutMs: fc.constantFrom(0, 0, 1_000, 5_000),
    code: fc.constantFrom("payment", "refund"),
  }),
  fc.record({
    type: fc.constantFrom("post" as const, "void" as const),
    id: idRefArb,
    pending: fc.nat(40).map((n) => ({ reuse: n })),
    amount: fc.option(amountArb, { nil: null }),
    linked: fc.boolean(),
  }),
);
const submissionArb = fc.array(transferArb, { minLength: 1, maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: submissionArb.map((transfers) => ({ kind: "submit" as const, transfers })) },
  {
    weight: 3,
    arbitrary: fc
      .array(submissionArb, { minLength: 2, maxLength: 5 })
      .map((submissions) => ({ kind: "submitMany" as const, submissions })),
  },
  { weight: 1, arbitrary: fc.constantFrom(500, 2_000).map((ms) => ({ kind: "advance" as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: "expire" as const }) },
);

describe("ledger against its reference model", () => {
  let db: TestDatabase;
  let ledger: LedgerService;
  let clockMs = Date.parse("2026-01-01T00:00:00Z");

  before(async () => {
    db = await createTestDatabase();
    // One batch in flight keeps the order of submissions equal to the order the model applies them in.
    ledger = createLedgerService({
      pool: db.pool,
      currencies: createCurrencyRegistry(),
      now: () => new Date(clockMs),
      batchesInFlightMax: 1,
    });
  });
  after(async () => {
    await ledger.close();
    await db.drop();
  });

  it("agrees on every result and balance", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        const model = new LedgerModel();
        model.now = clockMs;
        // Two wallets and a merchant (never overdrawn), a settlement account, a suspense account (debit-limited),
        // and one EUR account to trip currency checks.
        const specs = [
          { currency: "USD", code: "wallet", flags: AccountFlags.debitsMustNotExceedCredits },
          { currency: "USD", code: "wallet", flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.history },
          { currency: "USD", code: "merchant", flags: AccountFlags.debitsMustNotExceedCredits },
          { currency: "USD", code: "settlement", flags: 0 },
          { currency: "USD", code: "suspense", flags: AccountFlags.creditsMustNotExceedDebits },
          { currency: "EUR", code: "wallet", flags: 0 },
        ];
        const accounts = await ledger.createAccounts(
          db.pool,
          specs.map((s) => ({ ledger: "test" as const, ...s })),
        );
        for (const [i, a] of accounts.entries()) model.addAccount(a.id, "test", specs[i]!.currency, specs[i]!.flags);
        const ids: string[] = [];
        const idOf = (ref: IdRef) =>
          ref.reuse === null || ids.length === 0 ? randomUUID() : ids[ref.reuse % ids.length]!;
        const toInput = (spec: TransferSpec): TransferInput => {
          const id = idOf(spec.id);
          ids.push(id);
          if (spec.type === "single" || spec.type === "pending") {
            return {
              id,
              debitAccountId: accounts[spec.debit]!.id,
              creditAccountId: accounts[spec.credit]!.id,
              amount: spec.amount,
              code: spec.code,
              linked: spec.linked,
              ...(spec.type === "pending" ? { pending: true, timeoutMs: spec.timeoutMs } : {}),
            };
          }
          const pending = idOf((spec as Extract<TransferSpec, { type: "post" | "void" }>).pending);
          return {
            id,
            ...(spec.type === "post" ? { postPendingId: pending } : { voidPendingId: pending }),
            ...(spec.amount === null ? {} : { amount: spec.amount }),
            linked: spec.linked,
          };
        };
        // Fund the wallets so most payments can succeed.
        const funding = [0, 1, 2].map((i) => ({
          id: randomUUID(),
          debitAccountId: accounts[3]!.id,
          creditAccountId: accounts[i]!.id,
          amount: 500n,
          code: "top_up",
        }));
        assert.deepEqual(
          await ledger.createTransfers(funding).then((r) => r.map((x) => x.code)),
          model.submit(funding),
        );

        for (const op of ops) {
          if (op.kind === "advance") {
            clockMs += op.ms;
            model.now = clockMs;
          } else if (op.kind === "expire") {
            const expired = await ledger.expireHolds(10_000, new Date(clockMs));
            assert.equal(expired, model.expire(), "holds expired");
          } else {
            const submissions = op.kind === "submit" ? [op.transfers] : op.submissions;
            const inputs = submissions.map((s) => s.map(toInput));
            // Submitted in one tick, so they share batches: the writer must keep them apart.
            const actual = await Promise.all(inputs.map((input) => ledger.createTransfers(input)));
            for (let i = 0; i < inputs.length; i++) {
              const expected = model.submit(inputs[i]!);
              assert.deepEqual(
                actual[i]!.map((r) => r.code),
                expected,
              );
            }
          }
        }
        const stored = await ledger.getAccounts(accounts.map((a) => a.id));
        for (const account of stored) {
          const m = model.state.accounts.get(account.id)!;
          assert.deepEqual(
            [account.debitsPosted, account.creditsPosted, account.debitsPending, account.creditsPending],
            [m.dp, m.cp, m.dpe, m.cpe],
            `balances of account ${account.id} (${account.code})`,
          );
        }
        // Holds this run left open must not be counted by the next run's expiries.
        await ledger.expireHolds(100_000, new Date(clockMs + 365 * 24 * 3600 * 1000));
      }),
      { numRuns: Number(process.env.LEDGER_PROPERTY_RUNS ?? 100), endOnFailure: true },
    );
    // Expire what the runs left behind so the books are fully clean, then prove them.
    await ledger.expireHolds(100_000, new Date(clockMs + 10_000));
    const report = await verifyLedger(db.pool, { now: new Date(clockMs + 10_000) });
    assert.deepEqual(report.violations, []);
  });
});
