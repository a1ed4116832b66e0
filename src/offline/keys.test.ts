import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../test/helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { manualClock } from "../clock.js";
import { offlineCertificateTtlMs } from "../limits.js";
import { verifyAuditChain } from "../security/audit.js";
import { createSecretBox } from "../security/encryption.js";
import { createOfflineKeys } from "./keys.js";

/**
 * Rotating coffer's offline signing key is recorded in the audit log like the data and master key rotations: one
 * record per rotation, in the transaction that makes the new key, naming the new key, the retired one and how long
 * the retired one stays published; the chain still verifies. Making the very first key is not a rotation.
 */
describe("offline key rotation in the audit log", () => {
  let db: TestDatabase;
  const masterKey = randomBytes(32);

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  const records = async () =>
    (
      await db.pool.query<{
        actor_type: string;
        actor_id: string | null;
        merchant_id: string | null;
        target_type: string | null;
        target_id: string | null;
        details: Record<string, unknown>;
        occurred_at: Date;
      }>("SELECT * FROM audit_log WHERE action = 'security.offline_key_rotated' ORDER BY seq")
    ).rows;

  it("records each rotation with the new key, the retired key and its publication deadline", async () => {
    const clock = manualClock("2026-03-01T10:00:00Z");
    const secrets = createSecretBox({ db: db.pool, masterKey });
    await secrets.warm();
    const keys = createOfflineKeys({ pool: db.pool, clock, secrets });
    const first = await keys.signingKey();
    assert.equal((await records()).length, 0, "the first key is made, not rotated");

    clock.advance(60_000);
    const rotated = await keys.rotate();
    assert.equal(rotated.retired, first.kid);
    const [record] = await records();
    assert.ok(record);
    assert.deepEqual(
      {
        actor: [record.actor_type, record.actor_id, record.merchant_id],
        target: [record.target_type, record.target_id],
        details: record.details,
        at: record.occurred_at.toISOString(),
      },
      {
        actor: ["system", null, null],
        target: ["offline_signing_key", rotated.kid],
        details: {
          retired: first.kid,
          publish_until: new Date(clock.now().getTime() + offlineCertificateTtlMs).toISOString(),
        },
        at: clock.now().toISOString(),
      },
    );
    // The key and its record commit together: the audited key is the one that signs now.
    assert.equal((await keys.signingKey()).kid, rotated.kid);
    assert.equal((await verifyAuditChain(db.pool)).ok, true);
  });

  it("records the rotation made by `coffer keys rotate-offline-key`", async () => {
    const before = (await records()).length;
    const signing = await db.pool.query<{ kid: string }>(
      "SELECT kid FROM offline_signing_keys WHERE retired_at IS NULL",
    );
    const cli = runCli(["keys", "rotate-offline-key"], {
      DATABASE_URL: db.url,
      COFFER_MASTER_KEY: masterKey.toString("hex"),
    });
    const { code } = await cli.exited;
    assert.equal(code, 0, cli.stderr());
    const kid = /Offline key (ofk_\w+) signs/.exec(cli.stdout())?.[1];
    assert.ok(kid, cli.stdout());
    const after = await records();
    assert.equal(after.length, before + 1);
    assert.equal(after.at(-1)!.target_id, kid);
    assert.equal(after.at(-1)!.details.retired, signing.rows[0]!.kid);
    assert.equal((await verifyAuditChain(db.pool)).ok, true);
  });
});
