import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db.js";
import { loadMigrations } from "./db/migrate.js";
import { cofferVersion } from "./version.js";

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  const cli = runCli(args, env);
  const exit = await cli.exited;
  return { code: exit.code, stdout: cli.stdout(), stderr: cli.stderr() };
}

describe("the coffer CLI", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
  });
  after(async () => {
    await db.drop();
  });

  it("prints its version", async () => {
    const result = await run(["version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `coffer ${cofferVersion}\n`);
  });

  it("lists its commands and explains one", async () => {
    const overview = await run(["--help"]);
    assert.equal(overview.code, 0);
    for (const command of ["start", "migrate", "verify", "version", "help"])
      assert.match(overview.stdout, new RegExp(`^  ${command} `, "m"));
    const start = await run(["help", "start"]);
    assert.equal(start.code, 0);
    assert.match(start.stdout, /coffer start \[--port N\] \[--host H\] \[--role api\|worker\|all\]/);
    const viaFlag = await run(["start", "--help"]);
    assert.equal(viaFlag.stdout, start.stdout);
  });

  it("exits 2 on an unknown command or option", async () => {
    const command = await run(["frobnicate"]);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "frobnicate"/);
    const option = await run(["start", "--colour", "blue"]);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /Unknown option '--colour'/);
  });

  it("exits 2 with every configuration problem listed", async () => {
    const result = await run(["start", "--role", "boss"], { PORT: "99999", DATABASE_URL: "mysql://x" });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid configuration/);
    assert.match(result.stderr, /PORT must be from 0 to 65535/);
    assert.match(result.stderr, /COFFER_ROLE must be one of all, api, worker, got "boss"/);
    assert.match(result.stderr, /DATABASE_URL must start with postgres:\/\//);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace for a configuration error");
  });

  it("migrates an empty database", async () => {
    await db.pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    const result = await run(["migrate"], { DATABASE_URL: db.url });
    assert.equal(result.code, 0, result.stderr);
    const latest = (await loadMigrations()).at(-1)!;
    assert.match(result.stdout, /^applied 0001_foundation$/m);
    assert.match(result.stdout, new RegExp(`is at migration ${latest.version}$`, "m"));
    const again = await run(["migrate"], { DATABASE_URL: db.url });
    assert.doesNotMatch(again.stdout, /applied/);
  });
});
