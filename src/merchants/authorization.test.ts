import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import {
  completeKyb,
  defaultPassword,
  newMerchant,
  newOperator,
  SessionClient,
  samplePdf,
  samplePng,
  type TestMerchant,
  teamOfEveryRole,
  tokenFromMail,
  uniqueEmail,
  uploadDocument,
  waitForMail,
} from "../../test/helpers/merchant-console.js";
import { createTestServices } from "../../test/helpers/services.js";
import { type SmtpSink, startSmtpSink } from "../../test/helpers/smtp-sink.js";
import { SoftwareAuthenticator } from "../../test/helpers/webauthn-authenticator.js";
import type { App } from "../app.js";
import { manualClock } from "../clock.js";
import type { Services } from "../runtime/services.js";

/**
 * Who may do what. Every console route is called by every role (the table below says, independently of the code,
 * which roles may); every ops route by every operator role; and every route that names an object is called by
 * another merchant's owner, who must get 404, never 403 and never the object.
 */
type ConsoleRole = "owner" | "admin" | "developer" | "support" | "viewer";
type OperatorRole = "admin" | "reviewer" | "support";
const allRoles: ConsoleRole[] = ["owner", "admin", "developer", "support", "viewer"];
const managers: ConsoleRole[] = ["owner", "admin"];
const keyWriters: ConsoleRole[] = ["owner", "admin", "developer"];
const keyReaders: ConsoleRole[] = ["owner", "admin", "developer", "viewer"];

interface Call {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  body?: unknown;
}

interface ConsoleCase {
  name: string;
  allowed: ConsoleRole[];
  /** The status an allowed role gets (default 200). */
  ok?: number;
  call(): Promise<Call>;
}

