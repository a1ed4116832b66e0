import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import {
  createWalletTestServices,
  linkBank,
  logInWallet,
  settleBank,
  signUpWallet,
  type TestWalletUser,
  topUpAndSettle,
  verifyIdentity,
} from "../../../test/helpers/wallets.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { verifyLedger } from "../../ledger/verify.js";
import type { Services } from "../../runtime/services.js";
import { parseCsv } from "../csv.js";

describe("wallet history: transactions and statements", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-01-10T09:00:00Z");
  let alice: TestWalletUser;
  let bob: TestWalletUser;
  const ids: Record<string, string> = {};

  before(async () => {
    db = await createTestDatabase();
    services = createWalletTestServices({ pool: db.pool, clock });
    app = await createTestApp({ pool: db.pool, services });
    alice = await signUpWallet(app, db.pool, { displayName: "Alice" });
    bob = await signUpWallet(app, db.pool, { displayName: "Bob" });
    await verifyIdentity(alice);
    const source = await linkBank(alice);
    const failing = await linkBank(alice, "2222220006"); // sandbox: every debit and credit fails
    await topUpAndSettle(services, clock, alice, source, "100000");
    const failedTopUp = await alice.client.post("/v1/wallet/top_ups", { funding_source: failing, amount: "500" });
    ids.failedTopUp = failedTopUp.json().id;
    clock.advance(60_000);
    const sent = await alice.client.post("/v1/wallet/transfers", {
      to: bob.id,
      amount: "2500",
      currency: "USD",
      note: 'rent, "January"',
    });
    ids.sent = sent.json().id;
    clock.advance(60_000);
    const paidOut = await alice.client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "10000" });
    ids.paidOut = paidOut.json().id;
    const returned = await alice.client.post("/v1/wallet/withdrawals", { funding_source: failing, amount: "5000" });
    ids.returned = returned.json().id;
    await settleBank(services, clock);
    clock.set(new Date("2026-02-03T08:00:00Z"));
    alice = await logInWallet(app, alice);
    bob = await logInWallet(app, bob);
    const february = await alice.client.post("/v1/wallet/transfers", {
      to: bob.email,
      amount: "1000",
      currency: "USD",
    });
    ids.february = february.json().id;
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
  });

  it("lists everything newest first, and pages forward and back with cursors", async () => {
    const all = await alice.client.get("/v1/wallet/transactions?limit=100");
    assert.equal(all.statusCode, 200, all.body);
    const rows = all.json().data as { id: string; type: string; status: string; description: string }[];
    assert.equal(rows.length, 6);
    assert.equal(rows[0]!.id, ids.february);
    assert.equal(rows[0]!.description, "Transfer to Bob");
    const failed = rows.find((r) => r.id === ids.failedTopUp)!;
    assert.deepEqual([failed.type, failed.status], ["top_up", "failed"]);
    assert.match(failed.description, /^Top-up from bank account •••• 0006$/);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await alice.client.get(
        `/v1/wallet/transactions?limit=2${cursor ? `&starting_after=${cursor}` : ""}`,
      );
      const data = page.json().data as { id: string }[];
      seen.push(...data.map((d) => d.id));
      if (!page.json().has_more) break;
      cursor = data.at(-1)!.id;
    }
    assert.deepEqual(
      seen,
      rows.map((r) => r.id),
    );
    const back = await alice.client.get(`/v1/wallet/transactions?limit=2&ending_before=${rows[4]!.id}`);
    assert.deepEqual(
      back.json().data.map((d: { id: string }) => d.id),
      [rows[2]!.id, rows[3]!.id],
    );
  });

  it("filters by type, status, direction and time", async () => {
    const ids_ = async (query: string, client = alice.client) =>
      (await client.get(`/v1/wallet/transactions?${query}`)).json().data.map((d: { id: string }) => d.id);
    assert.deepEqual(await ids_("type=transfer"), [ids.february, ids.sent]);
    assert.deepEqual(await ids_("type=withdrawal&status=failed"), [ids.returned]);
    assert.deepEqual(await ids_("status=failed"), [ids.returned, ids.failedTopUp]);
    const february = Date.UTC(2026, 1, 1) / 1000;
    assert.deepEqual(await ids_(`created_gte=${february}`), [ids.february]);
    assert.equal((await ids_(`created_lt=${february}`)).length, 5);
    assert.deepEqual(await ids_("direction=in", bob.client), [ids.february, ids.sent]);
    const bobView = (await bob.client.get("/v1/wallet/transactions")).json().data[1];
    assert.equal(bobView.description, "Transfer from Alice");
    assert.equal(bobView.note, 'rent, "January"');
    const bad = await alice.client.get("/v1/wallet/transactions?type=purchase");
    assert.deepEqual([bad.statusCode, bad.json().error.code], [400, "parameter_invalid"]);
  });

  it("writes a monthly statement as CSV with opening and closing balances", async () => {
    const response = await alice.client.get("/v1/wallet/statements/2026-01.csv");
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers["content-type"]), /^text\/csv; charset=utf-8/);
    assert.match(String(response.headers["content-disposition"]), /coffer-statement-2026-01\.csv/);
    const rows = parseCsv(response.body);
    assert.deepEqual(rows[0], ["date", "type", "transaction_id", "description", "amount", "currency", "balance"]);
    const body = rows.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[6]]);
    assert.deepEqual(body, [
      ["opening_balance", "", "", "", "0.00"],
      ["top_up", body[1]![1], "Top-up from bank account •••• 6789", "1000.00", "1000.00"],
      ["transfer", ids.sent, 'Transfer to Bob: rent, "January"', "-25.00", "975.00"],
      ["withdrawal", ids.paidOut, "Withdrawal to bank account •••• 6789", "-100.00", "875.00"],
      ["closing_balance", "", "", "", "875.00"],
    ]);
    assert.equal(rows[5]![0], "2026-02-01T00:00:00.000Z");

    const feb = parseCsv((await alice.client.get("/v1/wallet/statements/2026-02.csv?currency=USD")).body);
    assert.deepEqual(feb[1]!.slice(5), ["USD", "875.00"], "February opens where January closed");
    assert.deepEqual(feb.at(-1)!.slice(4), ["", "USD", "865.00"]);

    const bobs = parseCsv((await bob.client.get("/v1/wallet/statements/2026-01.csv")).body);
    assert.deepEqual(bobs[2]!.slice(3, 5), ['Transfer from Alice: rent, "January"', "25.00"]);
    const empty = parseCsv((await bob.client.get("/v1/wallet/statements/2025-12.csv")).body);
    assert.deepEqual(
      empty.slice(1).map((r) => [r[1], r[6]]),
      [
        ["opening_balance", "0.00"],
        ["closing_balance", "0.00"],
      ],
    );
  });
});
