import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { newId } from "../../src/ids.js";
import { dispatchEvents } from "../../src/webhooks/dispatcher.js";
import {
  defaultPassword,
  logIn,
  type SessionClient,
  samplePdf,
  samplePng,
  tokenFromMail,
  uniqueEmail,
  uploadDocument,
  waitForMail,
} from "./merchant-console.js";
import { issueTestApiKey } from "./merchant-rows.js";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  setSettlementAccount,
  type TestPaymentsMerchant,
} from "./payments.js";
import type { TestWalletUser } from "./wallets.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

/**
 * Two tenants and their objects, for tests of isolation: merchant A with one real object of every kind (made over
 * HTTP as a merchant would, in test mode, and a payment and its event in live mode), merchant B with a few of its
 * own, and wallet users: `payer` owns wallet objects of every kind, `other` owns nothing of theirs.
 */
export type Send = (method: string, url: string, body?: unknown) => Promise<LightMyRequestResponse>;

export interface Tenants {
  a: TestPaymentsMerchant & { liveKey: string };
  b: TestPaymentsMerchant & { endpointId: string; storeId: string; couponId: string };
  payer: TestWalletUser;
  other: TestWalletUser;
  /** A's objects by kind, in test mode. */
  aTest: Record<string, string>;
  /** A's objects by kind, in live mode. */
  aLive: Record<string, string>;
  /** The payer's wallet objects by kind. */
  wallet: Record<string, string>;
  /** Callers: B by its secret key and its console, A by the key of the other mode, the other wallet user. */
  as: {
    bSecret: Send;
    bConsole: Send;
    aLive: Send;
    aTest: Send;
    otherWallet: Send;
  };
  stop(): Promise<void>;
}

