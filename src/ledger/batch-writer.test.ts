import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { Pool, PoolClient } from "../db/pool.js";
import { ledgerBatchRetriesMax } from "../limits.js";
import { createBatchWriter } from "./batch-writer.js";
import { createCurrencyRegistry } from "./currencies.js";
import { AccountFlags } from "./model.js";
import { createLedgerService } from "./service.js";
import { verifyLedger } from "./verify.js";

/**
 * A pool over the real test database whose first COMMIT fails as a deadlock would (40P01), once: a transient
 * failure the writer must retry.
 */
function poolFailingFirstCommit(pool: Pool): Pool {
  let failed = false;
  const connect = async (): Promise<PoolClient> => {
    const client = await pool.connect();
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property !== "query") {
          const value = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (text: unknown, ...rest: unknown[]) => {
          if (text === "COMMIT" && !failed) {
            failed = true;
            return Promise.reject(Object.assign(new Error("deadlock detected"), { code: "40P01" }));
          }
          return (target.query as (...args: unknown[]) => Promise<unknown>)(text, ...rest);
        };
      },
    });
  };
  return { connect } as unknown as Pool;
}

describe("batch writer retries", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    assert.deepEqual((await verifyLedger(db.pool)).violations, []);
    await db.drop();
  });

  it("still retries a transient failure after more failed hooks than the retry budget", async () => {
    const ledger = createLedgerService({ pool: db.pool, currencies: createCurrencyRegistry() });
    const [bank, wallet] = await ledger.createAccounts(db.pool, [
      { ledger: "test", currency: "USD", code: "settlement" },
      { ledger: "test", currency: "USD", code: "wallet", flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    await ledger.close();
    const writer = createBatchWriter({ pool: poolFailingFirstCommit(db.pool), now: () => new Date() });
    const transfer = () => ({
      id: randomUUID(),
      debitAccountId: bank!.id,
      creditAccountId: wallet!.id,
      amount: 1n,
      code: "top_up",
    });
    // Submitted in one turn of the event loop: one batch. Every refused hook makes the writer plan it again.
    const good = writer.submit([transfer()], async () => {});
    const refused = Array.from({ length: ledgerBatchRetriesMax + 2 }, () =>
      writer.submit([transfer()], async () => {
        throw new Error("refused by its business rule");
      }),
    );
    const outcomes = await Promise.allSettled(refused);
    assert.ok(outcomes.every((o) => o.status === "rejected" && /business rule/.test(String(o.reason))));
    const [result] = await good;
    assert.equal(result?.code, "ok", "the deadlock on the last attempt was retried, not passed to the caller");
    await writer.close();
  });
});
