import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { newOperator, SessionClient, uniqueEmail } from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";
import { totpCodeAt } from "../security/totp.js";

/** Operators: created by the CLI with a one-time password, forced to choose their own, TOTP, admin management. */
describe("operators", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    services = createTestServices({ pool: db.pool, clock });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    await app.close();
    await services.close();
    await db.drop();
  });

  const login = (body: Record<string, unknown>) => new SessionClient(app, "coffer_ops").post("/v1/ops/login", body);

  it("`coffer operator create` prints a one-time password that must be replaced at the first sign-in", async () => {
    const email = uniqueEmail("root");
    const cli = runCli(["operator", "create", "--email", email, "--role", "admin", "--name", "Root"], {
      DATABASE_URL: db.url,
    });
    const { code } = await cli.exited;
    assert.equal(code, 0, cli.stderr());
    const password = /one-time password: ([0-9A-Za-z]{24})/.exec(cli.stdout())?.[1];
    assert.ok(password, cli.stdout());
    assert.match(cli.stdout(), /operator op_[0-9A-Za-z]{22} created: .* \(admin\)/);

    const first = await login({ email, password });
    assert.equal(first.statusCode, 403);
    assert.equal(first.json().error.code, "password_change_required");
    const same = await login({ email, password, new_password: password });
    assert.equal(same.json().error.code, "parameter_invalid");
    const weak = await login({ email, password, new_password: "short" });
    assert.equal(weak.json().error.code, "password_too_short");
    const changed = await login({ email, password, new_password: "the root operator's own passphrase" });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().operator.must_change_password, false);
    assert.match(String(changed.headers["set-cookie"]), /^coffer_ops=[A-Za-z0-9_-]{43}; Path=\/v1\/ops; /);
    const reused = await login({ email, password });
    assert.equal(reused.json().error.code, "login_failed", "the one-time password worked once");

    const duplicate = runCli(["operator", "create", "--email", email, "--role", "admin"], { DATABASE_URL: db.url });
    assert.equal((await duplicate.exited).code, 1);
  });

  it("lets operators use TOTP, and then asks for the code", async () => {
    const reviewer = await newOperator(app, services, "reviewer");
    const enrollment = (await reviewer.post("/v1/ops/2fa/totp")).json();
    assert.match(enrollment.otpauth_uri, /^otpauth:\/\/totp\/coffer%20ops:op-reviewer/);
    const confirmed = await reviewer.post("/v1/ops/2fa/totp/confirm", {
      code: await totpCodeAt(enrollment.secret, clock.now()),
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().totp, true);
    clock.advance(30_000);
    const password = "reviewer keeps the queue moving";
    const without = await login({ email: reviewer.email, password });
    assert.equal(without.json().error.code, "two_factor_required");
    const code = await totpCodeAt(enrollment.secret, clock.now());
    assert.equal((await login({ email: reviewer.email, password, totp_code: code })).statusCode, 200);
    const replay = await login({ email: reviewer.email, password, totp_code: code });
    assert.equal(replay.json().error.code, "totp_replayed");
  });

  it("lets admins create operators (one-time password shown once), change roles and disable them", async () => {
    const admin = await newOperator(app, services, "admin");
    const email = uniqueEmail("support");
    const created = await admin.post("/v1/ops/operators", { email, role: "support", name: "Sam" });
    assert.equal(created.statusCode, 201, created.body);
    const { id, one_time_password: oneTime } = created.json();
    assert.equal(
      (await admin.post("/v1/ops/operators", { email, role: "admin" })).json().error.code,
      "operator_email_taken",
    );

    const staff = new SessionClient(app, "coffer_ops");
    assert.equal(
      (await staff.post("/v1/ops/login", { email, password: oneTime, new_password: "sam answers the phones" }))
        .statusCode,
      200,
    );
    assert.equal((await staff.get("/v1/ops/kyb_applications")).statusCode, 200);
    const promoted = await admin.post(`/v1/ops/operators/${id}`, { role: "reviewer" });
    assert.equal(promoted.json().role, "reviewer");
    const self = await admin.post(`/v1/ops/operators/${admin.operatorId}`, { disabled: true });
    assert.equal(self.json().error.code, "parameter_invalid");
    const disabled = await admin.post(`/v1/ops/operators/${id}`, { disabled: true });
    assert.equal(disabled.json().disabled, true);
    assert.equal((await staff.get("/v1/ops/me")).statusCode, 401, "a disabled operator's session ends at once");
    const relogin = await login({ email, password: "sam answers the phones" });
    assert.equal(relogin.json().error.code, "login_failed");

    const audit = (await admin.get("/v1/ops/audit_log?limit=100")).json();
    const actions = audit.data.map((r: { action: string }) => r.action);
    for (const action of [
      "operator.created",
      "ops.password_changed",
      "ops.login_succeeded",
      "ops.login_failed",
      "operator.updated",
    ]) {
      assert.ok(actions.includes(action), action);
    }
  });
});
