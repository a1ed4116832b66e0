import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isId, newId } from "../ids.js";
import { checkPassword, hashPassword, verifyPassword } from "./passwords.js";
import { checkTotp, createTotpEnrollment, totpCodeAt } from "./totp.js";

describe("passwords", () => {
  it("hashes with argon2id and verifies", async () => {
    const hash = await hashPassword("correct horse battery staple");
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, "correct horse battery staple"), true);
    assert.equal(await verifyPassword(hash, "correct horse battery stapler"), false);
    assert.equal(await verifyPassword(null, "anything at all"), false);
    assert.equal(await verifyPassword("garbage", "anything at all"), false);
  });

  it("refuses weak passwords with a reason", () => {
    assert.equal(checkPassword("short"), "password_too_short");
    assert.equal(checkPassword("x".repeat(300)), "password_too_long");
    assert.equal(checkPassword("password123"), "password_too_common");
    assert.equal(checkPassword("aaaaaaaaaaaa"), "password_too_common");
    assert.equal(checkPassword("alice-rocks-2026", ["alice@example.com"]), "password_too_common");
    assert.equal(checkPassword(12345678901), "password_invalid");
    assert.equal(checkPassword("a sound passphrase 42"), null);
  });
});

describe("TOTP", () => {
  it("accepts the current code once, and neighbours within the tolerance", async () => {
    const enrollment = await createTotpEnrollment("coffer", "dev@example.com");
    assert.match(enrollment.otpauthUri, /^otpauth:\/\/totp\/coffer:dev%40example\.com\?.*secret=/);
    assert.match(enrollment.qrSvg, /^<svg/);
    const now = new Date("2026-11-26T10:00:10Z");
    const code = await totpCodeAt(enrollment.secret, now);
    const first = await checkTotp(enrollment.secret, code, null, now);
    assert.equal(first.ok, true);
    const step = first.ok ? first.step : -1;
    assert.deepEqual(await checkTotp(enrollment.secret, code, step, now), { ok: false, reason: "totp_replayed" });
    const previous = await totpCodeAt(enrollment.secret, new Date(now.getTime() - 30_000));
    assert.equal((await checkTotp(enrollment.secret, previous, null, now)).ok, true);
    const old = await totpCodeAt(enrollment.secret, new Date(now.getTime() - 120_000));
    assert.deepEqual(await checkTotp(enrollment.secret, old, null, now), { ok: false, reason: "totp_invalid" });
    assert.deepEqual(await checkTotp(enrollment.secret, "12345", null, now), { ok: false, reason: "totp_invalid" });
  });
});

describe("ids", () => {
  it("are prefixed, 22 base62 characters, and unique", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("pay")));
    assert.equal(ids.size, 10_000);
    for (const id of [...ids].slice(0, 100)) {
      assert.match(id, /^pay_[0-9A-Za-z]{22}$/);
      assert.equal(isId(id, "pay"), true);
      assert.equal(isId(id, "re"), false);
    }
    assert.equal(isId("pay_'; DROP TABLE x;--", "pay"), false);
    assert.equal(isId(42, "pay"), false);
  });
});
