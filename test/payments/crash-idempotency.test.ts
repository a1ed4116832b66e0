import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { Role } from "../../src/config.js";
import { idempotencyInProgressStaleMs } from "../../src/limits.js";
import { runCli } from "../helpers/cli.js";
import {
  type Attempt,
  CofferFleet,
  type CrashLoadResult,
  callApi,
  errorCodeOf,
  finalAnswer,
  type LoadJob,
  runCrashLoad,
  sendJob,
  signUpTestMerchant,
} from "../helpers/crash-load.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

/**
 * Idempotent POSTs across crashes, from the outside: real coffer processes under a load of payments, wallet
 * confirmations, payment-code charges and partial refunds, each request with its own Idempotency-Key, are killed
 * with SIGKILL while requests are in flight and started again on the same database. Every request that got no answer
 * is sent again with its same key and body until it gets one, as a client must. Then the database must show each
 * request's effect at most once (and exactly once when it was acknowledged), the payers' wallets moved by what was
 * asked and no more, replays answer what the first answer said, and `coffer verify` is clean.
 *
 * When to kill: once answers flow after a (re)start (a random count of them), the killer lies in wait up to
 * windowWaitMs for a request whose effect is committed while its key is still in progress, and kills the process
 * serving it; with the answer stored in the effect's transaction that moment never comes, and the kill lands then at
 * a random point of the load. Without the wait, kills land almost only in the slow payment-code requests, and a bug
 * in the fast routes (qr payments, refunds) goes unseen in most runs.
 *
 * A key whose request died with its process stays "in progress" for idempotencyInProgressStaleMs (15 s) before a
 * retry may take it over. Rather than wait that long, the driver ages such claims in the database once their
 * process is gone (ageDeadClaims): what a client retrying that much later would meet.
 */

const loadCallersCount = 32;
const killRoundsCount = 3;
// Kill once answers flow again after a (re)start: the callers are then all mid-request.
const answersBeforeKillMin = 16;
const answersBeforeKillMax = 64;
const answersAfterLastRestart = 48;
const windowWaitMs = 2_000;
const newJobsWhileRestartingMax = 48;
/** Which requests each kill lies in wait for: the fast single-transaction routes first, where windows are narrow. */
const windowKindsByRound: readonly (readonly JobKind[])[] = [
  ["create_qr"],
  ["refund"],
  ["confirm", "payer_code", "magic_code"],
];
const answerWaitMs = 15_000;
const retryPauseMs = 200;
const loadDeadlineMs = 60_000;
const setupConcurrency = 16;
const confirmPayersCount = 16;
const confirmTargetsCount = 150;
const payerCodeJobsCount = 8;
const payerCodeJobEvery = 12; // one job in this many is a payer's own payment code, while payers are left
const refundSourcesCount = 24;
// Outstanding requests per lane: a payer's wallet, a payment's refunds (coffer runs each of those one at a time).
const confirmsPerPayerMax = 1;
const refundsPerPaymentMax = 1;
const magicCodesOutstandingMax = 4;
const refundSourceAmountMinor = 40_000; // below the wallet's step-up threshold (500.00 USD)
const bigPayerBalanceMinor = "2000000";
const codePayerBalanceMinor = "100000";
const magicSuccessCode = "880000000000000001"; // docs/sandbox.md: the merchant's scripted payer, charged at once
const caseTimeoutMs = 240_000; // the load (loadDeadlineMs) plus three restarts, each up to ~20 s on a loaded 2-core machine
// A small pool under this load: answers queue for a connection as on a saturated server, which is when the step
// between an effect and its stored answer takes long enough for a crash to land in it.
const cofferDbPoolSize = 4;
/** Shares of the new requests, in tenths; the rest, and whatever finds its lane full, are qr payments. */
const jobMix = { confirm: 2, refund: 2, magic_code: 3 } as const;

type JobKind = "create_qr" | "magic_code" | "payer_code" | "confirm" | "refund";

