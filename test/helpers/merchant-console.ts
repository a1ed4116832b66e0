import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { App } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import type { Services } from "../../src/runtime/services.js";
import { totpCodeAt } from "../../src/security/totp.js";
import type { SmtpSink } from "./smtp-sink.js";

/**
 * Driving the merchant and operator consoles over HTTP the way the web app does: a cookie jar of one session
 * cookie, the CSRF token from the sign-in answer sent back on every unsafe request, mail read from the SMTP sink.
 */
export type InjectResponse = Awaited<ReturnType<App["inject"]>>;

export class SessionClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(
    readonly app: App,
    readonly cookieName: "coffer_console" | "coffer_ops" = "coffer_console",
  ) {}

  async send(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<InjectResponse> {
    const response = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookie ? { cookie: `${this.cookieName}=${this.cookie}` } : {}),
        ...(method !== "GET" && this.csrf ? { "x-csrf-token": this.csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    const setCookie = response.headers["set-cookie"];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const match = new RegExp(`^${this.cookieName}=([^;]*)`).exec(line);
      if (match) this.cookie = match[1] || undefined;
    }
    if (response.statusCode < 300 && String(response.headers["content-type"]).includes("json")) {
      const json = response.json() as { csrf_token?: unknown };
      if (typeof json.csrf_token === "string" && json.csrf_token) this.csrf = json.csrf_token;
    }
    return response;
  }

  get = (url: string, headers?: Record<string, string>) => this.send("GET", url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.send("POST", url, body ?? {}, headers);
  put = (url: string, body: unknown) => this.send("PUT", url, body);
  delete = (url: string) => this.send("DELETE", url);
}

export function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}@example.com`;
}

/** The token of the first console link in a mail. */
export function tokenFromMail(text: string): string {
  const match = /[?&]token=([A-Za-z0-9_%.-]+)/.exec(text);
  assert.ok(match?.[1], `no link with a token in:\n${text}`);
  return decodeURIComponent(match[1]);
}

export const defaultPassword = "correct horse battery staple";

export async function waitForMail(sink: SmtpSink, to: string, subject: RegExp) {
  return sink.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
}

/** Signs up over HTTP and verifies the address with the link from the mail. */
export async function signUp(
  app: App,
  sink: SmtpSink,
  options: { email?: string; password?: string; businessName?: string } = {},
): Promise<{ email: string; password: string }> {
  const email = options.email ?? uniqueEmail("owner");
  const password = options.password ?? defaultPassword;
  const response = await app.inject({
    method: "POST",
    url: "/v1/console/signup",
    // Each sign-up from its own address, so a file that signs up many merchants stays under the per-address limit.
    remoteAddress: `10.${randomBytes(3).join(".")}`,
    payload: { email, password, business_name: options.businessName ?? "Acme Tea" },
  });
  assert.equal(response.statusCode, 202, response.body);
  const mail = await waitForMail(sink, email, /Verify your email/);
  const verified = await app.inject({
    method: "POST",
    url: "/v1/console/verify_email",
    payload: { token: tokenFromMail(mail.text) },
  });
  assert.equal(verified.statusCode, 200, verified.body);
  return { email, password };
}

export async function logIn(
  app: App,
  credentials: { email: string; password: string },
  extra: { totp_code?: string; merchant?: string } = {},
): Promise<SessionClient> {
  const client = new SessionClient(app);
  const response = await client.post("/v1/console/login", {
    email: credentials.email,
    password: credentials.password,
    ...extra,
  });
  assert.equal(response.statusCode, 200, response.body);
  return client;
}

export interface TestMerchant {
  client: SessionClient;
  email: string;
  password: string;
  merchantId: string;
  userId: string;
}

export async function newMerchant(app: App, sink: SmtpSink, businessName = "Acme Tea"): Promise<TestMerchant> {
  const credentials = await signUp(app, sink, { businessName });
  const client = await logIn(app, credentials);
  const me = (await client.get("/v1/console/me")).json();
  return { client, ...credentials, merchantId: me.merchant, userId: me.user.id };
}

/** Enrolls TOTP for the signed-in user; returns the secret. Moves the clock a step so the next code is fresh. */
export async function enableTotp(client: SessionClient, clock: Clock & { advance(ms: number): void }) {
  const enrollment = await client.post("/v1/console/2fa/totp");
  assert.equal(enrollment.statusCode, 200, enrollment.body);
  const secret = enrollment.json().secret as string;
  const confirmed = await client.post("/v1/console/2fa/totp/confirm", { code: await totpCodeAt(secret, clock.now()) });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  clock.advance(30_000);
  return secret;
}

// A 1×1 PNG, a tiny PDF and a JPEG header: real magic bytes, as a browser would upload them.
export const samplePng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
export const samplePdf = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);
export const sampleJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);

export const bankAccountNumber = "6222020200112233445";
export const idNumber = "110101199003077316";

export const completeKyb = {
  legal_name: "Acme Tea Trading Co., Ltd.",
  registration_number: "91310000MA1FL0000X",
  country: "CN",
  registered_address: { line1: "88 Century Avenue", city: "Shanghai", postal_code: "200120" },
  business_category: "food_and_beverage",
  website: "https://acme-tea.example.com",
  representative: { name: "Li Wei", id_number: idNumber },
  bank_account: {
    holder_name: "Acme Tea Trading Co., Ltd.",
    bank_name: "Bank of Shanghai",
    account_number: bankAccountNumber,
  },
};

export async function uploadDocument(client: SessionClient, type: string, content: Buffer, contentType: string) {
  return client.post("/v1/console/kyb/documents", {
    type,
    content_type: contentType,
    filename: `${type}.${contentType.split("/")[1]}`,
    content_base64: content.toString("base64"),
  });
}

/** Fills in the whole application and uploads the two required documents. */
export async function fillKyb(client: SessionClient): Promise<void> {
  const put = await client.put("/v1/console/kyb", completeKyb);
  assert.equal(put.statusCode, 200, put.body);
  assert.equal((await uploadDocument(client, "business_licence", samplePdf, "application/pdf")).statusCode, 201);
  assert.equal((await uploadDocument(client, "representative_id", samplePng, "image/png")).statusCode, 201);
}

/** An operator with a password of their own, signed in to the operator console. */
export async function newOperator(
  app: App,
  services: Services,
  role: "admin" | "reviewer" | "support",
): Promise<SessionClient & { operatorId: string; email: string }> {
  const email = uniqueEmail(`op-${role}`);
  const created = await services.operators.accounts.create({ email, role, name: null, createdBy: null, ip: null });
  assert.ok(created.ok);
  const client = new SessionClient(app, "coffer_ops");
  const response = await client.post("/v1/ops/login", {
    email,
    password: created.value.oneTimePassword,
    new_password: `${role} keeps the queue moving`,
  });
  assert.equal(response.statusCode, 200, response.body);
  return Object.assign(client, { operatorId: created.value.operator.id, email });
}

/** Every role of the console, each a signed-in member of the merchant (invited by its owner, accepted over HTTP). */
export async function teamOfEveryRole(
  app: App,
  sink: SmtpSink,
  owner: TestMerchant,
): Promise<Record<"owner" | "admin" | "developer" | "support" | "viewer", SessionClient>> {
  const clients = { owner: owner.client } as Record<
    "owner" | "admin" | "developer" | "support" | "viewer",
    SessionClient
  >;
  for (const role of ["admin", "developer", "support", "viewer"] as const) {
    const email = uniqueEmail(role);
    const invited = await owner.client.post("/v1/console/team/invites", { email, role });
    assert.equal(invited.statusCode, 201, invited.body);
    const mail = await waitForMail(sink, email, /invited you/);
    const accepted = await app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token: tokenFromMail(mail.text), password: defaultPassword, name: role },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    clients[role] = await logIn(app, { email, password: defaultPassword });
  }
  return clients;
}
