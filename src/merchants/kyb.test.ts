import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  fillKyb,
  newMerchant,
  newOperator,
  type SessionClient,
  type TestMerchant,
  waitForMail,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";

/** KYB review beyond approval: asking for more information, resubmitting, rejecting; mails, history and events. */
describe("KYB review", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let m: TestMerchant;
  let reviewer: SessionClient;
  let applicationId: string;

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    m = await newMerchant(app, sink, "Review Shop");
    reviewer = await newOperator(app, services, "reviewer");
    await fillKyb(m.client);
    applicationId = (await m.client.post("/v1/console/kyb/submit")).json().id;
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  it("asks for more information with reasons; the merchant is mailed, edits and submits again", async () => {
    const noReasons = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/request_info`, { reasons: [] });
    assert.equal(noReasons.statusCode, 400);
    assert.equal(
      (await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/start_review`)).json().state,
      "in_review",
    );
    const asked = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/request_info`, {
      reasons: ["The business licence photo is blurred."],
    });
    assert.equal(asked.statusCode, 200, asked.body);
    assert.equal(asked.json().state, "action_required");
    const mail = await waitForMail(sink, m.email, /we need more information/);
    assert.match(mail.text, /- The business licence photo is blurred\./);

    const seen = (await m.client.get("/v1/console/kyb")).json();
    assert.deepEqual(seen.history.at(-1).reasons, ["The business licence photo is blurred."]);
    assert.equal((await m.client.put("/v1/console/kyb", { legal_name: "Review Shop Ltd." })).statusCode, 200);
    const resubmitted = await m.client.post("/v1/console/kyb/submit");
    assert.equal(resubmitted.json().state, "submitted");

    const started = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/start_review`);
    assert.equal(started.statusCode, 200);
    const again = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/start_review`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "kyb_transition_invalid");
  });

  it("rejects with reasons, finally; the merchant is mailed and the events are recorded", async () => {
    const rejected = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/reject`, {
      reasons: ["The registration number does not match the licence."],
    });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().state, "rejected");
    await waitForMail(sink, m.email, /was declined/);
    const after = await reviewer.post(`/v1/ops/kyb_applications/${applicationId}/approve`);
    assert.equal(after.json().error.code, "kyb_transition_invalid");
    assert.equal((await m.client.post("/v1/console/kyb/submit")).json().error.code, "kyb_not_editable");

    const events = await db.pool.query("SELECT type FROM events WHERE merchant_id = $1 ORDER BY seq", [m.merchantId]);
    assert.deepEqual(
      events.rows.map((e) => e.type).filter((t) => t.startsWith("kyb_application.")),
      [
        "kyb_application.submitted",
        "kyb_application.action_required",
        "kyb_application.submitted",
        "kyb_application.rejected",
      ],
    );
    const account = (await m.client.get("/v1/console/kyb")).json();
    assert.deepEqual(
      account.history.map((h: { to: string }) => h.to),
      ["submitted", "in_review", "action_required", "submitted", "in_review", "rejected"],
    );
    assert.ok(account.history.every((h: { at: number }) => typeof h.at === "number"));
  });

  it("lists the queue by state, oldest change first, with cursors", async () => {
    const other = await newMerchant(app, sink, "Queue Two");
    await fillKyb(other.client);
    await other.client.post("/v1/console/kyb/submit");
    const drafts = (await reviewer.get("/v1/ops/kyb_applications?state=draft")).json();
    assert.ok(drafts.data.every((a: { state: string }) => a.state === "draft"));
    const all = (await reviewer.get("/v1/ops/kyb_applications?limit=1")).json();
    assert.equal(all.data.length, 1);
    assert.equal(all.has_more, true);
    const next = (await reviewer.get(`/v1/ops/kyb_applications?limit=1&starting_after=${all.data[0].id}`)).json();
    assert.notEqual(next.data[0].id, all.data[0].id);
    const unknown = await reviewer.get("/v1/ops/kyb_applications/kyb_000000000000000000000000");
    assert.equal(unknown.statusCode, 404);
  });
});
