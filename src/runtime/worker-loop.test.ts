import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { capturingLogger } from "../../test/helpers/log-capture.js";
import { startWorkers, type Worker } from "./worker-loop.js";

describe("worker loops", () => {
  it("start more loops than Node's default listener limit without a leak warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const workers: Worker[] = Array.from({ length: 16 }, (_, index) => ({
      name: `idle-${index}`,
      intervalMs: 60_000,
      async run() {},
    }));
    const running = startWorkers(workers, capturingLogger().logger);
    await sleep(20); // warnings are emitted on the next tick
    await running.stop();
    process.off("warning", onWarning);
    assert.deepEqual(
      warnings.filter((warning) => warning.name === "MaxListenersExceededWarning").map((w) => w.message),
      [],
    );
  });

  it("run each worker repeatedly until stopped, and wait for the pass in progress", async () => {
    const log = capturingLogger();
    let passes = 0;
    let finishedLastPass = false;
    const worker: Worker = {
      name: "counter",
      intervalMs: 5,
      async run() {
        passes++;
        finishedLastPass = false;
        await sleep(20);
        finishedLastPass = true;
      },
    };
    const running = startWorkers([worker], log.logger);
    await sleep(120);
    await running.stop();
    const after = passes;
    assert.ok(after >= 3, `ran ${after} passes`);
    assert.equal(finishedLastPass, true, "stop() waited for the pass in progress");
    await sleep(50);
    assert.equal(passes, after, "no pass after stop");
  });

  it("keep looping after a failed pass and log it", async () => {
    const log = capturingLogger();
    let passes = 0;
    const running = startWorkers(
      [
        {
          name: "flaky",
          intervalMs: 1,
          async run() {
            passes++;
            if (passes === 1) throw new Error("database restarted");
          },
        },
      ],
      log.logger,
    );
    await sleep(40);
    await running.stop();
    assert.ok(passes >= 2);
    const failure = log
      .lines()
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === "worker pass failed");
    assert.equal(failure.worker, "flaky");
    assert.equal(failure.err.message, "database restarted");
  });

  it("wake a sleeping worker at once on stop", async () => {
    const log = capturingLogger();
    const running = startWorkers([{ name: "slow", intervalMs: 60_000, run: async () => {} }], log.logger);
    await sleep(10);
    const started = Date.now();
    await running.stop();
    assert.ok(Date.now() - started < 1_000);
  });
});