interface CrashJob extends LoadJob {
  kind: JobKind;
  amount: bigint;
  /** Whose wallet the request moves (the refunded payment's payer for a refund). */
  payerId: string;
  /** confirm: the payment confirmed; refund: the payment refunded. */
  paymentId?: string;
}

interface Payer {
  id: string;
  token: string;
}

interface Shop {
  secretKey: string;
  merchantId: string;
  successPayerId: string;
  confirmTargets: { id: string; amount: bigint }[];
  confirmPayers: Payer[];
  refundSources: { id: string; payerId: string }[];
  codePayers: Payer[];
  payerIds: string[];
}

/** Runs fn over items, at most `limit` at a time. */
async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

const amountBetween = (min: number, max: number) => BigInt(randomInt(min, max + 1));

async function newTestPayer(baseUrl: string, secretKey: string, fields: Record<string, unknown>): Promise<Payer> {
  const made = await callApi<{ id: string; session_token: string }>(
    baseUrl,
    "POST",
    "/v1/test_helpers/wallet_users",
    secretKey,
    { currency: "USD", ...fields },
  );
  return { id: made.id, token: made.session_token };
}

/** What exists before the load: test payers, payments to confirm, paid payments to refund, the scripted payer. */
async function setUpShop(db: TestDatabase, baseUrl: string, merchant: { merchantId: string; secretKey: string }) {
  const { secretKey } = merchant;
  const bigPayer = { balance: bigPayerBalanceMinor, tier: 2 };
  const confirmPayers = await inParallel(Array.from({ length: confirmPayersCount }), setupConcurrency, () =>
    newTestPayer(baseUrl, secretKey, bigPayer),
  );
  const refundPayer = await newTestPayer(baseUrl, secretKey, bigPayer);
  // Own codes are charged at once up to password_free_limit, like a small purchase at a till.
  const codePayers = await inParallel(Array.from({ length: payerCodeJobsCount }), setupConcurrency, () =>
    newTestPayer(baseUrl, secretKey, { balance: codePayerBalanceMinor, password_free_limit: codePayerBalanceMinor }),
  );

  // The success scenario's payer is made on the first use of its code.
  const warmUp = await callApi<{ id: string; status: string }>(baseUrl, "POST", "/v1/payments", secretKey, {
    amount: "100",
    currency: "USD",
    method: "payment_code",
    payment_code: magicSuccessCode,
  });
  assert.equal(warmUp.status, "succeeded");
  const successPayerId = (
    await db.pool.query<{ payer_id: string }>("SELECT payer_id FROM payments WHERE id = $1", [warmUp.id])
  ).rows[0]!.payer_id;

  const confirmTargets = await inParallel(Array.from({ length: confirmTargetsCount }), setupConcurrency, async () => {
    const amount = amountBetween(200, 999);
    const created = await callApi<{ id: string }>(baseUrl, "POST", "/v1/payments", secretKey, {
      amount: String(amount),
      currency: "USD",
      method: "qr",
    });
    return { id: created.id, amount };
  });
  const refundSources = await inParallel(Array.from({ length: refundSourcesCount }), setupConcurrency, async () => {
    const created = await callApi<{ id: string }>(baseUrl, "POST", "/v1/payments", secretKey, {
      amount: String(refundSourceAmountMinor),
      currency: "USD",
      method: "qr",
    });
    const paid = await callApi<{ status: string }>(
      baseUrl,
      "POST",
      `/v1/wallet/payments/${created.id}/confirm`,
      refundPayer.token,
      {},
    );
    assert.equal(paid.status, "succeeded");
    return { id: created.id, payerId: refundPayer.id };
  });

  const shop: Shop = {
    ...merchant,
    successPayerId,
    confirmTargets,
    confirmPayers,
    refundSources,
    codePayers,
    payerIds: [successPayerId, refundPayer.id, ...confirmPayers.map((p) => p.id), ...codePayers.map((p) => p.id)],
  };
  return shop;
}

