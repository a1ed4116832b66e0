import assert from "node:assert/strict";
import { makeDeviceKeyPair, makeOfflineCode, publicJwk } from "../../web/src/wallet/offline/code.js";
import type { PaymentsCoffer, TestPaymentsMerchant } from "./payments.js";
import type { TestWalletUser } from "./wallets.js";

/** A wallet device as the wallet app is one: a non-extractable P-256 key pair, its certificate, its counter. */
export interface TestDevice {
  keys: Awaited<ReturnType<typeof makeDeviceKeyPair>>;
  certificate: {
    id: string;
    certificate: string;
    cap: string;
    remaining: string;
    expires_at: number;
    settle_before: number;
    kid: string;
    merchant: string | null;
  };
  counter: number;
  /** The next code (a fresh counter) at the coffer's clock, or at `now`. */
  code(options?: { amount?: bigint; now?: Date; counter?: number }): Promise<string>;
}

export async function newDevice(
  coffer: PaymentsCoffer,
  payer: Pick<TestWalletUser, "client">,
  body: Record<string, unknown> = {},
  /** A prepaid card's device asks /v1/wallet/cards/{id}/offline_certificate with the card's session. */
  url = "/v1/wallet/offline_certificate",
): Promise<TestDevice> {
  const keys = await makeDeviceKeyPair();
  const response = await payer.client.post(
    url,
    { public_key: await publicJwk(keys), ...body },
    { "idempotency-key": crypto.randomUUID() },
  );
  assert.equal(response.statusCode, 201, response.body);
  const device: TestDevice = {
    keys,
    certificate: response.json(),
    counter: 0,
    async code(options = {}) {
      const counter = options.counter ?? ++device.counter;
      return makeOfflineCode({
        certificate: device.certificate.certificate,
        privateKey: keys.privateKey,
        counter,
        now: options.now ?? coffer.clock.now(),
        amount: options.amount,
      });
    },
  };
  return device;
}

/** POST /v1/payments with the code as payment_code, as the merchant's POS submits it when online. */
export function submitCode(coffer: PaymentsCoffer, shop: TestPaymentsMerchant, code: string, amount: string) {
  return coffer.app.inject({
    method: "POST",
    url: "/v1/payments",
    headers: {
      authorization: `Bearer ${shop.secretKey}`,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    },
    payload: JSON.stringify({ amount, currency: "USD", method: "payment_code", payment_code: code }),
  });
}
