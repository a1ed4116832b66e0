import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { passSandboxGoLiveItems } from "../../test/helpers/go-live.js";
import {
  bankAccountNumber,
  enableTotp,
  fillKyb,
  idNumber,
  logIn,
  newMerchant,
  newOperator,
  samplePng,
  type TestMerchant,
  tokenFromMail,
  uniqueEmail,
  waitForMail,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";

const execFileAsync = promisify(execFile);

/**
 * After a merchant has done everything (KYB with bank account, ID number and documents, TOTP, keys of every kind,
 * rolled and revealed), a dump of the database holds none of the secrets in clear: every column of every table is
 * read as text (bytea as hex), and pg_dump's output is searched too when its version can dump this server.
 */
describe("secrets at rest", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let m: TestMerchant;
  const secrets: Record<string, string> = {};

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    m = await newMerchant(app, sink, "Vault Shop");
    secrets.totp = await enableTotp(m.client, clock);
    await fillKyb(m.client);
    const applicationId = (await m.client.post("/v1/console/kyb/submit")).json().id;
    const reviewer = await newOperator(app, services, "reviewer");
    assert.equal((await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/approve`)).statusCode, 200);

    const keys = (await m.client.get("/v1/console/api_keys")).json();
    const signupKey = keys.data.find((k: { revealable: boolean }) => k.revealable);
    secrets.revealed = (await m.client.post(`/v1/console/api_keys/${signupKey.id}/reveal`)).json().secret;
    await (await passSandboxGoLiveItems(m.client)).stop();
    const live = (await m.client.post("/v1/console/api_keys", { type: "secret", livemode: true })).json();
    secrets.live = live.secret;
    secrets.rolled = (
      await m.client.post(`/v1/console/api_keys/${live.id}/roll`, { overlap_seconds: 60 })
    ).json().secret;
    secrets.restricted = (
      await m.client.post("/v1/console/api_keys", { type: "restricted", scopes: { account: "read" } })
    ).json().secret;
    secrets.session = m.client.cookie!;
    // The sign-up test key of a second merchant stays unrevealed: its encrypted copy is in the table.
    await newMerchant(app, sink, "Quiet Shop");
    for (const [name, value] of Object.entries(secrets)) assert.ok(value && value.length >= 16, name);
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  function needles(): [string, string][] {
    const list: [string, string][] = [
      ["bank account number", bankAccountNumber],
      ["ID number", idNumber],
      ["document content", samplePng.toString("base64").slice(8, 60)],
      ["document bytes", samplePng.subarray(16, 48).toString("hex")],
    ];
    for (const [name, value] of Object.entries(secrets)) {
      list.push([name, value], [`${name} (hex)`, Buffer.from(value).toString("hex")]);
    }
    return list;
  }

  /** Every row of every table as text (bytea as hex), like a data-only dump. */
  async function dumpEverything(): Promise<string> {
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    assert.ok(tables.rows.length > 20);
    let dump = "";
    for (const { table_name } of tables.rows) {
      const rows = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      dump += rows.rows.map((r) => r.row).join("\n");
    }
    return dump;
  }

  it("no column of any table holds a secret in clear", async () => {
    const dump = await dumpEverything();
    assert.ok(dump.includes("3445"), "the dump is real: it holds the last four of the account number");
    for (const [name, value] of needles()) {
      assert.ok(!dump.includes(value), `${name} is in the database in clear`);
    }
  });

  it("nor does pg_dump's output (when pg_dump can dump this server)", async (t) => {
    let output: string;
    try {
      output = (await execFileAsync("pg_dump", ["--data-only", db.url], { maxBuffer: 256 * 1024 * 1024 })).stdout;
    } catch (error) {
      t.skip(`pg_dump cannot dump this server: ${(error as Error).message.split("\n")[0]}`);
      return;
    }
    assert.ok(output.includes("kyb_applications"));
    for (const [name, value] of needles()) {
      assert.ok(!output.includes(value), `${name} is in pg_dump's output in clear`);
    }
  });

  it("keeps no one-time token of a sent mail: verification, reset, invite and wallet code work only from the mail", async () => {
    const quiet = await newMerchant(app, sink, "Reset Shop");
    const invitee = uniqueEmail("invitee");
    const walletEmail = uniqueEmail("wallet");
    const asked = [
      await app.inject({ method: "POST", url: "/v1/console/password_reset", payload: { email: quiet.email } }),
      await m.client.post("/v1/console/team/invites", { email: invitee, role: "developer" }),
      await app.inject({
        method: "POST",
        url: "/v1/wallet/signup",
        payload: { email: walletEmail, password: "a long and quiet river" },
      }),
    ];
    assert.deepEqual(
      asked.map((r) => r.statusCode),
      [202, 201, 202],
    );
    const reset = await waitForMail(sink, quiet.email, /Reset your coffer password/);
    const invite = await waitForMail(sink, invitee, /invited you/);
    const code = await waitForMail(sink, walletEmail, /code/);
    // Each mail's row is marked sent after the SMTP server took it; wait for that before looking.
    for (let i = 0; ; i++) {
      const pending = await db.pool.query("SELECT 1 FROM outbound_messages WHERE status IN ('pending', 'sending')");
      if (pending.rowCount === 0) break;
      assert.ok(i < 200, "mail was never marked sent");
      await sleep(25);
    }

    const tokens = sink.mails.flatMap((mail) =>
      [...mail.text.matchAll(/[?&]token=([A-Za-z0-9_-]+)/g)].map((t) => t[1]!),
    );
    const verificationTokens = sink.mails.filter((mail) => /Verify your email/.test(mail.subject)).length;
    assert.ok(verificationTokens >= 3 && tokens.length >= verificationTokens + 2, "the mails hold the tokens");
    const walletCode = /code is (\d{6})/.exec(code.text)?.[1];
    assert.ok(walletCode);
    const dump = await dumpEverything();
    assert.ok(dump.includes(walletEmail), "the dump is real: it holds the message rows");
    for (const token of tokens) {
      assert.ok(!dump.includes(token), `a mailed token (${token.slice(0, 6)}…) is in the database in clear`);
      assert.ok(!dump.includes(Buffer.from(token).toString("hex")), "a mailed token is in the database as hex");
    }
    assert.ok(!dump.includes(`code is ${walletCode}`), "the wallet code's message is in the database in clear");
    const kept = await db.pool.query(
      "SELECT count(*)::int AS n FROM outbound_messages WHERE content_enc IS NOT NULL OR body IS NOT NULL",
    );
    assert.equal(kept.rows[0].n, 0, "sent messages keep their metadata only");

    // The real deliveries got what the database no longer has: every token still works from its mail.
    const newPassword = "a brand new tea ceremony";
    const confirmed = await app.inject({
      method: "POST",
      url: "/v1/console/password_reset/confirm",
      payload: { token: tokenFromMail(reset.text), password: newPassword },
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    await logIn(app, { email: quiet.email, password: newPassword });
    const accepted = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token: tokenFromMail(invite.text), password: "an invited tea taster" },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const verification = asked[2]!.json().id;
    const verified = await app.inject({
      method: "POST",
      url: "/v1/wallet/verify",
      payload: { verification, code: walletCode },
    });
    assert.equal(verified.statusCode, 201, verified.body);
  });

  it("still works: the live key authenticates and reviewers read the numbers back", async () => {
    const account = await app.inject({ url: "/v1/account", headers: { authorization: `Bearer ${secrets.rolled}` } });
    assert.equal(account.json().livemode, true);
    const stored = await db.pool.query(
      "SELECT bank_account_number_enc, representative_id_number_enc FROM kyb_applications WHERE merchant_id = $1",
      [m.merchantId],
    );
    assert.match(stored.rows[0].bank_account_number_enc, /^enc1\./);
    assert.match(stored.rows[0].representative_id_number_enc, /^enc1\./);
  });
});