/**
 * New requests for the load: a mix of every idempotent POST that moves money or makes an object. Work on one payer's
 * wallet or one payment's refunds runs one at a time inside coffer; a lane keeps few such requests outstanding at
 * once, so the callers are not all queued behind one payer when the process dies.
 */
function jobFactory(shop: Shop, caseName: string): () => CrashJob {
  let index = 0;
  let confirmsUsed = 0;
  let codePayersUsed = 0;
  const lanes = new Map<string, CrashJob[]>();
  const laneHasRoom = (lane: string, outstandingMax: number) => {
    const outstanding = (lanes.get(lane) ?? []).filter((j) => !finalAnswer(j));
    lanes.set(lane, outstanding);
    return outstanding.length < outstandingMax;
  };
  const inLane = (lane: string, job: CrashJob) => {
    lanes.get(lane)!.push(job);
    return job;
  };
  const merchantJob = (kind: JobKind, key: string, path: string, body: unknown, amount: bigint, payerId: string) => ({
    kind,
    key,
    path,
    bearer: shop.secretKey,
    body,
    attempts: [],
    amount,
    payerId,
  });

  return () => {
    index++;
    // The key names the request; the request names its key (metadata, description) so its effect can be found.
    const key = `crash-${caseName}-${index}-${randomBytes(4).toString("hex")}`;
    const codePayer = shop.codePayers[codePayersUsed];
    if (index % payerCodeJobEvery === 0 && codePayer) {
      codePayersUsed++;
      const amount = amountBetween(300, 399);
      const job: CrashJob = merchantJob("payer_code", key, "/v1/payments", undefined, amount, codePayer.id);
      // A fresh code just before the first send (a code lives one minute; a new one ends the one before).
      job.prepare = async (baseUrl) => {
        const { code } = await callApi<{ code: string }>(baseUrl, "GET", "/v1/wallet/payment_code", codePayer.token);
        job.body = {
          amount: String(amount),
          currency: "USD",
          method: "payment_code",
          payment_code: code,
          metadata: { crash_key: key },
        };
      };
      return job;
    }

    const roll = randomInt(10);
    const target = shop.confirmTargets[confirmsUsed];
    const payer = shop.confirmPayers.find((p) => laneHasRoom(p.id, confirmsPerPayerMax));
    if (roll < jobMix.confirm && target && payer) {
      confirmsUsed++;
      return inLane(payer.id, {
        kind: "confirm",
        key,
        path: `/v1/wallet/payments/${target.id}/confirm`,
        bearer: payer.token,
        body: {},
        attempts: [],
        amount: target.amount,
        payerId: payer.id,
        paymentId: target.id,
      });
    }
    const source = shop.refundSources.find((r) => laneHasRoom(r.id, refundsPerPaymentMax));
    if (roll >= jobMix.confirm && roll < jobMix.confirm + jobMix.refund && source) {
      const amount = amountBetween(50, 149);
      const body = { payment: source.id, amount: String(amount), description: key };
      return inLane(source.id, {
        ...merchantJob("refund", key, "/v1/refunds", body, amount, source.payerId),
        paymentId: source.id,
      });
    }
    if (
      roll >= jobMix.confirm + jobMix.refund &&
      roll < jobMix.confirm + jobMix.refund + jobMix.magic_code &&
      laneHasRoom(shop.successPayerId, magicCodesOutstandingMax)
    ) {
      const amount = amountBetween(100, 199);
      const body = {
        amount: String(amount),
        currency: "USD",
        method: "payment_code",
        payment_code: magicSuccessCode,
        metadata: { crash_key: key },
      };
      return inLane(
        shop.successPayerId,
        merchantJob("magic_code", key, "/v1/payments", body, amount, shop.successPayerId),
      );
    }
    const amount = amountBetween(100, 999);
    const body = { amount: String(amount), currency: "USD", method: "qr", metadata: { crash_key: key } };
    return merchantJob("create_qr", key, "/v1/payments", body, amount, "");
  };
}

