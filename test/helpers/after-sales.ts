import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { withTransaction } from "../../src/db/tx.js";
import type { PaymentsCoffer, TestPaymentsMerchant } from "./payments.js";
import { type TestWalletUser, WalletClient } from "./wallets.js";

/** Requests as a merchant's secret key, and paid payments, for the disputes and support tests. */
export type Api = (method: "GET" | "POST", url: string, body?: unknown) => Promise<LightMyRequestResponse>;

export function merchantApi(coffer: PaymentsCoffer, merchant: TestPaymentsMerchant): Api {
  return (method, url, body) =>
    coffer.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${merchant.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
}

export async function expectStatus(response: LightMyRequestResponse, status: number) {
  assert.equal(response.statusCode, status, response.body);
  return response.json();
}

/** A QR payment of the merchant that the payer scans and confirms: succeeded, paid from the payer's wallet. */
export async function paidPayment(
  api: Api,
  payer: TestWalletUser,
  amount: string,
  currency = "USD",
): Promise<{ id: string; fee: string }> {
  const created = await expectStatus(await api("POST", "/v1/payments", { amount, currency, method: "qr" }), 201);
  await expectStatus(await payer.client.post("/v1/wallet/scan", { payload: created.qr.payload }), 200);
  const paid = await expectStatus(await payer.client.post(`/v1/wallet/payments/${created.id}/confirm`, {}), 200);
  assert.equal(paid.status, "succeeded");
  const payment = await expectStatus(await api("GET", `/v1/payments/${created.id}`), 200);
  return { id: created.id, fee: payment.fee };
}

/** The merchant owner's email, where the merchant's mail goes. */
export async function ownerEmail(merchant: TestPaymentsMerchant): Promise<string> {
  return (await merchant.console.get("/v1/console/me")).json().user.email;
}

/** A new wallet session for a test payer (test-mode wallet users have no password sign-in), e.g. after a long clock jump. */
export async function newSession(coffer: PaymentsCoffer, payer: TestWalletUser): Promise<TestWalletUser> {
  const { token } = await withTransaction(coffer.db.pool, (tx) =>
    coffer.services.wallets.sessions.create(tx, payer.id, { userAgent: "after-sales-tests", ip: null }),
  );
  return { ...payer, token, client: new WalletClient(coffer.app, token) };
}
