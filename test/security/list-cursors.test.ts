import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { newId } from "../../src/ids.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { comparable, type Send, setUpTenants, type Tenants, unknownIdLike } from "../helpers/tenants.js";

/**
 * Every list with starting_after / ending_before, found in /openapi.json so a new list cannot be missed: a cursor
 * naming another tenant's object (another merchant's, the other mode's, another wallet user's) answers exactly as an
 * unknown id does, 400 parameter_invalid naming the cursor, so a cursor cannot tell whether an id exists.
 */
describe("list cursors answer another tenant's id as they answer an unknown one", () => {
  let coffer: PaymentsCoffer;
  let t: Tenants;
  /** B's own card, a card's own session (on a card of its own), and transactions of the payer's claimed card. */
  let bCard: string;
  let cardSession: { card: string; send: Send };
  let cardTransactions: string[];
  let crypto: { deposit: string; withdrawal: string };

  /** For each list: the URL, who calls it, and the ids that caller may not use as a cursor. */
  const cases = (): Record<string, { url: string; callers: [string, Send][]; foreign: string[] }> => {
    const merchantCallers: [string, Send][] = [
      ["B's secret key", t.as.bSecret],
      ["B's console", t.as.bConsole],
    ];
    const merchant = (kind: string) => ({
      callers: merchantCallers,
      foreign: [t.aTest[kind]!],
    });
    // The console's own lists answer console sessions only.
    const console_ = (kind: string) => ({ callers: merchantCallers.slice(1), foreign: [t.aTest[kind]!] });
    return {
      "/v1/payments": { url: "/v1/payments", ...merchant("payment") },
      "/v1/payment_links": { url: "/v1/payment_links", ...merchant("payment_link") },
      "/v1/stores": { url: "/v1/stores", ...merchant("store") },
      "/v1/stores/{id}/tills": { url: `/v1/stores/${t.b.storeId}/tills`, ...merchant("till") },
      "/v1/refunds": { url: "/v1/refunds", ...merchant("refund") },
      "/v1/payouts": { url: "/v1/payouts", ...merchant("payout") },
      "/v1/feedback": { url: "/v1/feedback", ...merchant("feedback") },
      "/v1/events": { url: "/v1/events", ...merchant("event") },
      "/v1/webhook_endpoints": { url: "/v1/webhook_endpoints", ...merchant("webhook_endpoint") },
      "/v1/webhook_endpoints/{id}/deliveries": {
        url: `/v1/webhook_endpoints/${t.b.endpointId}/deliveries`,
        ...merchant("webhook_delivery"),
      },
      "/v1/console/api_keys": { url: "/v1/console/api_keys", ...console_("api_key") },
      "/v1/console/audit_log": { url: "/v1/console/audit_log", ...console_("audit_record") },
      "/v1/console/go_live/probes": { url: "/v1/console/go_live/probes", ...console_("go_live_probe") },
      "/v1/console/team/invites": { url: "/v1/console/team/invites", ...console_("team_invite") },
      "/v1/console/team/members": { url: "/v1/console/team/members", ...console_("team_member") },
      // A console user's own sign-ins: B's user may not page by A's owner's.
      "/v1/console/sign_ins": { url: "/v1/console/sign_ins", ...console_("sign_in") },
      "/v1/wallet/sign_ins": {
        url: "/v1/wallet/sign_ins",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [t.wallet.sign_in!],
      },
      "/v1/wallet/payments": {
        url: "/v1/wallet/payments",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [t.wallet.payment!],
      },
      "/v1/wallet/transactions": {
        url: "/v1/wallet/transactions",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [t.wallet.transfer!, t.wallet.top_up!, t.wallet.withdrawal!, t.wallet.payment!],
      },
      "/v1/stored_value/cards": { url: "/v1/stored_value/cards", ...merchant("stored_value_card") },
      "/v1/disputes": { url: "/v1/disputes", ...merchant("dispute") },
      "/v1/support/tickets": { url: "/v1/support/tickets", ...merchant("support_ticket") },
      "/v1/wallet/support/tickets": {
        url: "/v1/wallet/support/tickets",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [t.wallet.support_ticket!],
      },
      "/v1/coupons": { url: "/v1/coupons", ...merchant("coupon") },
      "/v1/coupons/{id}/redemptions": {
        url: `/v1/coupons/${t.b.couponId}/redemptions`,
        ...merchant("coupon_redemption"),
      },
      "/v1/promotion_codes": { url: "/v1/promotion_codes", ...merchant("promotion_code") },
      "/v1/cashback_rules": { url: "/v1/cashback_rules", ...merchant("cashback_rule") },
      "/v1/cashbacks": { url: "/v1/cashbacks", ...merchant("cashback") },
      // A card's history is paged by ledger transfer ids: another card's transfers answer as unknown.
      "/v1/stored_value/cards/{id}/transactions": {
        url: `/v1/stored_value/cards/${bCard}/transactions`,
        callers: merchantCallers,
        foreign: cardTransactions,
      },
      "/v1/wallet/crypto/deposits": {
        url: "/v1/wallet/crypto/deposits",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [crypto.deposit],
      },
      "/v1/wallet/crypto/withdrawals": {
        url: "/v1/wallet/crypto/withdrawals",
        callers: [["another wallet user", t.as.otherWallet]],
        foreign: [crypto.withdrawal],
      },
      "/v1/wallet/cards/{id}/transactions": {
        url: `/v1/wallet/cards/${cardSession.card}/transactions`,
        callers: [["a card's own session", cardSession.send]],
        foreign: cardTransactions,
      },
    };
  };

  before(async () => {
    coffer = await startPaymentsCoffer();
    t = await setUpTenants(coffer);
    bCard = (await t.as.bSecret("POST", "/v1/stored_value/cards", { currency: "USD", amount: "0" })).json().id;
    const issued = await coffer.services.storedValue.issue(
      { merchantId: null, livemode: false },
      { currency: "USD", amount: "100" },
    );
    if (issued.kind !== "card") throw new Error("one card was issued");
    const session = await coffer.app.inject({
      method: "POST",
      url: "/v1/wallet/cards",
      payload: { number: issued.number, secret: issued.secret },
    });
    const token = session.json().token as string;
    cardSession = {
      card: issued.card.id,
      send: (method, url) =>
        coffer.app.inject({ method: method as "GET", url, headers: { authorization: `Bearer ${token}` } }),
    };
    const history = await t.payer.client.get(`/v1/wallet/cards/${t.wallet.card}/transactions`);
    cardTransactions = history.json().data.map((x: { id: string }) => x.id);
    assert.equal(cardTransactions.length, 2, history.body);
    crypto = await cryptoRowsOf(t.payer.id);
  });

  /**
   * A deposit and a withdrawal of the payer's, written as the follower and the withdrawal service record them (no
   * chain runs here: only their ids matter, as another wallet user's cursors).
   */
  async function cryptoRowsOf(walletUserId: string): Promise<{ deposit: string; withdrawal: string }> {
    const pool = coffer.services.pool;
    const user = await pool.query<{ livemode: boolean }>("SELECT livemode FROM wallet_users WHERE id = $1", [
      walletUserId,
    ]);
    const livemode = user.rows[0]!.livemode;
    await coffer.services.secrets.warm();
    const { address } = await coffer.services.crypto.addresses.forWalletUser({ id: walletUserId, livemode });
    const hot = await coffer.services.crypto.keys.hotWallet(livemode);
    const deposit = newId("cdep");
    await pool.query(
      `INSERT INTO crypto_deposits (id, chain, livemode, tx_hash, log_index, block_number, block_hash, from_address,
                                    address, asset, amount, address_kind, wallet_user_id, status, inclusion,
                                    seen_applied, confirmations_required, created_at, updated_at)
       VALUES ($1, 'sandbox', $2, $3, -1, 7, $4, $5, $6, 'ETH', 1000000000000000, 'wallet', $7, 'available', 1, true,
               3, now(), now())`,
      [
        deposit,
        livemode,
        `0x${"ab".repeat(32)}`,
        `0x${"cd".repeat(32)}`,
        `0x${"12".repeat(20)}`,
        address,
        walletUserId,
      ],
    );
    const withdrawal = newId("cwd");
    const outgoing = newId("cotx");
    await pool.query(
      `INSERT INTO crypto_outgoing_transactions (id, chain, livemode, from_index, from_address, to_address, asset,
                                                 amount, purpose, purpose_id, status, created_at, updated_at)
       VALUES ($1, 'sandbox', $2, 0, $3, $4, 'ETH', 1000, 'withdrawal', $5, 'queued', now(), now())`,
      [outgoing, livemode, hot.address, `0x${"34".repeat(20)}`, withdrawal],
    );
    await pool.query(
      `INSERT INTO crypto_withdrawals (id, wallet_user_id, livemode, chain, asset, amount, fee, to_address, status,
                                       outgoing_id, hold_transfer_id, spend_day, spend_month, created_at, updated_at)
       VALUES ($1, $2, $3, 'sandbox', 'ETH', 1000, 0, $4, 'pending', $5, $6, '2026-12-07', '2026-12', now(), now())`,
      [withdrawal, walletUserId, livemode, `0x${"34".repeat(20)}`, outgoing, randomUUID()],
    );
    return { deposit, withdrawal };
  }
  after(async () => {
    await t?.stop();
    await coffer.close();
  });

  it("has a case for every list that takes a cursor (operators' lists see every tenant and are left out)", async () => {
    const spec = (await coffer.app.inject({ url: "/openapi.json" })).json();
    const lists: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { parameters?: { name: string }[] }>>(spec.paths)) {
      const get = operations.get;
      if (get?.parameters?.some((p) => p.name === "starting_after") && !path.startsWith("/v1/ops/")) lists.push(path);
    }
    assert.deepEqual(lists.sort(), Object.keys(cases()).sort(), "a list without a case here");
  });

  for (const direction of ["starting_after", "ending_before"]) {
    it(`answers ${direction}=<another tenant's id> exactly as an unknown id, for every list and caller`, async () => {
      for (const [name, list] of Object.entries(cases())) {
        for (const [caller, send] of list.callers) {
          for (const id of list.foreign) {
            const join = list.url.includes("?") ? "&" : "?";
            const foreign = await send("GET", `${list.url}${join}${direction}=${id}`);
            const unknown = await send("GET", `${list.url}${join}${direction}=${unknownIdLike(id)}`);
            const where = `${name} as ${caller} with ${id}`;
            assert.equal(foreign.statusCode, 400, `${where}: ${foreign.body}`);
            assert.deepEqual(foreign.json().error.param, direction, where);
            assert.equal(foreign.json().error.code, "parameter_invalid", where);
            assert.deepEqual(comparable(foreign), comparable(unknown), where);
          }
        }
      }
    });
  }

  it("answers A's test-mode ids as unknown to A's live key, and A's live ids to its test key", async () => {
    const pairs: [Send, string, string][] = [
      [t.as.aLive, "/v1/payments", t.aTest.payment!],
      [t.as.aLive, "/v1/events", t.aTest.event!],
      [t.as.aLive, "/v1/refunds", t.aTest.refund!],
      [t.as.aLive, "/v1/payouts", t.aTest.payout!],
      [t.as.aLive, "/v1/webhook_endpoints", t.aTest.webhook_endpoint!],
      [t.as.aTest, "/v1/payments", t.aLive.payment!],
      [t.as.aTest, "/v1/events", t.aLive.event!],
      [t.as.aLive, "/v1/coupons", t.aTest.coupon!],
      [t.as.aTest, "/v1/coupons", t.aLive.coupon!],
    ];
    for (const [send, url, id] of pairs) {
      const foreign = await send("GET", `${url}?starting_after=${id}`);
      const unknown = await send("GET", `${url}?starting_after=${unknownIdLike(id)}`);
      assert.equal(foreign.statusCode, 400, `${url} ${id}: ${foreign.body}`);
      assert.deepEqual(comparable(foreign), comparable(unknown), `${url} ${id}`);
    }
  });

  it("still pages with the caller's own ids, even one the list's filter leaves out", async () => {
    const own = await t.as.aTest("GET", `/v1/payments?limit=1&starting_after=${t.aTest.payment}`);
    assert.equal(own.statusCode, 200, own.body);
    const filtered = await t.as.aTest("GET", `/v1/payments?status=canceled&starting_after=${t.aTest.payment}`);
    assert.equal(filtered.statusCode, 200, filtered.body);
    const wallet = await t.payer.client.get(`/v1/wallet/transactions?ending_before=${t.wallet.withdrawal}`);
    assert.equal(wallet.statusCode, 200, wallet.body);
  });
});
