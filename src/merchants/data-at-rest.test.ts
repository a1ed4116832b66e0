import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { passSandboxGoLiveItems } from "../../test/helpers/go-live.js";
import {
  bankAccountNumber,
  enableTotp,
  fillKyb,
  idNumber,
  newMerchant,
  newOperator,
  samplePng,
  type TestMerchant,
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

  it("no column of any table holds a secret in clear", async () => {
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    assert.ok(tables.rows.length > 20);
    let dump = "";
    for (const { table_name } of tables.rows) {
      const rows = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      dump += rows.rows.map((r) => r.row).join("\n");
    }
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
