import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db.js";
import {
  availableBalance,
  createWalletTestServices,
  linkBank,
  signUpWallet,
  type TestWalletUser,
  topUpAndSettle,
  verifyIdentity,
  walletTestOrigin,
} from "../../../test/helpers/wallets.js";
import { SoftwareAuthenticator } from "../../../test/helpers/webauthn-authenticator.js";
import type { App } from "../../app.js";
import { manualClock } from "../../clock.js";
import { verifyLedger } from "../../ledger/verify.js";
import type { Services } from "../../runtime/services.js";
import { totpCodeAt } from "../../security/totp.js";

/** Above the step-up threshold (USD 500.00 by default) a send or withdrawal needs a fresh second factor. */
describe("wallet step-up: TOTP and passkeys", () => {
  let db: TestDatabase;
  let services: Services;
  let app: App;
  const clock = manualClock("2026-05-04T10:00:00Z");

  before(async () => {
    db = await createTestDatabase();
    services = createWalletTestServices({ pool: db.pool, clock });
    app = await createTestApp({ pool: db.pool, services });
  });
  after(async () => {
    const report = await verifyLedger(db.pool, { now: clock.now() });
    assert.deepEqual(report.violations, []);
    await app.close();
    await services.close();
    await db.drop();
  });

  async function funded(): Promise<{ user: TestWalletUser; source: string; payee: TestWalletUser }> {
    const user = await signUpWallet(app, db.pool);
    await verifyIdentity(user);
    const source = await linkBank(user);
    await topUpAndSettle(services, clock, user, source, "300000");
    const payee = await signUpWallet(app, db.pool);
    await verifyIdentity(payee, "Grace Hopper");
    return { user, source, payee };
  }

  it("asks for a TOTP code above the threshold, accepts each code once, and not below it", async () => {
    const { user, payee } = await funded();
    const send = (body: Record<string, unknown> = {}) =>
      user.client.post("/v1/wallet/transfers", { to: payee.id, amount: "60000", currency: "USD", ...body });

    const without = await send();
    assert.equal(without.statusCode, 403);
    assert.equal(without.json().error.code, "step_up_required");
    assert.match(without.json().error.message, /enroll/);

    const enrollment = await user.client.post("/v1/wallet/totp");
    assert.equal(enrollment.statusCode, 200, enrollment.body);
    const { secret, otpauth_uri, qr_svg } = enrollment.json();
    assert.match(otpauth_uri, /^otpauth:\/\/totp\//);
    assert.match(qr_svg, /^<svg/);
    const stored = await db.pool.query("SELECT totp_secret FROM wallet_users WHERE id = $1", [user.id]);
    assert.match(stored.rows[0].totp_secret, /^enc1\./, "the TOTP secret is encrypted at rest");
    assert.equal((await user.client.post("/v1/wallet/totp/confirm", { code: "000000" })).statusCode, 400);
    const confirmed = await user.client.post("/v1/wallet/totp/confirm", {
      code: await totpCodeAt(secret, clock.now()),
    });
    assert.equal(confirmed.json().totp_enabled, true);

    clock.advance(30_000);
    const code = await totpCodeAt(secret, clock.now());
    const ok = await send({ step_up: { totp: code } });
    assert.equal(ok.statusCode, 201, ok.body);
    const replay = await send({ step_up: { totp: code } });
    assert.equal(replay.statusCode, 403);
    assert.equal(replay.json().error.code, "step_up_failed");
    clock.advance(30_000);
    const next = await send({ step_up: { totp: await totpCodeAt(secret, clock.now()) } });
    assert.equal(next.statusCode, 201, next.body);

    const small = await user.client.post("/v1/wallet/transfers", { to: payee.id, amount: "50000", currency: "USD" });
    assert.equal(small.statusCode, 201, "at the threshold itself no second factor is needed");
    assert.equal(await availableBalance(payee), "170000");
  });

  it("accepts a passkey assertion over a one-time challenge, for withdrawals too", async () => {
    const { user, source } = await funded();
    const authenticator = new SoftwareAuthenticator(walletTestOrigin);
    const options = await user.client.post("/v1/wallet/passkeys/options");
    assert.equal(options.statusCode, 200, options.body);
    const registered = await user.client.post("/v1/wallet/passkeys", {
      challenge_id: options.json().challenge_id,
      credential: authenticator.register(options.json().options),
      name: "test phone",
    });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal((await user.client.get("/v1/wallet/passkeys")).json().data[0].name, "test phone");

    const challenge = await user.client.post("/v1/wallet/step_up/passkey_options");
    const assertion = authenticator.authenticate(challenge.json().options);
    const withdraw = (credential: unknown, challengeId: string) =>
      user.client.post("/v1/wallet/withdrawals", {
        funding_source: source,
        amount: "70000",
        step_up: { passkey: { challenge_id: challengeId, credential } },
      });
    const ok = await withdraw(assertion, challenge.json().challenge_id);
    assert.equal(ok.statusCode, 201, ok.body);
    const replay = await withdraw(assertion, challenge.json().challenge_id);
    assert.equal(replay.json().error.code, "step_up_failed", "a challenge is used once");

    const other = await signUpWallet(app, db.pool);
    const theirs = await other.client.post("/v1/wallet/step_up/passkey_options");
    assert.equal(theirs.json().error.code, "step_up_failed", "no passkey, no challenge");
    const foreignChallenge = await user.client.post("/v1/wallet/step_up/passkey_options");
    clock.advance(5 * 60 * 1000 + 1);
    const expired = await withdraw(
      authenticator.authenticate(foreignChallenge.json().options),
      foreignChallenge.json().challenge_id,
    );
    assert.equal(expired.json().error.code, "step_up_failed", "challenges expire");
    const removed = await user.client.delete(`/v1/wallet/passkeys/${registered.json().id}`);
    assert.equal(removed.statusCode, 200);
  });

  it("counts failed step-ups toward the lockout", async () => {
    const { user, payee } = await funded();
    const enrollment = await user.client.post("/v1/wallet/totp");
    await user.client.post("/v1/wallet/totp/confirm", {
      code: await totpCodeAt(enrollment.json().secret, clock.now()),
    });
    for (let i = 0; i < 5; i++) {
      const wrong = await user.client.post("/v1/wallet/transfers", {
        to: payee.id,
        amount: "60000",
        currency: "USD",
        step_up: { totp: "000000" },
      });
      assert.equal(wrong.json().error.code, "step_up_failed");
    }
    clock.advance(30_000);
    const locked = await user.client.post("/v1/wallet/transfers", {
      to: payee.id,
      amount: "60000",
      currency: "USD",
      step_up: { totp: await totpCodeAt(enrollment.json().secret, clock.now()) },
    });
    assert.equal(locked.json().error.code, "account_locked");
    const both = await user.client.post("/v1/wallet/transfers", {
      to: payee.id,
      amount: "60000",
      currency: "USD",
      step_up: {
        totp: "123456",
        passkey: { challenge_id: "wch_x", credential: { id: "x", rawId: "x", type: "public-key", response: {} } },
      },
    });
    assert.equal(both.json().error.code, "parameter_invalid");
  });
});