describe("authorization", () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let services: Services;
  let app: App;
  const clock = manualClock(new Date());
  const publicUrl = "https://coffer.example.test";
  let a: TestMerchant;
  let b: TestMerchant;
  let team: Record<ConsoleRole, SessionClient>;
  let target: { userId: string };

  /** A fresh member of merchant A (invited and accepted through the services), for routes that change members. */
  async function freshMemberOfA(): Promise<string> {
    const email = uniqueEmail("member");
    const invited = await a.client.post("/v1/console/team/invites", { email, role: "viewer" });
    assert.equal(invited.statusCode, 201, invited.body);
    const mail = await waitForMail(sink, email, /invited you/);
    const accepted = await services.merchants.team.acceptInvite({
      token: tokenFromMail(mail.text),
      password: defaultPassword,
      name: null,
      ip: null,
    });
    assert.ok(accepted.ok);
    const user = await db.pool.query<{ id: string }>("SELECT id FROM merchant_users WHERE email = $1", [email]);
    return user.rows[0]!.id;
  }

  async function keyOfA(): Promise<string> {
    const created = await a.client.post("/v1/console/api_keys", { type: "secret", name: "fixture" });
    assert.equal(created.statusCode, 201, created.body);
    return created.json().id;
  }

  async function documentOfA(): Promise<string> {
    const uploaded = await uploadDocument(a.client, "other", samplePng, "image/png");
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    return uploaded.json().id;
  }

  async function inviteOfA(): Promise<string> {
    const invited = await a.client.post("/v1/console/team/invites", { email: uniqueEmail("invitee"), role: "support" });
    assert.equal(invited.statusCode, 201, invited.body);
    return invited.json().id;
  }

  before(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    sink = await startSmtpSink();
    services = createTestServices({ pool: db.pool, clock, config: { smtpUrl: sink.url, publicUrl } });
    app = await createTestApp({ pool: db.pool, services });
    a = await newMerchant(app, sink, "Merchant A");
    b = await newMerchant(app, sink, "Merchant B");
    team = await teamOfEveryRole(app, sink, a);
    target = { userId: await freshMemberOfA() };
  });
  after(async () => {
    await app.close();
    await services.close();
    await sink.close();
    await db.drop();
  });

  const consoleCases: ConsoleCase[] = [
    { name: "who am I", allowed: allRoles, call: async () => ({ method: "GET", url: "/v1/console/me" }) },
    { name: "read KYB", allowed: managers, call: async () => ({ method: "GET", url: "/v1/console/kyb" }) },
    {
      name: "edit KYB",
      allowed: managers,
      call: async () => ({ method: "PUT", url: "/v1/console/kyb", body: { website: "https://a.example.com" } }),
    },
    {
      name: "upload a KYB document",
      allowed: managers,
      ok: 201,
      call: async () => ({
        method: "POST",
        url: "/v1/console/kyb/documents",
        body: { type: "other", content_type: "image/png", content_base64: samplePng.toString("base64") },
      }),
    },
    {
      name: "delete a KYB document",
      allowed: managers,
      call: async () => ({ method: "DELETE", url: `/v1/console/kyb/documents/${await documentOfA()}` }),
    },
    {
      name: "submit KYB",
      allowed: managers,
      ok: 400, // allowed, but A's application is incomplete: kyb_incomplete
      call: async () => ({ method: "POST", url: "/v1/console/kyb/submit", body: {} }),
    },
    { name: "list API keys", allowed: keyReaders, call: async () => ({ method: "GET", url: "/v1/console/api_keys" }) },
    {
      name: "create an API key",
      allowed: keyWriters,
      ok: 201,
      call: async () => ({ method: "POST", url: "/v1/console/api_keys", body: { type: "publishable" } }),
    },
    {
      name: "roll an API key",
      allowed: keyWriters,
      ok: 201,
      call: async () => ({ method: "POST", url: `/v1/console/api_keys/${await keyOfA()}/roll`, body: {} }),
    },
    {
      name: "reveal an API key",
      allowed: keyWriters,
      ok: 409, // allowed, but only the sign-up test key can be revealed: api_key_secret_unavailable
      call: async () => ({ method: "POST", url: `/v1/console/api_keys/${await keyOfA()}/reveal`, body: {} }),
    },
    {
      name: "revoke an API key",
      allowed: keyWriters,
      call: async () => ({ method: "DELETE", url: `/v1/console/api_keys/${await keyOfA()}` }),
    },
    {
      name: "go-live checklist",
      allowed: keyReaders,
      call: async () => ({ method: "GET", url: "/v1/console/go_live" }),
    },
    {
      name: "list members",
      allowed: allRoles,
      call: async () => ({ method: "GET", url: "/v1/console/team/members" }),
    },
    {
      name: "change a member's role",
      allowed: managers,
      call: async () => ({
        method: "POST",
        url: `/v1/console/team/members/${target.userId}`,
        body: { role: "support" },
      }),
    },
    {
      name: "remove a member",
      allowed: managers,
      call: async () => ({ method: "DELETE", url: `/v1/console/team/members/${await freshMemberOfA()}` }),
    },
    { name: "list invites", allowed: allRoles, call: async () => ({ method: "GET", url: "/v1/console/team/invites" }) },
    {
      name: "invite",
      allowed: managers,
      ok: 201,
      call: async () => ({
        method: "POST",
        url: "/v1/console/team/invites",
        body: { email: uniqueEmail("new"), role: "developer" },
      }),
    },
    {
      name: "revoke an invite",
      allowed: managers,
      call: async () => ({ method: "DELETE", url: `/v1/console/team/invites/${await inviteOfA()}` }),
    },
    { name: "audit log", allowed: managers, call: async () => ({ method: "GET", url: "/v1/console/audit_log" }) },
    {
      name: "start TOTP enrollment",
      allowed: allRoles,
      call: async () => ({ method: "POST", url: "/v1/console/2fa/totp", body: {} }),
    },
    {
      name: "list own passkeys",
      allowed: allRoles,
      call: async () => ({ method: "GET", url: "/v1/console/webauthn/credentials" }),
    },
    {
      name: "passkey registration options",
      allowed: allRoles,
      call: async () => ({ method: "POST", url: "/v1/console/webauthn/registration/options", body: {} }),
    },
  ];

  for (const testCase of consoleCases) {
    it(`console: ${testCase.name} — allowed for ${testCase.allowed.join(", ")}`, async () => {
      for (const role of allRoles) {
        const call = await testCase.call();
        const response = await team[role].send(call.method, call.url, call.body);
        if (testCase.allowed.includes(role)) {
          assert.equal(response.statusCode, testCase.ok ?? 200, `${role}: ${response.body}`);
        } else {
          assert.equal(response.statusCode, 403, `${role} must be refused: ${response.body}`);
          assert.equal(response.json().error.code, "permission_denied");
        }
      }
      const call = await testCase.call();
      const anonymous = await app.inject({
        method: call.method,
        url: call.url,
        ...(call.body === undefined ? {} : { payload: call.body as object }),
      });
      assert.equal(anonymous.statusCode, 401, `without a session: ${anonymous.body}`);
      assert.equal(anonymous.json().error.code, "authentication_required");
    });
  }

  it("another merchant's session gets 404 for this merchant's objects, and never sees them in lists", async () => {
    const authenticator = new SoftwareAuthenticator(publicUrl);
    const options = (await a.client.post("/v1/console/webauthn/registration/options")).json();
    const registered = await a.client.post("/v1/console/webauthn/registration/verify", {
      response: authenticator.register(options),
    });
    assert.equal(registered.statusCode, 201, registered.body);
    const keyId = await keyOfA();
    const calls: Call[] = [
      { method: "POST", url: `/v1/console/api_keys/${keyId}/roll`, body: {} },
      { method: "POST", url: `/v1/console/api_keys/${keyId}/reveal`, body: {} },
      { method: "DELETE", url: `/v1/console/api_keys/${keyId}` },
      { method: "DELETE", url: `/v1/console/kyb/documents/${await documentOfA()}` },
      { method: "POST", url: `/v1/console/team/members/${target.userId}`, body: { role: "admin" } },
      { method: "DELETE", url: `/v1/console/team/members/${target.userId}` },
      { method: "POST", url: `/v1/console/team/members/${a.userId}`, body: { role: "admin" } },
      { method: "DELETE", url: `/v1/console/team/invites/${await inviteOfA()}` },
      { method: "DELETE", url: `/v1/console/webauthn/credentials/${registered.json().id}` },
    ];
    for (const call of calls) {
      const response = await b.client.send(call.method, call.url, call.body);
      assert.equal(response.statusCode, 404, `${call.method} ${call.url}: ${response.body}`);
      assert.equal(response.json().error.code, "resource_not_found");
    }
    // Nothing changed on A's side.
    const keys = (await a.client.get("/v1/console/api_keys?limit=100")).json();
    assert.equal(keys.data.find((k: { id: string }) => k.id === keyId).status, "active");
    const members = (await a.client.get("/v1/console/team/members?limit=100")).json();
    assert.ok(members.data.some((m: { id: string }) => m.id === target.userId));

    // Lists and cursors: B's lists hold only B's objects, and A's id as a cursor answers as an unknown id does.
    const withoutRequestId = (body: string) => ({ ...JSON.parse(body).error, request_id: undefined });
    const foreignCursor = await b.client.get(`/v1/console/api_keys?starting_after=${keyId}`);
    const unknownCursor = await b.client.get(`/v1/console/api_keys?starting_after=${keyId.slice(0, -4)}zzzz`);
    assert.equal(foreignCursor.statusCode, 400, foreignCursor.body);
    assert.equal(foreignCursor.json().error.param, "starting_after");
    assert.equal(unknownCursor.statusCode, foreignCursor.statusCode);
    assert.deepEqual(withoutRequestId(foreignCursor.body), withoutRequestId(unknownCursor.body));
    const bKeys = (await b.client.get("/v1/console/api_keys?limit=100")).json();
    assert.ok(bKeys.data.every((k: { id: string }) => k.id !== keyId));
    const bKeyIds = new Set(
      (await db.pool.query("SELECT id FROM api_keys WHERE merchant_id = $1", [b.merchantId])).rows.map((r) => r.id),
    );
    assert.ok(bKeys.data.every((k: { id: string }) => bKeyIds.has(k.id)));
    const bAudit = (await b.client.get("/v1/console/audit_log?limit=100")).json();
    assert.ok(bAudit.data.length > 0);
    assert.ok(bAudit.data.every((r: { merchant: string }) => r.merchant === b.merchantId));
    const bMembers = (await b.client.get("/v1/console/team/members")).json();
    assert.deepEqual(
      bMembers.data.map((m: { id: string }) => m.id),
      [b.userId],
    );
  });

  it("another merchant's API key gets its own account, and a console user cannot switch into a merchant they are not in", async () => {
    const revealA = async (m: TestMerchant) => {
      const keys = (await m.client.get("/v1/console/api_keys")).json();
      const signupKey = keys.data.find((k: { revealable: boolean }) => k.revealable);
      return (await m.client.post(`/v1/console/api_keys/${signupKey.id}/reveal`)).json().secret as string;
    };
    const bKey = await revealA(b);
    const account = await app.inject({ url: "/v1/account", headers: { authorization: `Bearer ${bKey}` } });
    assert.equal(account.json().id, b.merchantId);
    const intoA = await app.inject({
      method: "POST",
      url: "/v1/console/login",
      payload: { email: b.email, password: b.password, merchant: a.merchantId },
    });
    assert.equal(intoA.statusCode, 403);
    assert.equal(intoA.json().error.code, "no_merchant_access");
    // An API key on a console route and a console session on the API are not the caller those routes take.
    const keyOnConsole = await app.inject({ url: "/v1/console/me", headers: { authorization: `Bearer ${bKey}` } });
    assert.equal(keyOnConsole.statusCode, 403);
    const sessionOnApi = await b.client.get("/v1/account");
    assert.equal(sessionOnApi.statusCode, 403);
  });

  it("the owner cannot be removed or demoted, by anyone", async () => {
    for (const role of managers) {
      const demote = await team[role].post(`/v1/console/team/members/${a.userId}`, { role: "viewer" });
      assert.equal(demote.statusCode, 409);
      assert.equal(demote.json().error.code, "owner_immutable");
      const remove = await team[role].delete(`/v1/console/team/members/${a.userId}`);
      assert.equal(remove.statusCode, 409);
      assert.equal(remove.json().error.code, "owner_immutable");
    }
    const makeOwner = await a.client.post(`/v1/console/team/members/${target.userId}`, { role: "owner" });
    assert.equal(makeOwner.statusCode, 400, "owner is not a role to give");
    await assert.rejects(
      db.pool.query("DELETE FROM merchant_members WHERE merchant_id = $1 AND role = 'owner'", [a.merchantId]),
      /cannot be removed or demoted/,
      "the database refuses too",
    );
  });

  it("a removed member's session ends at once; a role change applies to the next request", async () => {
    const userId = await freshMemberOfA();
    const email = (await db.pool.query("SELECT email FROM merchant_users WHERE id = $1", [userId])).rows[0].email;
    const member = new SessionClient(app);
    assert.equal((await member.post("/v1/console/login", { email, password: defaultPassword })).statusCode, 200);
    assert.equal((await member.get("/v1/console/api_keys")).statusCode, 200, "viewers read keys");
    assert.equal((await a.client.post(`/v1/console/team/members/${userId}`, { role: "support" })).statusCode, 200);
    assert.equal((await member.get("/v1/console/api_keys")).statusCode, 403, "support does not");
    assert.equal((await a.client.delete(`/v1/console/team/members/${userId}`)).statusCode, 200);
    assert.equal((await member.get("/v1/console/me")).statusCode, 401);
  });

  describe("operators", () => {
    let operators: Record<OperatorRole, SessionClient>;
    let submittedApplication: string;

    /** A merchant with a complete, submitted KYB application (built through the services). */
    async function submittedKyb(): Promise<{ applicationId: string; documentId: string }> {
      const m = await newMerchant(app, sink, "Queue Shop");
      const actor = { userId: m.userId, merchantId: m.merchantId, role: "owner" as const, ip: null };
      assert.ok((await services.merchants.kyb.update(actor, completeKyb as never)).ok);
      const doc = await services.merchants.kyb.addDocument(actor, {
        type: "business_licence",
        contentType: "application/pdf",
        filename: null,
        contentBase64: samplePdf.toString("base64"),
      });
      assert.ok(doc.ok);
      assert.ok(
        (
          await services.merchants.kyb.addDocument(actor, {
            type: "representative_id",
            contentType: "image/png",
            filename: null,
            contentBase64: samplePng.toString("base64"),
          })
        ).ok,
      );
      const submitted = await services.merchants.kyb.submit(actor, publicUrl);
      assert.ok(submitted.ok);
      return { applicationId: submitted.value.id, documentId: doc.value.id };
    }

    before(async () => {
      operators = {
        admin: await newOperator(app, services, "admin"),
        reviewer: await newOperator(app, services, "reviewer"),
        support: await newOperator(app, services, "support"),
      };
      submittedApplication = (await submittedKyb()).applicationId;
    });

    const everyone: OperatorRole[] = ["admin", "reviewer", "support"];
    const deciders: OperatorRole[] = ["admin", "reviewer"];
    const opsCases: { name: string; allowed: OperatorRole[]; ok?: number; call(): Promise<Call> }[] = [
      { name: "who am I", allowed: everyone, call: async () => ({ method: "GET", url: "/v1/ops/me" }) },
      {
        name: "the queue",
        allowed: everyone,
        call: async () => ({ method: "GET", url: "/v1/ops/kyb_applications?state=submitted" }),
      },
      {
        name: "open an application",
        allowed: everyone,
        call: async () => ({ method: "GET", url: `/v1/ops/kyb_applications/${submittedApplication}` }),
      },
      {
        name: "download a document",
        allowed: deciders,
        call: async () => {
          const { applicationId, documentId } = await submittedKyb();
          return { method: "GET", url: `/v1/ops/kyb_applications/${applicationId}/documents/${documentId}` };
        },
      },
      ...(["start_review", "approve", "reject", "request_info"] as const).map((decision) => ({
        name: decision,
        allowed: deciders,
        call: async (): Promise<Call> => ({
          method: "POST",
          url: `/v1/ops/kyb_applications/${(await submittedKyb()).applicationId}/${decision}`,
          body: { reasons: ["The licence photo is unreadable."] },
        }),
      })),
      { name: "list operators", allowed: ["admin"], call: async () => ({ method: "GET", url: "/v1/ops/operators" }) },
      {
        name: "create an operator",
        allowed: ["admin"],
        ok: 201,
        call: async () => ({
          method: "POST",
          url: "/v1/ops/operators",
          body: { email: uniqueEmail("staff"), role: "support" },
        }),
      },
      {
        name: "change an operator",
        allowed: ["admin"],
        call: async () => {
          const created = await services.operators.accounts.create({
            email: uniqueEmail("staff"),
            role: "support",
            name: null,
            createdBy: null,
            ip: null,
          });
          assert.ok(created.ok);
          return { method: "POST", url: `/v1/ops/operators/${created.value.operator.id}`, body: { role: "reviewer" } };
        },
      },
      { name: "audit log", allowed: ["admin"], call: async () => ({ method: "GET", url: "/v1/ops/audit_log" }) },
    ];

    for (const testCase of opsCases) {
      it(`ops: ${testCase.name} — allowed for ${testCase.allowed.join(", ")}`, async () => {
        for (const role of everyone) {
          const call = await testCase.call();
          const response = await operators[role].send(call.method, call.url, call.body);
          if (testCase.allowed.includes(role)) {
            assert.equal(response.statusCode, testCase.ok ?? 200, `${role}: ${response.body}`);
          } else {
            assert.equal(response.statusCode, 403, `${role} must be refused: ${response.body}`);
            assert.equal(response.json().error.code, "permission_denied");
          }
        }
        const call = await testCase.call();
        // The console cookie (Path=/v1) reaches /v1/ops in a browser, but it is no credential there at all.
        const withConsoleSession = await a.client.send(call.method, call.url, call.body);
        assert.equal(withConsoleSession.statusCode, 401, "a merchant's console session is no operator");
        assert.equal(withConsoleSession.json().error.code, "authentication_required");
      });
    }

    it("operators see the whole audit log; a console session is not an operator and the reverse", async () => {
      const all = (await operators.admin.get(`/v1/ops/audit_log?merchant=${a.merchantId}&limit=100`)).json();
      assert.ok(all.data.length > 0);
      assert.ok(all.data.every((r: { merchant: string }) => r.merchant === a.merchantId));
      const opsOnConsole = await operators.admin.get("/v1/console/me");
      assert.equal(opsOnConsole.statusCode, 403);
    });
  });
});