function bearer(coffer: PaymentsCoffer, token: string): Send {
  return (method, url, body) =>
    coffer.app.inject({
      method: method as "GET",
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
}

function consoleSender(client: SessionClient): Send {
  return (method, url, body) => client.send(method as "GET", url, body);
}

async function ok(response: LightMyRequestResponse, status = 200) {
  assert.equal(response.statusCode, status, response.body);
  return response.json();
}

/** Someone new joins the merchant as a developer; returns their user id. */
async function addMember(coffer: PaymentsCoffer, owner: SessionClient): Promise<string> {
  const email = uniqueEmail("member");
  await ok(await owner.post("/v1/console/team/invites", { email, role: "developer" }), 201);
  const mail = await waitForMail(coffer.sink, email, /invited you/);
  await ok(
    await coffer.app.inject({
      method: "POST",
      url: "/v1/console/team/invites/accept",
      payload: { token: tokenFromMail(mail.text), password: defaultPassword, name: "Member" },
    }),
  );
  const member = await logIn(coffer.app, { email, password: defaultPassword });
  return (await member.get("/v1/console/me")).json().user.id;
}

async function merchantObjects(coffer: PaymentsCoffer, a: TestPaymentsMerchant, payer: TestWalletUser) {
  const receiver = await startWebhookReceiver();
  receiver.respond = () => ({ status: 200 });
  const ids: Record<string, string> = {};
  const endpoint = await a.console.post("/v1/webhook_endpoints", { url: `${receiver.url}/a`, enabled_events: ["*"] });
  ids.webhook_endpoint = (await ok(endpoint, 201)).id;
  // The sandbox's payment code that always succeeds, then part of it back.
  const paid = { amount: "5000", currency: "USD", method: "payment_code", payment_code: "880000000000000001" };
  ids.payment = (await ok(await a.console.post("/v1/payments", paid), 201)).id;
  ids.refund = (await ok(await a.console.post("/v1/refunds", { payment: ids.payment, amount: "100" }), 201)).id;
  ids.go_live_probe = (await ok(await a.console.post("/v1/console/go_live/probe", {}), 201)).id;
  await dispatchEvents(coffer.db.pool, coffer.clock);
  await coffer.services.webhookDelivery.deliverDue();
  const deliveries = await a.console.get(`/v1/webhook_endpoints/${ids.webhook_endpoint}/deliveries`);
  ids.webhook_delivery = (await ok(deliveries)).data[0].id;
  ids.event = (await a.console.get("/v1/events")).json().data[0].id;

  // A QR payment the payer pays: theirs in the wallet, A's in the merchant API.
  const qr = await ok(await a.console.post("/v1/payments", { amount: "700", currency: "USD", method: "qr" }), 201);
  await ok(await payer.client.post("/v1/wallet/scan", { payload: qr.qr.payload }));
  await ok(await payer.client.post(`/v1/wallet/payments/${qr.id}/confirm`, {}));
  ids.paid_payment = qr.id;
  // The payer's feedback on it: A's to read in the merchant API.
  await ok(await payer.client.post(`/v1/wallet/payments/${qr.id}/feedback`, { rating: 4, tags: ["fast"] }), 201);
  ids.feedback = (await ok(await a.console.get("/v1/feedback"))).data[0].id;

  const link = { currency: "USD", amount_type: "fixed", unit_amount: "900" };
  ids.payment_link = (await ok(await a.console.post("/v1/payment_links", link), 201)).id;
  ids.store = (await ok(await a.console.post("/v1/stores", { name: "A's shop", currency: "USD" }), 201)).id;
  ids.till = (await ok(await a.console.post(`/v1/stores/${ids.store}/tills`, { name: "Counter" }), 201)).id;

  // A gift card of A's (no value needed: a card may be issued empty).
  ids.stored_value_card = (
    await ok(await a.console.post("/v1/stored_value/cards", { currency: "USD", amount: "0" }), 201)
  ).id;

  await setSettlementAccount(a, "6222020200112233445");
  ids.payout = (await ok(await a.console.post("/v1/payouts", { amount: "300", currency: "USD" }), 201)).id;
  // A dispute of the paid payment (the sandbox opens it as its payer), and A's own ticket to the platform with a file.
  const disputed = await a.console.post(`/v1/test_helpers/payments/${ids.payment}/dispute`, { amount: "500" });
  ids.dispute = (await ok(disputed, 201)).id;
  const file = {
    filename: "statement.pdf",
    content_type: "application/pdf",
    content_base64: samplePdf.toString("base64"),
  };
  const ticket = await ok(
    await a.console.post("/v1/support/tickets", { subject: "Payouts", body: "When?", attachments: [file] }),
    201,
  );
  ids.support_ticket = ticket.id;
  ids.support_attachment = ticket.messages[0].attachments[0].id;
  // A's coupon with a code, a payment holding its discount, and a cashback rule that credited the payer.
  const coupon = { name: "A's coupon", currency: "USD", amount_off: "100" };
  ids.coupon = (await ok(await a.console.post("/v1/coupons", coupon), 201)).id;
  ids.promotion_code = (await ok(await a.console.post("/v1/promotion_codes", { coupon: ids.coupon }), 201)).id;
  const discounted = { amount: "1000", currency: "USD", method: "qr", discounts: [{ coupon: ids.coupon }] };
  ids.coupon_redemption = (await ok(await a.console.post("/v1/payments", discounted), 201)).discounts[0].redemption;
  const rule = { name: "A's cashback", currency: "USD", percent_bps: 100, budget: "100" };
  ids.cashback_rule = (await ok(await a.console.post("/v1/cashback_rules", rule), 201)).id;
  coffer.clock.advance(1_000); // a rule covers payments paid from its creation on
  const earning = await ok(
    await a.console.post("/v1/payments", { amount: "2000", currency: "USD", method: "qr" }),
    201,
  );
  await ok(await payer.client.post(`/v1/wallet/payments/${earning.id}/confirm`, {}));
  await coffer.services.coupons.creditDue();
  ids.cashback = (await ok(await a.console.get("/v1/cashbacks"))).data[0].id;

  const keys = (await a.console.get("/v1/console/api_keys")).json().data;
  ids.api_key = keys.find((k: { type: string }) => k.type === "secret").id;
  ids.team_member = await addMember(coffer, a.console);
  ids.team_invite = (
    await ok(await a.console.post("/v1/console/team/invites", { email: uniqueEmail("invitee"), role: "viewer" }), 201)
  ).id;
  ids.kyb_document = (
    await ok(await uploadDocument(a.console, "business_licence", samplePdf, "application/pdf"), 201)
  ).id;
  ids.audit_record = (await a.console.get("/v1/console/audit_log")).json().data[0].id;
  ids.sign_in = (await ok(await a.console.get("/v1/console/sign_ins"))).data[0].id;
  // A passkey of A's owner: the row WebAuthn registration writes (its ceremony is tested in passkeys.test.ts).
  const owner = (await a.console.get("/v1/console/me")).json().user.id;
  ids.webauthn_credential = randomBytes(32).toString("base64url");
  await coffer.db.pool.query(
    `INSERT INTO webauthn_credentials (id, user_id, public_key, sign_count, device_type, backed_up, name, created_at)
     VALUES ($1, $2, $3, 0, 'singleDevice', false, 'laptop', now())`,
    [ids.webauthn_credential, owner, randomBytes(77)],
  );
  return { ids, receiver };
}

async function walletObjects(coffer: PaymentsCoffer, payer: TestWalletUser) {
  const ids: Record<string, string> = {};
  const sources = (await ok(await payer.client.get("/v1/wallet/funding_sources"))).data;
  ids.funding_source = sources[0].id;
  const topUps = (await ok(await payer.client.get("/v1/wallet/transactions?type=top_up"))).data;
  ids.top_up = topUps[0].id;
  const payee = await newTestPayer(coffer, { displayName: "Payee" });
  ids.transfer = (
    await ok(await payer.client.post("/v1/wallet/transfers", { to: payee.id, amount: "150", currency: "USD" }), 201)
  ).id;
  ids.withdrawal = (
    await ok(
      await payer.client.post("/v1/wallet/withdrawals", { funding_source: ids.funding_source, amount: "200" }),
      201,
    )
  ).id;
  // A platform card the payer claimed into their wallet: theirs to see in the wallet API.
  const card = await coffer.services.storedValue.issue(
    { merchantId: null, livemode: false },
    { currency: "USD", amount: "300" },
  );
  if (card.kind !== "card") throw new Error("one card was issued");
  ids.card = card.card.id;
  await ok(await payer.client.post(`/v1/wallet/cards/${ids.card}/claim`, { number: card.number, secret: card.secret }));
  ids.session = (await ok(await payer.client.get("/v1/wallet/sessions"))).data[0].id;
  ids.sign_in = (await ok(await payer.client.get("/v1/wallet/sign_ins"))).data[0].id;
  ids.device = (await ok(await payer.client.get("/v1/wallet/devices"))).data[0].id;
  // A passkey: the row WebAuthn registration writes (its ceremony is tested in src/wallets/stepup).
  ids.passkey = newId("wpk");
  await coffer.db.pool.query(
    `INSERT INTO wallet_passkeys (id, wallet_user_id, credential_id, public_key, name, created_at)
     VALUES ($1, $2, $3, $4, 'phone', now())`,
    [ids.passkey, payer.id, randomBytes(32).toString("base64url"), randomBytes(77)],
  );
  return ids;
}

export async function setUpTenants(coffer: PaymentsCoffer): Promise<Tenants> {
  const payer = await newTestPayer(coffer, { fund: "100000" });
  const other = await newTestPayer(coffer, { fund: "5000", displayName: "Other" });
  const a = await newPaymentsMerchant(coffer, "Shop A");
  const b = await newPaymentsMerchant(coffer, "Shop B");
  const { ids: aTest, receiver } = await merchantObjects(coffer, a, payer);
  const bEndpoint = await ok(
    await b.console.post("/v1/webhook_endpoints", { url: `${receiver.url}/b`, enabled_events: ["*"] }),
    201,
  );

  const bStore = await ok(await b.console.post("/v1/stores", { name: "B's shop", currency: "USD" }), 201);
  const bCoupon = await ok(
    await b.console.post("/v1/coupons", { name: "B's coupon", currency: "USD", percent_off_bps: 500 }),
    201,
  );

  const liveKey = await issueTestApiKey(coffer.services, a.merchantId, { livemode: true });
  const aLiveSend = bearer(coffer, liveKey);
  const livePayment = await ok(
    await aLiveSend("POST", "/v1/payments", { amount: "2500", currency: "USD", method: "qr" }),
    201,
  );
  const liveCard = await ok(await aLiveSend("POST", "/v1/stored_value/cards", { currency: "USD", amount: "0" }), 201);
  const liveCoupon = await ok(
    await aLiveSend("POST", "/v1/coupons", { name: "Live coupon", currency: "USD", amount_off: "100" }),
    201,
  );
  const aLive = {
    payment: livePayment.id,
    event: (await ok(await aLiveSend("GET", "/v1/events"))).data[0].id,
    stored_value_card: liveCard.id,
    coupon: liveCoupon.id,
  };
  const wallet = { ...(await walletObjects(coffer, payer)), payment: aTest.paid_payment! };
  // The payer's "Get help" on A's payment they paid, with a file: theirs in the wallet (and A's in its inbox).
  const help = await payer.client.post("/v1/wallet/support/tickets", {
    subject: "Where is my order?",
    body: "Paid, nothing came.",
    payment: aTest.paid_payment,
    attachments: [{ content_type: "image/png", content_base64: samplePng.toString("base64") }],
  });
  Object.assign(wallet, {
    support_ticket: (await ok(help, 201)).id,
    support_attachment: help.json().messages[0].attachments[0].id,
  });
  // The payer's offline certificate (its device key made here), whose hold only they may read.
  const certificate = await payer.client.post("/v1/wallet/offline_certificate", {
    public_key: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }),
    offline_cap: "100",
  });
  Object.assign(wallet, { offline_certificate: (await ok(certificate, 201)).id });
  return {
    a: { ...a, liveKey },
    b: { ...b, endpointId: bEndpoint.id, storeId: bStore.id, couponId: bCoupon.id },
    payer,
    other,
    aTest,
    aLive,
    wallet,
    as: {
      bSecret: bearer(coffer, b.secretKey),
      bConsole: consoleSender(b.console),
      aLive: aLiveSend,
      aTest: bearer(coffer, a.secretKey),
      otherWallet: bearer(coffer, other.token),
    },
    stop: () => receiver.stop(),
  };
}

/** An id nobody has: the same prefix as `id` (and its length), random after it. */
export function unknownIdLike(id: string): string {
  const cut = id.indexOf("_");
  const tail = id.slice(cut + 1);
  const fresh = randomBytes(tail.length).toString("hex").slice(0, tail.length);
  return cut === -1 ? randomBytes(32).toString("base64url") : `${id.slice(0, cut + 1)}${fresh}`;
}

/** A response as a client compares two of them: status and body, without the request id. */
export function comparable(response: LightMyRequestResponse) {
  let body: unknown = response.body;
  try {
    const parsed = JSON.parse(response.body);
    if (parsed?.error) parsed.error.request_id = undefined;
    body = parsed;
  } catch {}
  return { status: response.statusCode, body };
}
