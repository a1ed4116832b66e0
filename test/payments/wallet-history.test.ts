import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  newPaymentsMerchant,
  newTestPayer,
  type PaymentsCoffer,
  startPaymentsCoffer,
  type TestPaymentsMerchant,
} from "../helpers/payments.js";
import type { TestWalletUser } from "../helpers/wallets.js";

/** A payer's transaction list holds their payments and the refunds that came back, from the server, in order. */
describe("wallet history: payments and refunds", () => {
  let coffer: PaymentsCoffer;
  let shop: TestPaymentsMerchant;
  let payer: TestWalletUser;

  before(async () => {
    coffer = await startPaymentsCoffer();
    shop = await newPaymentsMerchant(coffer, "Corner Bakery");
    payer = await newTestPayer(coffer, { fund: "10000" });
  });
  after(() => coffer.close());

  interface Row {
    id: string;
    type: string;
    direction: string;
    amount: string;
    status: string;
    counterparty: string;
    counterparty_name: string;
    note: string | null;
    amount_refunded: string | null;
  }
  const transactions = async (query = "") => {
    const response = await payer.client.get(`/v1/wallet/transactions${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data as Row[];
  };

  it("lists a paid payment with what came back, each refund as money in, and leaves unpaid payments out", async () => {
    const paid = await shop.sdk.payments.create({
      amount: "1200",
      currency: "USD",
      method: "qr",
      description: "Two sourdough loaves",
    });
    assert.equal((await payer.client.post("/v1/wallet/scan", { payload: paid.qr?.payload })).statusCode, 200);
    const confirmed = await payer.client.post(`/v1/wallet/payments/${paid.id}/confirm`, {});
    assert.equal(confirmed.json().status, "succeeded", confirmed.body);
    coffer.clock.advance(1000);
    const refund = await shop.sdk.refunds.create({ payment: paid.id, amount: "500" });
    assert.equal(refund.status, "succeeded");
    const unpaid = await shop.sdk.payments.create({ amount: "300", currency: "USD", method: "qr" });

    const rows = await transactions();
    assert.equal(
      rows.some((row) => row.id === unpaid.id),
      false,
    );
    const [newest, payment] = rows;
    const pick = (row: Row | undefined) => ({
      id: row?.id,
      type: row?.type,
      direction: row?.direction,
      amount: row?.amount,
      status: row?.status,
      counterparty: row?.counterparty,
      counterparty_name: row?.counterparty_name,
      amount_refunded: row?.amount_refunded,
    });
    assert.deepEqual(pick(newest), {
      id: refund.id,
      type: "refund",
      direction: "in",
      amount: "500",
      status: "succeeded",
      counterparty: shop.merchantId,
      counterparty_name: "Corner Bakery",
      amount_refunded: null,
    });
    assert.deepEqual(
      {
        id: payment?.id,
        type: payment?.type,
        direction: payment?.direction,
        amount: payment?.amount,
        note: payment?.note,
        counterparty_name: payment?.counterparty_name,
        amount_refunded: payment?.amount_refunded,
      },
      {
        id: paid.id,
        type: "payment",
        direction: "out",
        amount: "1200",
        note: "Two sourdough loaves",
        counterparty_name: "Corner Bakery",
        amount_refunded: "500",
      },
    );
    assert.deepEqual(
      (await transactions("?type=refund")).map((row) => row.id),
      [refund.id],
    );
    assert.deepEqual(
      (await transactions("?type=payment&direction=out")).map((row) => row.id),
      [paid.id],
    );
  });
});
