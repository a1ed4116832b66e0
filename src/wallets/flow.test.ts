import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  availableBalance,
  createWalletTestServices,
  linkBank,
  newestDevMessage,
  settleBank,
  signUpWallet,
  testOperatorAuthenticator,
  topUpAndSettle,
  verifyIdentity,
  WalletClient,
  walletEvents,
} from "../../test/helpers/wallets.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import { verifyLedger } from "../ledger/verify.js";
import type { Services } from "../runtime/services.js";

/** Account wallets end to end over HTTP, on the sandbox bank and a test clock. */
describe("account wallets: sign-up to withdrawal", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-03-10T09:00:00Z");
  const operator = (role = "admin") => ({ "x-test-operator": role });

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    services = createWalletTestServices({ pool: db.pool, clock });
    services.authenticators.push(testOperatorAuthenticator);
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
  });

  it("signs up, verifies identity, links a bank, tops up, sends to a second user and withdraws", async () => {
    const alice = await signUpWallet(app, db.pool, { displayName: "Alice" });
    const bob = await signUpWallet(app, db.pool, { displayName: "Bob" });
    const me = await alice.client.get("/v1/wallet/me");
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().tier, 0);
    assert.equal(me.json().livemode, true);

    await verifyIdentity(alice);
    assert.equal((await alice.client.get("/v1/wallet/me")).json().tier, 1);

    const source = await linkBank(alice);
    const listed = await alice.client.get("/v1/wallet/funding_sources");
    assert.equal(listed.json().data[0].status, "verified");
    assert.equal(listed.json().data[0].last4, "6789");
    assert.ok(!listed.body.includes("000123456789"), "the account number is never shown in full");
    const stored = await db.pool.query("SELECT account_number FROM wallet_funding_sources WHERE id = $1", [source]);
    assert.match(stored.rows[0].account_number, /^enc1\./, "the account number is encrypted at rest");

    // Top-up: pending until the sandbox bank settles, then credited.
    const topUp = await alice.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "150000" });
    assert.equal(topUp.statusCode, 201, topUp.body);
    assert.equal(topUp.json().status, "pending");
    assert.equal(await availableBalance(alice), "0");
    const balances = (await alice.client.get("/v1/wallet/balances")).json().data[0];
    assert.equal(balances.incoming, "150000");
    assert.equal(await services.wallets.bank.runDue(), 0, "nothing is due before the settle delay");
    assert.equal(await settleBank(services, clock), 1);
    const settled = await alice.client.get(`/v1/wallet/top_ups/${topUp.json().id}`);
    assert.equal(settled.json().status, "succeeded");
    assert.equal(await availableBalance(alice), "150000");

    // Send to Bob by email, with a note: Bob is notified.
    const sent = await alice.client.post("/v1/wallet/transfers", {
      to: bob.email,
      amount: "2500",
      currency: "USD",
      note: "lunch",
    });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.equal(sent.json().direction, "out");
    assert.equal(sent.json().recipient.name, "Bob");
    assert.equal(await availableBalance(alice), "147500");
    assert.equal(await availableBalance(bob), "2500");
    const seen = await bob.client.get(`/v1/wallet/transfers/${sent.json().id}`);
    assert.equal(seen.json().direction, "in");
    assert.equal(seen.json().sender.name, "Alice");
    const notice = await newestDevMessage(db.pool, bob.email, "wallet.transfer_received");
    assert.equal(notice.subject, "You received 25.00 USD");
    assert.match(notice.text, /Alice sent you 25\.00 USD[\s\S]*lunch/);

    // Withdraw: held at once, paid out when the bank confirms.
    const withdrawal = await alice.client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "40000" });
    assert.equal(withdrawal.statusCode, 201, withdrawal.body);
    assert.equal(withdrawal.json().status, "pending");
    const held = (await alice.client.get("/v1/wallet/balances")).json().data[0];
    assert.equal(held.available, "107500");
    assert.equal(held.held, "40000");
    await settleBank(services, clock);
    const paid = await alice.client.get(`/v1/wallet/withdrawals/${withdrawal.json().id}`);
    assert.equal(paid.json().status, "succeeded");
    const final = (await alice.client.get("/v1/wallet/balances")).json().data[0];
    assert.deepEqual([final.available, final.held], ["107500", "0"]);

    const types = (await walletEvents(db.pool, alice.id)).map((e) => e.type);
    assert.deepEqual(types, [
      "wallet_user.created",
      "kyc_submission.created",
      "wallet_user.tier_changed",
      "kyc_submission.approved",
      "funding_source.created",
      "funding_source.verified",
      "top_up.created",
      "top_up.succeeded",
      "wallet_transfer.sent",
      "withdrawal.created",
      "withdrawal.succeeded",
    ]);
    assert.ok((await walletEvents(db.pool, bob.id)).some((e) => e.type === "wallet_transfer.received"));
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
  });

  it("a top-up the bank rejects fails, says why, and credits nothing", async () => {
    const carol = await signUpWallet(app, db.pool);
    await verifyIdentity(carol);
    const source = await linkBank(carol, "5555550002"); // sandbox: insufficient funds at the bank
    const topUp = await carol.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "10000" });
    assert.equal(topUp.statusCode, 201);
    await settleBank(services, clock);
    const failed = await carol.client.get(`/v1/wallet/top_ups/${topUp.json().id}`);
    assert.equal(failed.json().status, "failed");
    assert.equal(failed.json().failure_code, "insufficient_funds");
    assert.equal(await availableBalance(carol), "0");
    const events = await walletEvents(db.pool, carol.id);
    const last = events.at(-1)!;
    assert.equal(last.type, "top_up.failed");
    assert.equal(last.data.object.failure_code, "insufficient_funds");
    const moved = await db.pool.query("SELECT count(*)::int AS n FROM ledger_transfers WHERE reference = $1", [
      topUp.json().id,
    ]);
    assert.equal(moved.rows[0].n, 0);
    const mail = await db.pool.query(
      "SELECT count(*)::int AS n FROM outbound_messages WHERE recipient = $1 AND template = 'wallet.top_up_failed'",
      [carol.email],
    );
    assert.equal(mail.rows[0].n, 1);
  });

  it("a withdrawal the bank fails releases its hold and its limit: the money is back", async () => {
    const dan = await signUpWallet(app, db.pool);
    await verifyIdentity(dan);
    const funding = await linkBank(dan, "7777770000");
    await topUpAndSettle(services, clock, dan, funding, "100000");
    const returning = await linkBank(dan, "8888880005"); // sandbox: credits fail with account_frozen
    const withdrawal = await dan.client.post("/v1/wallet/withdrawals", { funding_source: returning, amount: "45000" });
    assert.equal(withdrawal.statusCode, 201, withdrawal.body);
    assert.equal(await availableBalance(dan), "55000");
    const limitsBefore = (await dan.client.get("/v1/wallet/limits"))
      .json()
      .data.find((l: { currency: string }) => l.currency === "USD");
    assert.equal(limitsBefore.spent_today, "45000");
    await settleBank(services, clock);
    const failed = await dan.client.get(`/v1/wallet/withdrawals/${withdrawal.json().id}`);
    assert.equal(failed.json().status, "failed");
    assert.equal(failed.json().failure_code, "account_frozen");
    assert.equal(await availableBalance(dan), "100000");
    const held = (await dan.client.get("/v1/wallet/balances")).json().data[0].held;
    assert.equal(held, "0");
    const limitsAfter = (await dan.client.get("/v1/wallet/limits"))
      .json()
      .data.find((l: { currency: string }) => l.currency === "USD");
    assert.equal(limitsAfter.spent_today, "0", "a returned withdrawal no longer counts against the daily limit");
    const hold = await db.pool.query(
      "SELECT count(*) FILTER (WHERE flags & 8 <> 0)::int AS voids, count(*) FILTER (WHERE flags & 4 <> 0)::int AS posts FROM ledger_transfers WHERE reference = $1",
      [withdrawal.json().id],
    );
    assert.deepEqual(hold.rows[0], { voids: 1, posts: 0 });
    assert.equal((await walletEvents(db.pool, dan.id)).at(-1)!.type, "withdrawal.failed");
  });

  it("refuses what passes a limit and moves nothing", async () => {
    const erin = await signUpWallet(app, db.pool);
    const frank = await signUpWallet(app, db.pool);
    await verifyIdentity(erin);
    const source = await linkBank(erin);
    await topUpAndSettle(services, clock, erin, source, "400000");

    // Tier 1 USD (defaults): 2,000.00 per payment, 2,500.00 a day, cap 5,000.00.
    const tooBig = await erin.client.post("/v1/wallet/transfers", { to: frank.id, amount: "200001", currency: "USD" });
    assert.equal(tooBig.statusCode, 402);
    assert.equal(tooBig.json().error.code, "payment_limit_exceeded");

    const topUpOverCap = await erin.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "100001" });
    assert.equal(topUpOverCap.statusCode, 402);
    assert.equal(topUpOverCap.json().error.code, "balance_cap_exceeded");

    // Frank is tier 0: his cap (250.00) stops an incoming transfer that would pass it.
    const overRecipientCap = await erin.client.post("/v1/wallet/transfers", {
      to: frank.id,
      amount: "25001",
      currency: "USD",
    });
    assert.equal(overRecipientCap.statusCode, 422);
    assert.equal(overRecipientCap.json().error.code, "recipient_unavailable");

    // The step-up threshold is 500.00; stay below it and fill the day.
    for (let i = 0; i < 5; i++) {
      const ok = await erin.client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "50000" });
      assert.equal(ok.statusCode, 201, ok.body);
    }
    const overDaily = await erin.client.post("/v1/wallet/transfers", { to: frank.id, amount: "100", currency: "USD" });
    assert.equal(overDaily.statusCode, 402);
    assert.equal(overDaily.json().error.code, "daily_limit_exceeded");
    assert.equal(await availableBalance(frank), "0");
    assert.equal(await availableBalance(erin), "150000");

    // A new UTC day opens the daily limit again.
    await settleBank(services, clock);
    clock.advance(24 * 60 * 60 * 1000);
    const nextDay = await erin.client.post("/v1/wallet/transfers", { to: frank.id, amount: "100", currency: "USD" });
    assert.equal(nextDay.statusCode, 201, nextDay.body);
  });

  it("a frozen wallet moves no money in or out until it is unfrozen", async () => {
    const gina = await signUpWallet(app, db.pool);
    const hank = await signUpWallet(app, db.pool);
    await verifyIdentity(gina);
    const source = await linkBank(gina);
    await topUpAndSettle(services, clock, gina, source, "50000");

    const anonymous = new WalletClient(app);
    assert.equal((await anonymous.post(`/v1/ops/wallet_users/${gina.id}/freeze`, { reason: "x" })).statusCode, 401);
    assert.equal((await gina.client.post(`/v1/ops/wallet_users/${gina.id}/freeze`, { reason: "x" })).statusCode, 403);
    const reviewerTry = await anonymous.post(
      `/v1/ops/wallet_users/${gina.id}/freeze`,
      { reason: "x" },
      operator("reviewer"),
    );
    assert.equal(reviewerTry.statusCode, 403);
    const frozen = await anonymous.post(
      `/v1/ops/wallet_users/${gina.id}/freeze`,
      { reason: "suspected account takeover" },
      operator("support"),
    );
    assert.equal(frozen.statusCode, 200, frozen.body);
    assert.equal(frozen.json().frozen, true);

    const send = await gina.client.post("/v1/wallet/transfers", { to: hank.id, amount: "100", currency: "USD" });
    assert.equal(send.statusCode, 403);
    assert.equal(send.json().error.code, "wallet_frozen");
    const withdraw = await gina.client.post("/v1/wallet/withdrawals", { funding_source: source, amount: "100" });
    assert.equal(withdraw.json().error.code, "wallet_frozen");
    const topUp = await gina.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "100" });
    assert.equal(topUp.json().error.code, "wallet_frozen");
    const incoming = await hank.client.post("/v1/wallet/transfers", { to: gina.id, amount: "100", currency: "USD" });
    assert.equal(incoming.json().error.code, "recipient_unavailable");
    assert.equal((await gina.client.get("/v1/wallet/balances")).statusCode, 200, "a frozen user can still read");
    assert.equal(await availableBalance(gina), "50000");

    const audit = await db.pool.query(
      "SELECT action, actor_type, actor_id, details FROM audit_log WHERE target_id = $1 ORDER BY seq",
      [gina.id],
    );
    assert.deepEqual(
      audit.rows.map((r) => [r.action, r.actor_type, r.actor_id]),
      [["wallet_user.frozen", "operator", "op_test_support"]],
    );
    assert.equal(audit.rows[0].details.reason, "suspected account takeover");

    const unfrozen = await anonymous.post(`/v1/ops/wallet_users/${gina.id}/unfreeze`, {}, operator());
    assert.equal(unfrozen.json().frozen, false);
    const again = await gina.client.post("/v1/wallet/transfers", { to: hank.id, amount: "100", currency: "USD" });
    assert.equal(again.statusCode, 201, again.body);
    const types = (await walletEvents(db.pool, gina.id)).map((e) => e.type);
    assert.ok(types.includes("wallet_user.frozen") && types.includes("wallet_user.unfrozen"));
  });

  it("replays a money request sent again with its Idempotency-Key and moves the money once", async () => {
    const kim = await signUpWallet(app, db.pool);
    const lee = await signUpWallet(app, db.pool);
    await verifyIdentity(kim);
    const source = await linkBank(kim);
    const key = { "idempotency-key": "top-up-once" };
    const first = await kim.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "3000" }, key);
    const again = await kim.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "3000" }, key);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(again.json().id, first.json().id);
    await settleBank(services, clock);
    const sends = await Promise.all(
      Array.from({ length: 5 }, () =>
        kim.client.post(
          "/v1/wallet/transfers",
          { to: lee.id, amount: "500", currency: "USD" },
          { "idempotency-key": "send-1" },
        ),
      ),
    );
    const created = sends.filter((r) => r.statusCode === 201);
    assert.ok(created.length >= 1);
    assert.ok(sends.every((r) => r.statusCode === 201 || r.json().error.code === "idempotency_key_in_use"));
    assert.equal(new Set(created.map((r) => r.json().id)).size, 1);
    assert.equal(await availableBalance(lee), "500");
    assert.equal(await availableBalance(kim), "2500");
    const reused = await kim.client.post(
      "/v1/wallet/transfers",
      { to: lee.id, amount: "501", currency: "USD" },
      { "idempotency-key": "send-1" },
    );
    assert.equal(reused.json().error.code, "idempotency_key_reused");
    const otherUser = await lee.client.post(
      "/v1/wallet/transfers",
      { to: kim.id, amount: "100", currency: "USD" },
      { "idempotency-key": "send-1" },
    );
    assert.equal(otherUser.statusCode, 201, "keys belong to their wallet user");
  });

  it("times out at the bank, retries and then settles", async () => {
    const ivy = await signUpWallet(app, db.pool);
    await verifyIdentity(ivy);
    const source = await linkBank(ivy, "1234560004");
    const topUp = await ivy.client.post("/v1/wallet/top_ups", { funding_source: source, amount: "1000" });
    await settleBank(services, clock);
    const op = await db.pool.query(
      "SELECT status, failed_calls, last_error FROM wallet_bank_operations WHERE id = $1",
      [topUp.json().id],
    );
    assert.equal(op.rows[0].status, "submitted");
    assert.equal(op.rows[0].failed_calls, 1);
    assert.match(op.rows[0].last_error, /did not answer in time/);
    assert.equal((await ivy.client.get(`/v1/wallet/top_ups/${topUp.json().id}`)).json().status, "pending");
    clock.advance(60_000); // past the first retry delay
    await services.wallets.bank.runDue();
    assert.equal((await ivy.client.get(`/v1/wallet/top_ups/${topUp.json().id}`)).json().status, "succeeded");
    assert.equal(await availableBalance(ivy), "1000");
  });

  it("runs the identity review queue for submissions the provider hands to a person", async () => {
    const jo = await signUpWallet(app, db.pool);
    const submitted = await jo.client.post("/v1/wallet/kyc", {
      level: 1,
      full_name: "Jo March",
      id_number: "X-99991111", // sandbox: goes to review
      date_of_birth: "1995-05-05",
    });
    assert.equal(submitted.json().status, "pending_review");
    const again = await jo.client.post("/v1/wallet/kyc", {
      level: 1,
      full_name: "Jo March",
      id_number: "X-12345678",
      date_of_birth: "1995-05-05",
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "kyc_submission_pending");

    const anonymous = new WalletClient(app);
    const queue = await anonymous.get("/v1/ops/kyc_submissions", operator("reviewer"));
    assert.equal(queue.statusCode, 200, queue.body);
    const item = queue.json().data.find((i: { submission: { id: string } }) => i.submission.id === submitted.json().id);
    assert.equal(item.id_number, "X-99991111", "a reviewer sees the decrypted details");
    assert.equal(item.date_of_birth, "1995-05-05");
    assert.equal((await anonymous.get("/v1/ops/kyc_submissions", operator("support"))).statusCode, 403);

    const approved = await anonymous.post(
      `/v1/ops/kyc_submissions/${submitted.json().id}/approve`,
      {},
      operator("reviewer"),
    );
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, "approved");
    assert.equal((await jo.client.get("/v1/wallet/me")).json().tier, 1);
    assert.equal((await jo.client.get("/v1/wallet/me")).json().legal_name, "Jo March");
    const twice = await anonymous.post(
      `/v1/ops/kyc_submissions/${submitted.json().id}/reject`,
      { reason: "x" },
      operator(),
    );
    assert.equal(twice.json().error.code, "kyc_submission_not_pending");

    const underage = await signUpWallet(app, db.pool);
    const young = await underage.client.post("/v1/wallet/kyc", {
      level: 1,
      full_name: "Kid",
      id_number: "K-12345678",
      date_of_birth: "2015-01-01",
    });
    assert.equal(young.json().status, "rejected");
    assert.equal(young.json().decision_reason, "underage");
    const rejected = await underage.client.post("/v1/wallet/kyc", {
      level: 1,
      full_name: "Kid",
      id_number: "K-12340000", // sandbox: rejected
      date_of_birth: "1990-01-01",
    });
    assert.equal(rejected.json().status, "rejected");
    assert.equal((await underage.client.get("/v1/wallet/me")).json().tier, 0);
  });
});