/**
 * The first of these requests whose effect is committed while its key is still in progress: a kill now leaves the
 * effect without its stored answer, unless both are written in one transaction (then this is never seen).
 */
async function findInCrashWindow(
  db: TestDatabase,
  merchantId: string,
  inFlight: CrashJob[],
  kinds: readonly JobKind[],
): Promise<CrashJob | undefined> {
  const watched = inFlight.filter((j) => kinds.includes(j.kind));
  if (watched.length === 0) return undefined;
  // One pass over each table (hashed IN lists), so the answer comes while the window is still open.
  const found = await db.pool.query<{ key: string }>(
    `WITH held AS (
       SELECT w.key, w.confirmed_payment FROM unnest($1::text[], $2::text[]) AS w(key, confirmed_payment)
         JOIN idempotency_keys k ON k.key = w.key AND k.state = 'in_progress')
     SELECT key FROM held
      WHERE key IN (SELECT metadata->>'crash_key' FROM payments WHERE merchant_id = $3)
         OR key IN (SELECT description FROM refunds WHERE merchant_id = $3)
         OR confirmed_payment IN (SELECT id FROM payments WHERE id = ANY($2) AND status = 'succeeded')
      LIMIT 1`,
    [watched.map((j) => j.key), watched.map((j) => (j.kind === "confirm" ? j.paymentId! : null)), merchantId],
  );
  const key = found.rows[0]?.key;
  return key === undefined ? undefined : watched.find((j) => j.key === key);
}

/** Posted balances (credits − debits) of wallets in USD. */
async function walletBalances(db: TestDatabase, walletUserIds: string[]): Promise<Map<string, bigint>> {
  const found = await db.pool.query<{ wallet_user_id: string; posted: string }>(
    `SELECT wa.wallet_user_id, (la.credits_posted - la.debits_posted)::text AS posted
       FROM wallet_accounts wa JOIN ledger_accounts la ON la.id = wa.ledger_account_id
      WHERE wa.currency = 'USD' AND wa.wallet_user_id = ANY($1)`,
    [walletUserIds],
  );
  return new Map(found.rows.map((r) => [r.wallet_user_id, BigInt(r.posted)]));
}

