import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  logIn,
  newMerchant,
  SessionClient,
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

/** Team invites: one mail per Idempotency-Key, people with an account join with their password, roles per merchant. */
describe("team", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  let shop: TestMerchant;
  let other: TestMerchant;

  before(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url } });
    app = await createTestApp({ pool: db.pool, services });
    shop = await newMerchant(app, sink, "Tea House");
    other = await newMerchant(app, sink, "Coffee House");
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  it("invites once per Idempotency-Key", async () => {
    const email = uniqueEmail("dev");
    const send = () =>
      shop.client.post("/v1/console/team/invites", { email, role: "developer" }, { "idempotency-key": "invite-dev-1" });
    const first = await send();
    const second = await send();
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(second.headers["idempotent-replayed"], "true");
    assert.equal(second.json().id, first.json().id);
    const invites = (await shop.client.get("/v1/console/team/invites")).json();
    assert.equal(invites.data.filter((i: { email: string }) => i.email === email).length, 1);
    assert.equal(invites.data[0].status, "pending");
  });

  it("lets someone with an account join with their password, and work on either merchant", async () => {
    const invited = await shop.client.post("/v1/console/team/invites", { email: other.email, role: "admin" });
    assert.equal(invited.statusCode, 201);
    const mail = await waitForMail(sink, other.email, /invited you to Tea House/);
    const token = tokenFromMail(mail.text);
    const wrong = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token, password: "someone else's guess" },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, "login_failed");
    const accepted = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token, password: other.password },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(accepted.json(), {
      object: "team_membership",
      merchant: shop.merchantId,
      business_name: "Tea House",
      role: "admin",
      email: other.email,
    });
    const twice = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token, password: other.password },
    });
    assert.equal(twice.json().error.code, "link_invalid");

    const own = await logIn(app, other);
    const me = (await own.get("/v1/console/me")).json();
    assert.equal(me.merchant, other.merchantId, "the merchant they own comes first");
    assert.deepEqual(
      me.memberships.map((x: { merchant: string; role: string }) => [x.merchant, x.role]),
      [
        [other.merchantId, "owner"],
        [shop.merchantId, "admin"],
      ],
    );
    const asAdmin = await logIn(app, other, { merchant: shop.merchantId });
    const adminMe = (await asAdmin.get("/v1/console/me")).json();
    assert.equal(adminMe.merchant, shop.merchantId);
    assert.equal(adminMe.role, "admin");
    const members = (await asAdmin.get("/v1/console/team/members")).json();
    assert.deepEqual(
      members.data.map((x: { role: string }) => x.role),
      ["owner", "admin"],
    );
  });

  it("refuses to invite a member again, and lets a new invite replace an open one", async () => {
    const again = await shop.client.post("/v1/console/team/invites", { email: other.email, role: "viewer" });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "already_member");
    const email = uniqueEmail("twice");
    const first = (await shop.client.post("/v1/console/team/invites", { email, role: "viewer" })).json();
    const second = (await shop.client.post("/v1/console/team/invites", { email, role: "support" })).json();
    const invites = (await shop.client.get("/v1/console/team/invites?limit=100")).json();
    assert.equal(invites.data.find((i: { id: string }) => i.id === first.id).status, "revoked");
    assert.equal(invites.data.find((i: { id: string }) => i.id === second.id).status, "pending");
  });

  it("audits invites, joins, role changes and removals", async () => {
    const member = await new SessionClient(app).post("/v1/console/login", {
      email: other.email,
      password: other.password,
    });
    assert.equal(member.statusCode, 200);
    assert.equal(
      (await shop.client.post(`/v1/console/team/members/${other.userId}`, { role: "developer" })).statusCode,
      200,
    );
    assert.equal((await shop.client.delete(`/v1/console/team/members/${other.userId}`)).statusCode, 200);
    const log = (await shop.client.get("/v1/console/audit_log?limit=100")).json();
    const actions = log.data.map((r: { action: string }) => r.action);
    for (const action of ["team.invited", "team.invite_accepted", "team.role_changed", "team.member_removed"]) {
      assert.ok(actions.includes(action), action);
    }
    const change = log.data.find((r: { action: string }) => r.action === "team.role_changed");
    assert.deepEqual(change.details, { from: "admin", to: "developer" });
    const filtered = (await shop.client.get("/v1/console/audit_log?action=team.member_removed")).json();
    assert.equal(filtered.data.length, 1);
  });
});
