import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createCurrencyRegistry } from "./currencies.js";
import { AccountInputError } from "./errors.js";
import { AccountFlags, transferIdFor } from "./model.js";
import { createLedgerService, type LedgerService } from "./service.js";
import { verifyLedger } from "./verify.js";

const { debitsMustNotExceedCredits, creditsMustNotExceedDebits, history } = AccountFlags;

describe("ledger", () => {
  let db: TestDatabase;
  let ledger: LedgerService;
  let clock = new Date("2026-01-01T00:00:00Z");

  before(async () => {
    db = await createTestDatabase();
    ledger = createLedgerService({ pool: db.pool, currencies: createCurrencyRegistry(), now: () => clock });
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock });
    assert.deepEqual(report.violations, [], "coffer verify is clean after the ledger tests");
    await ledger.close();
    await db.drop();
  });

  /** A funded wallet: the bank settlement account (debit-normal) pays `amount` into it. */
  async function fundedWallet(amount: bigint, currency = "USD", flags: number = debitsMustNotExceedCredits) {
    const [bank, wallet] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency, code: "settlement", flags: 0 },
      { ledger: "test", currency, code: "wallet", flags },
    ]);
    if (amount > 0n) {
      const [r] = await ledger.createTransfers([
        { id: randomUUID(), debitAccountId: bank!.id, creditAccountId: wallet!.id, amount, code: "top_up" },
      ]);
      assert.equal(r!.code, "ok");
    }
    return { bank: bank!, wallet: wallet! };
  }

  it("moves money between two accounts and keeps the four balances", async () => {
    const { bank, wallet } = await fundedWallet(1000n);
    const [merchant] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "USD", code: "merchant", flags: debitsMustNotExceedCredits },
    ]);
    const [r] = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: wallet.id, creditAccountId: merchant!.id, amount: 250n, code: "payment" },
    ]);
    assert.equal(r!.code, "ok");
    const w = await ledger.getBalance(wallet.id);
    assert.equal(w!.posted, 750n);
    assert.equal(w!.available, 750n);
    assert.equal((await ledger.getBalance(merchant!.id))!.posted, 250n);
    const b = await ledger.getAccount(bank.id);
    assert.equal(b!.debitsPosted, 1000n);
  });

  it("refuses to overdraw a flagged account and writes nothing", async () => {
    const { wallet, bank } = await fundedWallet(100n);
    const id = randomUUID();
    const [r] = await ledger.createTransfers([
      { id, debitAccountId: wallet.id, creditAccountId: bank.id, amount: 101n, code: "withdrawal" },
    ]);
    assert.equal(r!.code, "exceeds_credits");
    assert.equal(await ledger.getTransfer(id), undefined);
    assert.equal((await ledger.getBalance(wallet.id))!.posted, 100n);
  });

  it("refuses a credit-limited account going above its debits", async () => {
    const [a, b] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "USD", code: "suspense", flags: creditsMustNotExceedDebits },
      { ledger: "test", currency: "USD", code: "settlement" },
    ]);
    const [r] = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: b!.id, creditAccountId: a!.id, amount: 1n, code: "x" },
    ]);
    assert.equal(r!.code, "exceeds_debits");
  });

  it("is idempotent by transfer id and names the field that differs", async () => {
    const { wallet, bank } = await fundedWallet(500n);
    const t = {
      id: randomUUID(),
      debitAccountId: wallet.id,
      creditAccountId: bank.id,
      amount: 100n,
      code: "withdrawal",
    };
    assert.equal((await ledger.createTransfers([t]))[0]!.code, "ok");
    assert.equal((await ledger.createTransfers([t]))[0]!.code, "exists");
    assert.equal((await ledger.createTransfers([{ ...t, amount: 99n }]))[0]!.code, "exists_with_different_amount");
    assert.equal((await ledger.createTransfers([{ ...t, code: "refund" }]))[0]!.code, "exists_with_different_code");
    assert.equal((await ledger.createTransfers([{ ...t, pending: true }]))[0]!.code, "exists_with_different_flags");
    assert.equal(
      (await ledger.createTransfers([{ ...t, reference: "pay_1" }]))[0]!.code,
      "exists_with_different_reference",
    );
    assert.equal((await ledger.getBalance(wallet.id))!.posted, 400n);
  });

  it("rejects bad shapes with typed codes", async () => {
    const { wallet, bank } = await fundedWallet(100n);
    const base = { debitAccountId: wallet.id, creditAccountId: bank.id, amount: 1n, code: "x" };
    const cases: [object, string][] = [
      [{ ...base, id: "not-a-uuid" }, "id_invalid"],
      [{ ...base, id: "00000000-0000-0000-0000-000000000000" }, "id_invalid"],
      [{ ...base, id: randomUUID(), amount: 0n }, "amount_must_not_be_zero"],
      [{ ...base, id: randomUUID(), amount: -1n }, "amount_invalid"],
      [{ ...base, id: randomUUID(), amount: 1n << 128n }, "amount_invalid"],
      [{ ...base, id: randomUUID(), creditAccountId: wallet.id }, "accounts_must_be_different"],
      [{ ...base, id: randomUUID(), creditAccountId: 987654321n }, "credit_account_not_found"],
      [{ ...base, id: randomUUID(), code: "Bad Code" }, "code_invalid"],
      [{ ...base, id: randomUUID(), timeoutMs: 1000 }, "timeout_reserved_for_pending_transfer"],
      [{ ...base, id: randomUUID(), pending: true, voidPendingId: randomUUID() }, "flags_are_mutually_exclusive"],
      [{ id: randomUUID(), postPendingId: randomUUID() }, "pending_transfer_not_found"],
    ];
    for (const [input, code] of cases) {
      const [r] = await ledger.createTransfers([input as never]);
      assert.equal(
        r!.code,
        code,
        JSON.stringify(input, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      );
    }
    assert.equal((await ledger.getBalance(wallet.id))!.posted, 100n);
  });

  it("keeps currencies and ledgers apart", async () => {
    const { wallet } = await fundedWallet(100n, "USD");
    const [eur, live] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "EUR", code: "wallet" },
      { ledger: "live", currency: "USD", code: "wallet" },
    ]);
    const [a] = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: wallet.id, creditAccountId: eur!.id, amount: 1n, code: "x" },
    ]);
    assert.equal(a!.code, "accounts_must_have_same_currency");
    const [b] = await ledger.createTransfers([
      { id: randomUUID(), debitAccountId: wallet.id, creditAccountId: live!.id, amount: 1n, code: "x" },
    ]);
    assert.equal(b!.code, "accounts_must_have_same_ledger");
  });

  it("validates accounts: unknown currency, bad flags", async () => {
    await assert.rejects(
      ledger.createAccounts(db.pool, [{ ledger: "test", currency: "XXX", code: "wallet" }]),
      AccountInputError,
    );
    await assert.rejects(
      ledger.createAccounts(db.pool, [{ ledger: "test", currency: "USD", code: "wallet", flags: 3 }]),
      /flags_are_mutually_exclusive/,
    );
    await assert.rejects(
      ledger.createAccounts(db.pool, [{ ledger: "test", currency: "USD", code: "wallet", flags: 64 }]),
      /flags_invalid/,
    );
    const [jpy, kwd, eth] = await ledger.createAccounts(db.pool, [
      { ledger: "live", currency: "JPY", code: "wallet" },
      { ledger: "live", currency: "KWD", code: "wallet" },
      { ledger: "live", currency: "ETH", code: "wallet" },
    ]);
    assert.deepEqual([jpy!.currency, kwd!.currency, eth!.currency], ["JPY", "KWD", "ETH"]);
  });

  it("holds: reserve, post partially, and the rest returns to the payer", async () => {
    const { wallet } = await fundedWallet(1000n);
    const [merchant] = await ledger.createAccounts(db.pool, [{ ledger: "test", currency: "USD", code: "merchant" }]);
    const holdId = randomUUID();
    const [h] = await ledger.createTransfers([
      {
        id: holdId,
        debitAccountId: wallet.id,
        creditAccountId: merchant!.id,
        amount: 600n,
        code: "payment",
        pending: true,
        timeoutMs: 60_000,
      },
    ]);
    assert.equal(h!.code, "ok");
    let w = await ledger.getBalance(wallet.id);
    assert.equal(w!.posted, 1000n);
    assert.equal(w!.available, 400n);
    // A second hold larger than what is available fails: holds count against the balance.
    const [h2] = await ledger.createTransfers([
      {
        id: randomUUID(),
        debitAccountId: wallet.id,
        creditAccountId: merchant!.id,
        amount: 401n,
        code: "payment",
        pending: true,
      },
    ]);
    assert.equal(h2!.code, "exceeds_credits");
    const [over] = await ledger.createTransfers([{ id: randomUUID(), postPendingId: holdId, amount: 601n }]);
    assert.equal(over!.code, "exceeds_pending_transfer_amount");
    const postId = randomUUID();
    const [p] = await ledger.createTransfers([{ id: postId, postPendingId: holdId, amount: 250n }]);
    assert.equal(p!.code, "ok");
    w = await ledger.getBalance(wallet.id);
    assert.equal(w!.posted, 750n);
    assert.equal(w!.available, 750n);
    assert.equal(w!.debitsPending, 0n);
    assert.equal((await ledger.getBalance(merchant!.id))!.posted, 250n);
    assert.equal(
      (await ledger.createTransfers([{ id: postId, postPendingId: holdId, amount: 250n }]))[0]!.code,
      "exists",
    );
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), postPendingId: holdId }]))[0]!.code,
      "pending_transfer_already_posted",
    );
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), voidPendingId: holdId }]))[0]!.code,
      "pending_transfer_already_posted",
    );
  });

  it("holds: void returns everything; post without amount takes the whole hold", async () => {
    const { wallet, bank } = await fundedWallet(300n);
    const a = randomUUID();
    const b = randomUUID();
    await ledger.createTransfers([
      { id: a, debitAccountId: wallet.id, creditAccountId: bank.id, amount: 100n, code: "withdrawal", pending: true },
      { id: b, debitAccountId: wallet.id, creditAccountId: bank.id, amount: 200n, code: "withdrawal", pending: true },
    ]);
    assert.equal((await ledger.getBalance(wallet.id))!.available, 0n);
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), voidPendingId: a, amount: 99n }]))[0]!.code,
      "pending_transfer_has_different_amount",
    );
    assert.equal((await ledger.createTransfers([{ id: randomUUID(), voidPendingId: a }]))[0]!.code, "ok");
    assert.equal((await ledger.createTransfers([{ id: randomUUID(), postPendingId: b }]))[0]!.code, "ok");
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), postPendingId: a }]))[0]!.code,
      "pending_transfer_already_voided",
    );
    const w = await ledger.getBalance(wallet.id);
    assert.equal(w!.posted, 100n);
    assert.equal(w!.available, 100n);
  });

  it("holds expire: after the timeout a post is refused and the worker voids the hold once", async () => {
    const { wallet, bank } = await fundedWallet(100n);
    const holdId = randomUUID();
    await ledger.createTransfers([
      {
        id: holdId,
        debitAccountId: wallet.id,
        creditAccountId: bank.id,
        amount: 100n,
        code: "withdrawal",
        pending: true,
        timeoutMs: 1_000,
      },
    ]);
    clock = new Date(clock.getTime() + 1_000);
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), postPendingId: holdId }]))[0]!.code,
      "pending_transfer_expired",
    );
    const [first, second] = await Promise.all([ledger.expireHolds(), ledger.expireHolds()]);
    assert.ok(first! + second! >= 1);
    assert.equal((await ledger.getBalance(wallet.id))!.available, 100n);
    assert.equal(
      (await ledger.createTransfers([{ id: randomUUID(), voidPendingId: holdId }]))[0]!.code,
      "pending_transfer_expired",
    );
    assert.equal(await ledger.expireHolds(), 0);
  });

  it("linked chains succeed or fail together", async () => {
    const { wallet } = await fundedWallet(100n);
    const [merchant, fee] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "USD", code: "merchant" },
      { ledger: "test", currency: "USD", code: "fee" },
    ]);
    const ok = await ledger.createTransfers([
      {
        id: randomUUID(),
        debitAccountId: wallet.id,
        creditAccountId: merchant!.id,
        amount: 60n,
        code: "payment",
        linked: true,
      },
      { id: randomUUID(), debitAccountId: merchant!.id, creditAccountId: fee!.id, amount: 2n, code: "fee" },
    ]);
    assert.deepEqual(
      ok.map((r) => r.code),
      ["ok", "ok"],
    );
    const failed = await ledger.createTransfers([
      {
        id: randomUUID(),
        debitAccountId: merchant!.id,
        creditAccountId: fee!.id,
        amount: 1n,
        code: "fee",
        linked: true,
      },
      {
        id: randomUUID(),
        debitAccountId: wallet.id,
        creditAccountId: merchant!.id,
        amount: 41n,
        code: "payment",
        linked: true,
      },
      { id: randomUUID(), debitAccountId: merchant!.id, creditAccountId: fee!.id, amount: 1n, code: "fee" },
      { id: randomUUID(), debitAccountId: wallet.id, creditAccountId: merchant!.id, amount: 1n, code: "payment" },
    ]);
    assert.deepEqual(
      failed.map((r) => r.code),
      ["linked_event_failed", "exceeds_credits", "linked_event_failed", "ok"],
    );
    const open = await ledger.createTransfers([
      {
        id: randomUUID(),
        debitAccountId: wallet.id,
        creditAccountId: merchant!.id,
        amount: 1n,
        code: "payment",
        linked: true,
      },
    ]);
    assert.deepEqual(
      open.map((r) => r.code),
      ["linked_event_chain_open"],
    );
    assert.equal((await ledger.getBalance(wallet.id))!.posted, 39n);
    assert.equal((await ledger.getBalance(fee!.id))!.posted, 2n);
  });

  it("a hook writes business rows in the same transaction; a failing hook leaves no trace", async () => {
    await db.pool.query("CREATE TABLE IF NOT EXISTS hook_records (transfer_id uuid PRIMARY KEY, code text NOT NULL)");
    const { wallet, bank } = await fundedWallet(100n);
    const good = randomUUID();
    const bad = randomUUID();
    const [goodResult, badResult] = await Promise.allSettled([
      ledger.createTransfers(
        [{ id: good, debitAccountId: wallet.id, creditAccountId: bank.id, amount: 10n, code: "withdrawal" }],
        async (tx, results) => {
          await tx.query("INSERT INTO hook_records VALUES ($1, $2)", [good, results[0]!.code]);
        },
      ),
      ledger.createTransfers(
        [{ id: bad, debitAccountId: wallet.id, creditAccountId: bank.id, amount: 20n, code: "withdrawal" }],
        async (tx) => {
          await tx.query("INSERT INTO hook_records VALUES ($1, 'x')", [bad]);
          throw new Error("business rule refused");
        },
      ),
    ]);
    assert.equal(goodResult.status, "fulfilled");
    assert.equal(badResult.status, "rejected");
    assert.match(String((badResult as PromiseRejectedResult).reason), /business rule refused/);
    const rows = await db.pool.query("SELECT transfer_id, code FROM hook_records ORDER BY code");
    assert.deepEqual(rows.rows, [{ transfer_id: good, code: "ok" }]);
    assert.equal(await ledger.getTransfer(bad), undefined);
    assert.equal((await ledger.getBalance(wallet.id))!.posted, 90n);
  });

  it("lists an account's transfers newest first with keyset pagination", async () => {
    const { wallet, bank } = await fundedWallet(0n, "USD", 0);
    for (let i = 1; i <= 7; i++) {
      await ledger.createTransfers([
        { id: randomUUID(), debitAccountId: bank.id, creditAccountId: wallet.id, amount: BigInt(i), code: "top_up" },
      ]);
    }
    const first = await ledger.listAccountTransfers(wallet.id, { limit: 3 });
    assert.deepEqual(
      first.data.map((t) => t.amount),
      [7n, 6n, 5n],
    );
    assert.equal(first.hasMore, true);
    const second = await ledger.listAccountTransfers(wallet.id, { limit: 3, startingAfter: first.data.at(-1)!.seq });
    assert.deepEqual(
      second.data.map((t) => t.amount),
      [4n, 3n, 2n],
    );
    const third = await ledger.listAccountTransfers(wallet.id, { limit: 3, startingAfter: second.data.at(-1)!.seq });
    assert.deepEqual(
      third.data.map((t) => t.amount),
      [1n],
    );
    assert.equal(third.hasMore, false);
    const back = await ledger.listAccountTransfers(wallet.id, { limit: 3, endingBefore: second.data[0]!.seq });
    assert.deepEqual(
      back.data.map((t) => t.amount),
      [7n, 6n, 5n],
    );
  });

  it("answers balances as of a past moment, with and without history", async () => {
    for (const flags of [debitsMustNotExceedCredits, debitsMustNotExceedCredits | history]) {
      const { wallet, bank } = await fundedWallet(0n, "USD", flags);
      const t0 = clock;
      await ledger.createTransfers([
        { id: randomUUID(), debitAccountId: bank.id, creditAccountId: wallet.id, amount: 100n, code: "top_up" },
      ]);
      clock = new Date(clock.getTime() + 1000);
      const t1 = clock;
      const hold = randomUUID();
      await ledger.createTransfers([
        {
          id: hold,
          debitAccountId: wallet.id,
          creditAccountId: bank.id,
          amount: 30n,
          code: "withdrawal",
          pending: true,
        },
      ]);
      clock = new Date(clock.getTime() + 1000);
      const t2 = clock;
      await ledger.createTransfers([{ id: randomUUID(), postPendingId: hold }]);
      clock = new Date(clock.getTime() + 1000);
      const before = await ledger.getBalanceAsOf(wallet.id, new Date(t0.getTime() - 1));
      assert.equal(before!.posted, 0n);
      const atT1 = await ledger.getBalanceAsOf(wallet.id, t1);
      assert.equal(atT1!.posted, 100n);
      assert.equal(atT1!.available, 70n);
      const atT2 = await ledger.getBalanceAsOf(wallet.id, t2);
      assert.equal(atT2!.posted, 70n);
      assert.equal(atT2!.available, 70n);
    }
  });

  it("transferIdFor derives the same UUID from the same business key", () => {
    assert.equal(transferIdFor("pay_1", "capture"), transferIdFor("pay_1", "capture"));
    assert.notEqual(transferIdFor("pay_1", "capture"), transferIdFor("pay_1", "refund"));
    assert.match(transferIdFor("x"), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("verify finds a balance tampered with outside the ledger", async () => {
    const { wallet } = await fundedWallet(100n);
    await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1", [
      String(wallet.id),
    ]);
    const report = await verifyLedger(db.pool, { now: clock });
    assert.equal(report.ok, false);
    const kinds = new Set(report.violations.map((v) => v.kind));
    assert.ok(kinds.has("account_balance_mismatch"));
    assert.ok(kinds.has("ledger_unbalanced"));
    await db.pool.query("UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = $1", [
      String(wallet.id),
    ]);
    assert.deepEqual((await verifyLedger(db.pool, { now: clock })).violations, []);
  });

  it("the database itself refuses what the code should never write", async () => {
    const { wallet, bank } = await fundedWallet(100n);
    const insert = (amount: string, debit: bigint, credit: bigint) =>
      db.pool.query(
        `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, ledger, currency, code, flags, created_at)
         VALUES ($1, $2, $3, $4, 'test', 'USD', 'x', 0, now())`,
        [randomUUID(), String(debit), String(credit), amount],
      );
    await assert.rejects(insert("0", wallet.id, bank.id), /check constraint/);
    await assert.rejects(insert("-5", wallet.id, bank.id), /check constraint/);
    await assert.rejects(insert("5", wallet.id, wallet.id), /check constraint/);
    await assert.rejects(
      db.pool.query("UPDATE ledger_accounts SET debits_posted = credits_posted + 1 WHERE id = $1", [String(wallet.id)]),
      /ledger_accounts_debits_must_not_exceed_credits/,
    );
  });
});