/** Same request, same key, once more: it must be the first answer again, marked as replayed. */
async function replayAll(fleet: CofferFleet, jobs: CrashJob[]): Promise<string[]> {
  const mismatches: string[] = [];
  await inParallel(
    jobs.filter((j) => finalAnswer(j)),
    loadCallersCount,
    async (job) => {
      // The driver stops at the first answer that settles a request, so that one is the first answer.
      const first = finalAnswer(job)!;
      const targets = fleet.apis();
      const again = await sendJob(job, targets[randomInt(targets.length)]!, answerWaitMs);
      if (!again.answered) {
        mismatches.push(`${job.kind} ${job.key}: no answer to the replay (${again.error})`);
        return;
      }
      const same = again.status === first.status && isDeepStrictEqual(JSON.parse(again.body), JSON.parse(first.body));
      if (!same || !again.replayed) {
        mismatches.push(
          `${job.kind} ${job.key}: first ${first.status} ${first.body.slice(0, 160)} | replay ${again.status}${
            again.replayed ? " (replayed)" : " (not marked replayed)"
          } ${again.body.slice(0, 160)}`,
        );
      }
    },
  );
  return mismatches;
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

interface Audit {
  duplicates: string[];
  doubleCharges: string[];
  missingEffects: string[];
  failedFinalAnswers: string[];
  ledgerMismatches: string[];
  overcharges: string[];
  replayMismatches: string[];
  unsettled: string[];
  verify: string[];
}

const finalPaymentStatuses = new Set(["succeeded", "failed", "canceled", "expired"]);

/** Everything the database says about the load's requests, against what each request asked for and was answered. */
async function audit(
  db: TestDatabase,
  shop: Shop,
  run: CrashLoadResult<CrashJob>,
  balancesBefore: Map<string, bigint>,
): Promise<Omit<Audit, "replayMismatches" | "verify">> {
  const out: Omit<Audit, "replayMismatches" | "verify"> = {
    duplicates: [],
    doubleCharges: [],
    missingEffects: [],
    failedFinalAnswers: [],
    ledgerMismatches: [],
    overcharges: [],
    unsettled: run.unsettled.map(
      (j) =>
        `${j.kind} ${j.key}: ${j.attempts.length} attempts, last ${
          j.attempts.at(-1)?.answered ? (j.attempts.at(-1) as { status: number }).status : "no answer"
        }`,
    ),
  };
  const payments = await db.pool.query<{
    id: string;
    key: string;
    status: string;
    payer_id: string | null;
  }>(
    `SELECT id, metadata->>'crash_key' AS key, status, payer_id FROM payments
      WHERE merchant_id = $1 AND metadata ? 'crash_key'`,
    [shop.merchantId],
  );
  const refunds = await db.pool.query<{ id: string; key: string; status: string }>(
    "SELECT id, description AS key, status FROM refunds WHERE merchant_id = $1 AND description LIKE 'crash-%'",
    [shop.merchantId],
  );
  const targets = await db.pool.query<{ id: string; status: string; payer_id: string | null }>(
    "SELECT id, status, payer_id FROM payments WHERE id = ANY($1)",
    [shop.confirmTargets.map((t) => t.id)],
  );
  const effectsByKey = new Map<string, { id: string; status: string; payer_id?: string | null }[]>();
  for (const row of [...payments.rows, ...refunds.rows]) {
    effectsByKey.set(row.key, [...(effectsByKey.get(row.key) ?? []), row]);
  }
  const targetById = new Map(targets.rows.map((r) => [r.id, r]));

  const expectedDelta = new Map<string, bigint>(shop.payerIds.map((id) => [id, 0n]));
  const move = (payerId: string, by: bigint) => expectedDelta.set(payerId, (expectedDelta.get(payerId) ?? 0n) + by);

  for (const job of run.jobs) {
    const effects =
      job.kind === "confirm"
        ? [targetById.get(job.paymentId!)!].filter((p) => p.status === "succeeded" && p.payer_id === job.payerId)
        : (effectsByKey.get(job.key) ?? []);
    if (effects.length > 1) {
      out.duplicates.push(
        `${job.kind} ${job.key}: ${effects.length} effects ${effects.map((e) => `${e.id} ${e.status}`).join(", ")}`,
      );
    }
    // What the request asked for, once: a duplicate shows up as a wallet moved by more than this.
    const done = effects.some((e) => e.status === "succeeded");
    if (done && job.kind === "refund") move(job.payerId, job.amount);
    else if (done && job.kind !== "create_qr") move(job.payerId, -job.amount);

    for (const attempt of job.attempts) {
      if (!attempt.answered || attempt.status >= 300) continue;
      const answered = JSON.parse(attempt.body) as { id: string; status: string };
      const stored = job.kind === "confirm" ? targetById.get(answered.id) : effects.find((e) => e.id === answered.id);
      const problem = !stored
        ? "not in the database"
        : job.kind === "confirm" && (answered.id !== job.paymentId || stored.payer_id !== job.payerId)
          ? `paid by ${stored.payer_id}, not the confirming payer`
          : finalPaymentStatuses.has(answered.status) && stored.status !== answered.status
            ? `answered ${answered.status}, stored ${stored.status}`
            : undefined;
      if (problem) out.missingEffects.push(`${job.kind} ${job.key}: ${answered.id} ${problem}`);
    }
    const final = finalAnswer(job);
    if (final && final.status >= 300) {
      out.failedFinalAnswers.push(
        `${job.kind} ${job.key}: ${final.status} ${errorCodeOf(final.body) ?? final.body.slice(0, 80)}` +
          ` after ${job.attempts.length} attempts, with ${effects.length} effect(s) in the database`,
      );
    }
  }

  const charges = await db.pool.query<{ reference: string; n: number }>(
    `SELECT reference, count(*)::int AS n FROM ledger_transfers
      WHERE code = 'payment' AND reference IN (SELECT id FROM payments WHERE merchant_id = $1)
      GROUP BY reference HAVING count(*) > 1`,
    [shop.merchantId],
  );
  out.doubleCharges = charges.rows.map((r) => `${r.reference}: ${r.n} charge transfers`);

  // The ledger against the payment and refund rows: each payer moved by its succeeded payments and refunds.
  const paid = await db.pool.query<{ payer_id: string; total: string }>(
    `SELECT payer_id, sum(amount_captured)::text AS total FROM payments
      WHERE merchant_id = $1 AND status = 'succeeded' AND (metadata ? 'crash_key' OR id = ANY($2))
      GROUP BY payer_id`,
    [shop.merchantId, shop.confirmTargets.map((t) => t.id)],
  );
  const refunded = await db.pool.query<{ payer_id: string; total: string }>(
    `SELECT p.payer_id, sum(r.amount)::text AS total FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.merchant_id = $1 AND r.status = 'succeeded' AND r.description LIKE 'crash-%'
      GROUP BY p.payer_id`,
    [shop.merchantId],
  );
  const storedDelta = new Map<string, bigint>();
  for (const r of paid.rows) storedDelta.set(r.payer_id, (storedDelta.get(r.payer_id) ?? 0n) - BigInt(r.total));
  for (const r of refunded.rows) storedDelta.set(r.payer_id, (storedDelta.get(r.payer_id) ?? 0n) + BigInt(r.total));
  const after = await walletBalances(db, shop.payerIds);
  for (const id of shop.payerIds) {
    const actual = (after.get(id) ?? 0n) - (balancesBefore.get(id) ?? 0n);
    if (actual !== (storedDelta.get(id) ?? 0n)) {
      out.ledgerMismatches.push(`${id}: wallet moved ${actual}, its payments and refunds say ${storedDelta.get(id)}`);
    }
    if (actual !== expectedDelta.get(id)) {
      out.overcharges.push(`${id}: wallet moved ${actual}, the requests asked for ${expectedDelta.get(id)}`);
    }
  }
  return out;
}

function countKinds(jobs: CrashJob[]): string {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.kind, (counts.get(j.kind) ?? 0) + 1);
  return `${jobs.length} (${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")})`;
}

