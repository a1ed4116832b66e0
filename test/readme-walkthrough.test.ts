import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { repoRoot, runCli } from "./helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "./helpers/db.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.js";

/**
 * The README's "Integration in five minutes", run as a newcomer would paste it: every shell block marked
 * `<!-- walkthrough -->` in that section, in order, in one bash session, against a real `coffer start` on the test
 * database in development. The only edit is the handler's address: the README's http://localhost:3000 becomes this
 * test's webhook receiver. It passes when the payment's payment.succeeded reaches the receiver, signed with the
 * secret `coffer dev` exported.
 */
const section = "## Integration in five minutes";
const marker = "<!-- walkthrough -->";
const readmeHandler = "http://localhost:3000";
const deliveryWaitMs = 30_000;

export function walkthroughCommands(readme: string): string[] {
  const start = readme.indexOf(section);
  assert.ok(start >= 0, `README.md has "${section}"`);
  const next = readme.indexOf("\n## ", start + section.length);
  const text = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...text.matchAll(/<!-- walkthrough -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  assert.equal(blocks.length, text.split(marker).length - 1, "every marker is followed by a ```sh block");
  return blocks;
}

describe("the README's five-minute walk-through", () => {
  let db: TestDatabase;
  let dataDir: string;
  let coffer: ReturnType<typeof runCli>;
  let port: string;
  let receiver: WebhookReceiver;

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "coffer-readme-"));
    receiver = await startWebhookReceiver();
    coffer = runCli(["start"], {
      DATABASE_URL: db.url,
      COFFER_ENV: "development",
      COFFER_DATA_DIR: dataDir,
      PORT: "0",
      LOG_LEVEL: "warn",
      COFFER_SCHEMA_COMPILATION: "eager", // the README's own start
    });
    port = new URL(await coffer.listening).port;
  });
  after(async () => {
    coffer.child.kill("SIGTERM");
    await coffer.exited;
    await receiver.stop();
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("runs by copy and paste to a verified payment.succeeded webhook", async () => {
    const commands = walkthroughCommands(await fs.readFile(path.join(repoRoot, "README.md"), "utf8"));
    assert.ok(commands.length >= 3, "the walk-through has its commands");
    assert.ok(
      commands.every((c) => !/sk_test_…|<[a-z ]+>/.test(c)),
      "no value left to copy by hand",
    );
    const script = [
      "set -eo pipefail",
      ...commands.map((c) => c.replaceAll(readmeHandler, `http://127.0.0.1:${receiver.port}`)),
      'printf "\\nWALKTHROUGH %s %s\\n" "$PAYMENT_ID" "$COFFER_WEBHOOK_SECRET"',
    ].join("\n");
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: port, COFFER_DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    // A newcomer's shell has none of these: the commands find coffer by PORT alone, as with the default 4000.
    for (const name of ["COFFER_API_URL", "COFFER_API_KEY", "DATABASE_URL"]) delete env[name];
    const shell = spawn("bash", ["-c", script], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    shell.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    shell.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => shell.once("exit", resolve));
    assert.equal(code, 0, `the commands ran:\n${out}\n${err}`);
    assert.doesNotMatch(out, /"error":\{/, `no command was refused:\n${out}`);
    assert.match(err, /Development merchant ready in test mode/);

    const [, paymentId, secret] = /WALKTHROUGH (pay_\S+) (whsec_\S+)/.exec(out) ?? [];
    assert.ok(paymentId && secret, `the payment and the secret:\n${out}`);
    const deadline = Date.now() + deliveryWaitMs;
    const succeeded = () =>
      receiver.received.find((w) => {
        const event = JSON.parse(w.body) as { type: string; data: { object: { id: string } } };
        return event.type === "payment.succeeded" && event.data.object.id === paymentId;
      });
    while (!succeeded() && Date.now() < deadline) await sleep(100);
    const webhook = succeeded();
    assert.ok(webhook, `payment.succeeded of ${paymentId} reached the handler`);
    const verified = new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>) as {
      livemode: boolean;
    };
    assert.equal(verified.livemode, false);

    // What the newcomer saw at start: one host form, the environment, the sandbox said out loud, no warnings.
    const banner = coffer.stderr();
    assert.match(banner, /is listening on http:\/\/127\.0\.0\.1:\d+\n {2}API reference: http:\/\/127\.0\.0\.1:/);
    assert.match(banner, /environment: +development/);
    assert.match(banner, /SANDBOX, DEVELOPMENT ONLY: identity checks approve automatically/);
    assert.doesNotMatch(banner, /MaxListenersExceededWarning|localhost/);
  });
});
