import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { catalogs } from "../../scripts/error-docs.js";
import { errorTypes } from "../../src/http/errors.js";
import { createLogger } from "../../src/logging.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { buildFuzzWorld, type FuzzWorld } from "./fuzz-callers.js";
import { type OpenApiDocument, type Operation, operationsOf } from "./fuzz-openapi.js";
import { fuzzSeed, seededRandom } from "./fuzz-random.js";
import { type FuzzRequest, fuzzRequest, type Sweep, sweepOf } from "./fuzz-requests.js";
import { changedTables, newestRows, tableChecksumQuery, tableChecksums } from "./table-checksums.js";

/**
 * The outside probe, in the suite: every operation of /openapi.json is sent malformed input (wrong types, huge and
 * odd text, amount forms, missing and extra fields, bad bodies and content types, path payloads, bad credentials)
 * as every kind of caller, from a fixed seed (FUZZ_SEED overrides it; the seed is printed). Asserted for every
 * answer: never a 5xx; every 4xx in the documented error shape with a code from the catalog at that code's status;
 * and a refused request changes no table (row checksums of the whole database around each batch).
 */
const defaultSeed = 20_261_207;
const requestsMin = 5_000;
const batchSize = 40;
/** GET /v1/wallet/payment_code issues a fresh one-minute payment code each time it is read: that is what it is for. */
const issuingReads = ["/v1/wallet/payment_code"];

const documented = new Map<string, Set<number>>();
for (const catalog of catalogs) {
  for (const [code, definition] of Object.entries(catalog.definitions)) {
    documented.set(code, (documented.get(code) ?? new Set()).add(definition.status));
  }
}

interface Sent {
  request: FuzzRequest;
  status: number;
}

/** What is wrong with an answer, or undefined when it is a documented one. */
function problemOf(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const status = response.statusCode;
  if (status >= 500) return `${status}: ${response.body.slice(0, 300)}`;
  if (status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return `${status} is not JSON: ${response.body.slice(0, 200)}`;
  }
  const error = (parsed as { error?: Record<string, unknown> }).error;
  if (!error || Object.keys(parsed as object).length !== 1) return `${status} without {error}: ${response.body}`;
  const keys = Object.keys(error).sort().join(",");
  if (keys !== "code,message,param,request_id,type") return `${status} error keys ${keys}`;
  if (!errorTypes.includes(error.type as never)) return `${status} error type ${String(error.type)}`;
  if (typeof error.message !== "string" || error.message === "") return `${status} without a message`;
  if (error.param !== null && typeof error.param !== "string") return `${status} param ${String(error.param)}`;
  // A replayed answer (Idempotency-Key) is the stored one, with the request id of the request that made it.
  const replayed = response.headers["idempotent-replayed"] === "true";
  if (!replayed && error.request_id !== response.headers["request-id"]) return `${status} request_id is not Request-Id`;
  const statuses = documented.get(String(error.code));
  if (!statuses) return `${status} undocumented code ${String(error.code)}`;
  if (!statuses.has(status)) return `${status} for ${String(error.code)}, documented as ${[...statuses].join("/")}`;
  return undefined;
}