function describeRun(run: CrashLoadResult<CrashJob>, fleet: CofferFleet, audit: Audit, verifyMs: number): string {
  const attempts = run.jobs.flatMap((j) => j.attempts);
  const answered = attempts.filter((a): a is Extract<Attempt, { answered: true }> => a.answered);
  const replayedAfterCrash = run.jobs.filter((j) => j.attempts.some((a, i) => i > 0 && a.answered && a.replayed));
  const statusCounts = new Map<number, number>();
  for (const a of answered) statusCounts.set(a.status, (statusCounts.get(a.status) ?? 0) + 1);
  const lines = [
    `requests: ${countKinds(run.jobs)}, attempts ${attempts.length}, load ${run.elapsedMs} ms`,
    `kills: ${run.kills.map((k) => `${k.victim} after ${k.answersBeforeKill} answers${k.inWindow ? ", a request in its window," : ""} with ${countKinds(k.inFlightAtKill)} in flight, back in ${k.restartMs} ms`).join("; ")}`,
    `answers by status: ${[...statusCounts].map(([s, n]) => `${s}×${n}`).join(", ")}`,
    `no answer ${run.noAnswerCount} (unexplained ${run.unexplainedNoAnswerCount}), 409 in_use ${run.inUseAnswerCount}, 5xx ${run.serverErrorAnswerCount}, claims aged past ${idempotencyInProgressStaleMs} ms: ${run.agedClaimsCount}`,
    `retries answered as replays (the first attempt had finished): ${replayedAfterCrash.length}; verify took ${verifyMs} ms`,
    `logged errors: ${[...fleet.loggedErrors()].map(([m, n]) => `${n}× ${m}`).join("; ") || "none"}`,
  ];
  const duplicatesByKind = new Map<string, number>();
  for (const d of audit.duplicates) {
    const kind = d.split(" ")[0]!;
    duplicatesByKind.set(kind, (duplicatesByKind.get(kind) ?? 0) + 1);
  }
  lines.push(`duplicated requests by kind: ${[...duplicatesByKind].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
  for (const [name, list] of Object.entries(audit)) {
    lines.push(`${name}: ${list.length}${list.length ? `\n    ${list.slice(0, 12).join("\n    ")}` : ""}`);
  }
  return lines.join("\n");
}

async function runCrashCase(
  t: TestContext,
  options: { name: string; processes: { name: string; role: Role }[] },
): Promise<void> {
  const db = await createTestDatabase({ poolSize: 4 });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-crash-"));
  const masterKey = randomBytes(32);
  const fleet = new CofferFleet({
    DATABASE_URL: db.url,
    COFFER_DATA_DIR: dataDir,
    COFFER_MASTER_KEY: masterKey.toString("hex"),
    DATABASE_POOL_SIZE: String(cofferDbPoolSize),
  });
  try {
    const merchant = await signUpTestMerchant(db, masterKey, `Crash Shop ${options.name}`);
    await Promise.all(options.processes.map((p) => fleet.start(p.name, p.role)));
    const shop = await setUpShop(db, fleet.apis()[0]!.url!, merchant);
    const balancesBefore = await walletBalances(db, shop.payerIds);

    const run = await runCrashLoad<CrashJob>({
      findInCrashWindow: (inFlight, round) =>
        findInCrashWindow(db, shop.merchantId, inFlight, windowKindsByRound[round % windowKindsByRound.length]!),
      windowWaitMs,
      newJobsWhileRestartingMax,
      fleet,
      pool: db.pool,
      nextJob: jobFactory(shop, options.name),
      callersCount: loadCallersCount,
      killRoundsCount,
      answersBeforeKillMin,
      answersBeforeKillMax,
      answersAfterLastRestart,
      answerWaitMs,
      retryPauseMs,
      deadlineMs: loadDeadlineMs,
    });
    const replayMismatches = await replayAll(fleet, run.jobs);
    await fleet.stopAll();

    const verifyStartedAt = Date.now();
    const verify = runCli(["verify"], { DATABASE_URL: db.url });
    const verified = await verify.exited;
    const verifyMs = Date.now() - verifyStartedAt;
    const result: Audit = {
      ...(await audit(db, shop, run, balancesBefore)),
      replayMismatches,
      verify:
        verified.code === 0 ? [] : [`exit ${verified.code}: ${verify.stdout()}${verify.stderr()}`.slice(0, 2_000)],
    };
    const report = describeRun(run, fleet, result, verifyMs);
    t.diagnostic(report);
    assert.equal(run.kills.length, killRoundsCount, `every kill happened\n${report}`);
    const counts = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.length]));
    assert.deepEqual(counts, Object.fromEntries(Object.keys(result).map((k) => [k, 0])), report);
  } finally {
    await fleet.stopAll();
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

describe("idempotent POSTs across crashes", () => {
  it("a retry with the same Idempotency-Key after a crash never pays twice", { timeout: caseTimeoutMs }, async (t) => {
    await runCrashCase(t, {
      name: "one",
      processes: [{ name: "coffer", role: "all" }],
    });
  });

  it("with two API processes and a worker, a retry on the surviving process after one is killed never pays twice", {
    timeout: caseTimeoutMs,
  }, async (t) => {
    await runCrashCase(t, {
      name: "two",
      processes: [
        { name: "api-a", role: "api" },
        { name: "api-b", role: "api" },
        { name: "worker", role: "worker" },
      ],
    });
  });
});