describe("fuzzing every operation of the OpenAPI document", () => {
  let coffer: PaymentsCoffer;
  let world: FuzzWorld;
  let document: OpenApiDocument;
  let operations: Operation[];
  let checksumQuery: string;

  // What coffer logs at error level: a data exception the error handler turned into a 400 is still a validation
  // gap (a bug), and the fuzzer fails on it as on a 500.
  const errorLines: string[] = [];
  const logger = createLogger({
    level: "error",
    destination: new Writable({
      write(chunk, _encoding, done) {
        errorLines.push(String(chunk));
        done();
      },
    }),
  });

  before(async () => {
    coffer = await startPaymentsCoffer({ logger });
    world = await buildFuzzWorld(coffer);
    const response = await coffer.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(response.statusCode, 200);
    document = response.json();
    operations = operationsOf(document);
    checksumQuery = await tableChecksumQuery(coffer.db.pool);
  });
  after(() => coffer.close());

  const send = async (request: FuzzRequest) => {
    try {
      return await coffer.app.inject({
        method: request.method as "GET",
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
    } catch (error) {
      // A request the injector itself cannot build (a header value Node refuses) never reaches coffer.
      return { statusCode: 0, headers: {}, body: String(error) };
    }
  };

  it("capturing a fully captured payment again: the same capture answers it, another amount 409, never a 5xx", async () => {
    const capture = (body: unknown) =>
      coffer.app.inject({
        method: "POST",
        url: `/v1/payments/${world.capturedPaymentId}/capture`,
        headers: { ...world.headers("secret_test", "POST"), "content-type": "application/json" },
        payload: JSON.stringify(body),
      });
    for (const body of [{}, { amount_to_capture: "3000" }]) {
      const response = await capture(body);
      assert.equal(response.statusCode, 200, `${JSON.stringify(body)}: a retry of the capture answers the payment`);
    }
    for (const amount of ["100", "2999"]) {
      const response = await capture({ amount_to_capture: amount });
      assert.equal(response.statusCode, 409, `${amount}: ${response.body}`);
      assert.equal(problemOf(response), undefined, response.body);
    }
    for (const amount of ["0", "-1", "1.5", "1e3", "01", 1.5, null]) {
      const response = await capture({ amount_to_capture: amount });
      assert.equal(response.statusCode, 400, `${amount}: ${response.body}`);
      assert.equal(response.json().error.code, "amount_invalid");
    }
  });

  it(`sends at least ${requestsMin} malformed requests: no 5xx, documented 4xx, refusals write nothing`, async () => {
    const seed = fuzzSeed(defaultSeed);
    console.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
    const random = seededRandom(seed);
    const problems: string[] = [];
    const unverified: FuzzRequest[] = [];
    const statusCounts = new Map<number, number>();
    const unauthenticated = new Map<string, number>();
    const requestsById = new Map<string, FuzzRequest>();
    let sent = 0;
    let verified = 0;
    // First every input of every operation with each swept value, then random requests, round-robin over the
    // operations, up to requestsMin at least.
    const swept: [Operation, Sweep][] = operations.flatMap((op) =>
      sweepOf(document, op).map((s) => [op, s] as [Operation, Sweep]),
    );
    const randomCount =
      Math.ceil(Math.max(requestsMin - swept.length, operations.length) / operations.length) * operations.length;
    const total = swept.length + randomCount;
    const requestAt = (index: number): FuzzRequest => {
      if (index < swept.length) {
        const [operation, sweep] = swept[index] as [Operation, Sweep];
        return fuzzRequest(world, document, operation, random, sweep);
      }
      return fuzzRequest(world, document, operations[(index - swept.length) % operations.length] as Operation, random);
    };

    const describeRequest = (r: FuzzRequest) => `${r.method} ${r.url.slice(0, 120)} as ${r.caller} [${r.mutation}]`;
    const run = async (requests: FuzzRequest[]): Promise<Sent[]> => {
      const results: Sent[] = [];
      for (const request of requests) {
        const response = await send(request);
        sent++;
        statusCounts.set(response.statusCode, (statusCounts.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode === 0) continue;
        const problem = problemOf(response);
        if (problem) problems.push(`${describeRequest(request)} → ${problem}`);
        results.push({ request, status: response.statusCode });
        requestsById.set(String((response.headers as Record<string, unknown>)["request-id"]), request);
        const key = `${request.caller} ${response.statusCode}`;
        if (response.statusCode === 401) unauthenticated.set(key, (unauthenticated.get(key) ?? 0) + 1);
      }
      return results;
    };
    // Refusals write nothing; neither do reads, except the one read whose purpose is to issue something.
    const changesNothing = (r: Sent) =>
      r.status >= 400 || (r.request.method === "GET" && !issuingReads.some((path) => r.request.url.startsWith(path)));
    const reportChange = async (what: string, changed: string[], results: Sent[]) => {
      const rows = await Promise.all(
        changed.map(async (t) => `${t}: ${(await newestRows(coffer.db.pool, t)).join("\n    ")}`),
      );
      problems.push(
        `${what} changed ${changed.join(", ")}:\n  ${results.map((r) => `${r.status} ${describeRequest(r.request)}`).join("\n  ")}\n  newest rows:\n  ${rows.join("\n  ")}`,
      );
    };

    // A batch ends after batchSize requests, or early after one that may end a session (signing in or out,
    // switching modes): the callers are signed in again between batches, outside the checksums.
    let next = 0;
    while (next < total) {
      const before = await tableChecksums(coffer.db.pool, checksumQuery);
      const results: Sent[] = [];
      for (let count = 0; count < batchSize && next < total; count++, next++) {
        const request = requestAt(next);
        results.push(...(await run([request])));
        if (/\/(login|logout|mode)\b/.test(request.url)) {
          next++;
          break;
        }
      }
      const after = await tableChecksums(coffer.db.pool, checksumQuery);
      const accepted = results.filter((r) => !changesNothing(r));
      if (accepted.length === 0) {
        verified += results.length;
        const changed = changedTables(before, after);
        if (changed.length > 0) await reportChange("refused requests", changed, results);
      } else {
        // Some requests were accepted and changed data: the refused ones of the batch are sent again, on their own.
        const again = results.filter(changesNothing).map((r) => r.request);
        const replayed = await run(again);
        const afterReplay = await tableChecksums(coffer.db.pool, checksumQuery);
        if (replayed.every(changesNothing)) {
          verified += replayed.length;
          const changed = changedTables(after, afterReplay);
          if (changed.length > 0) await reportChange("refused requests (replayed)", changed, replayed);
        } else {
          unverified.push(...again);
        }
      }
      await world.refresh();
    }

    const statuses = [...statusCounts.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(
      `fuzz seed ${seed}: ${total} requests (${swept.length} swept, ${sent} with replays), ${verified} checked for writes, ${unverified.length} not (accepted on replay); statuses ${statuses.join(" ")}`,
    );
    console.log(
      `401 by caller: ${[...unauthenticated.entries()].map(([k, n]) => `${k.split(" ")[0]}×${n}`).join(" ")}`,
    );
    assert.ok(sent >= requestsMin, `sent ${sent}`);
    assert.ok(verified >= requestsMin * 0.8, `only ${verified} of ${sent} requests were checked for writes`);
    logger.flush();
    for (const line of errorLines.filter((l) => l.includes("escaped input validation"))) {
      const entry = JSON.parse(line) as { request_id?: string; err?: { code?: string; message?: string } };
      const request = requestsById.get(String(entry.request_id));
      const what = request ? describeRequest(request) : String(entry.request_id);
      problems.push(`${what} → got past validation to PostgreSQL: ${entry.err?.code} ${entry.err?.message}`);
    }
    assert.deepEqual(problems.slice(0, 30), [], `seed ${seed}: ${problems.length} problems`);
  });
});
