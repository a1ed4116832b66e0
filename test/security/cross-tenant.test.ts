import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { newId } from "../../src/ids.js";
import { type PaymentsCoffer, startPaymentsCoffer } from "../helpers/payments.js";
import { comparable, type Send, setUpTenants, type Tenants, unknownIdLike } from "../helpers/tenants.js";
import { changedTables, tableChecksumQuery, tableChecksums } from "./table-checksums.js";

/**
 * Every route that takes an id, read from /openapi.json so a new route is covered the day it is added: each is
 * called with merchant A's objects by merchant B (secret key and console), by A in the other mode and by another
 * wallet user, and with an unknown id of the same prefix. Each caller gets for A's id exactly what it gets for the
 * unknown id (apart from the request id), the callers the object is hidden from get 404 resource_not_found, and no
 * table changes. A route whose kind of id has no case below fails the test until it gets one.
 */

type CallerName = keyof Tenants["as"];

interface IdKind {
  /** A's objects of this kind, each with the callers that must not see it. */
  objects: (t: Tenants) => { id: string; hiddenFrom: CallerName[] }[];
  /** A caller the routes refuse before looking at any id, with the documented code they answer instead of 404. */
  refused?: Partial<Record<CallerName, string>>;
  /** The same for one route of the kind ("POST /v1/…/{id}/…"), where it differs from the kind's. */
  refusedOn?: Record<string, Partial<Record<CallerName, string>>>;
}

/** Merchant objects of a mode: B may not see them, nor A with a key of the other mode. */
const merchantKind = (kind: string, refused?: IdKind["refused"]): IdKind => ({
  refused,
  objects: (t) => [
    { id: t.aTest[kind]!, hiddenFrom: ["bSecret", "bConsole", "aLive"] },
    ...(t.aLive[kind] ? [{ id: t.aLive[kind], hiddenFrom: ["bSecret", "bConsole", "aTest"] as CallerName[] }] : []),
  ],
});
/** Objects of the merchant's console (keys, team, documents, passkeys): both modes, the console only. */
const consoleKind = (kind: string): IdKind => ({
  objects: (t) => [{ id: t.aTest[kind]!, hiddenFrom: ["bConsole"] }],
});
/** A wallet user's objects: hidden from every other wallet user. */
const walletKind = (kind: string): IdKind => ({
  objects: (t) => [{ id: t.wallet[kind]!, hiddenFrom: ["otherWallet"] }],
});

/** The kind of id of a route, by the path before its first parameter. */
const idKinds: Record<string, IdKind | { exempt: string }> = {
  "/v1/payments": merchantKind("payment"),
  "/v1/test_helpers/payments": merchantKind("payment", { aLive: "test_mode_only" }),
  "/v1/refunds": merchantKind("refund"),
  "/v1/payment_links": merchantKind("payment_link"),
  "/v1/stores": merchantKind("store"),
  "/v1/tills": merchantKind("till"),
  "/v1/pay": {
    exempt:
      "public by design: a payment link's page, found by its random slug (not its id), is for whoever holds the link",
  },
  "/v1/payouts": merchantKind("payout"),
  "/v1/feedback": merchantKind("feedback"),
  "/v1/feedback_requests": {
    exempt: "public by design: a feedback link is signed for the payment's payer (src/feedback/token.ts), not an id",
  },
  "/v1/events": merchantKind("event"),
  "/v1/webhook_endpoints": merchantKind("webhook_endpoint"),
  "/v1/console/api_keys": consoleKind("api_key"),
  "/v1/console/kyb/documents": consoleKind("kyb_document"),
  "/v1/console/team/invites": consoleKind("team_invite"),
  "/v1/console/team/members": consoleKind("team_member"),
  "/v1/console/webauthn/credentials": consoleKind("webauthn_credential"),
  "/v1/wallet/funding_sources": walletKind("funding_source"),
  "/v1/wallet/passkeys": walletKind("passkey"),
  "/v1/wallet/payments": walletKind("payment"),
  "/v1/wallet/devices": walletKind("device"),
  "/v1/wallet/sessions": walletKind("session"),
  "/v1/wallet/top_ups": walletKind("top_up"),
  "/v1/wallet/transfers": walletKind("transfer"),
  "/v1/wallet/withdrawals": walletKind("withdrawal"),
  "/v1/wallet/crypto/withdrawals": walletKind("crypto_withdrawal"),
  "/v1/wallet/crypto/allowlist": walletKind("crypto_allowlist_entry"),
  "/v1/ops/crypto/alerts": { exempt: "operators watch custody across every tenant, by role" },
  "/v1/stored_value/cards": merchantKind("stored_value_card"),
  "/v1/coupons": merchantKind("coupon"),
  "/v1/promotion_codes": merchantKind("promotion_code"),
  "/v1/cashback_rules": merchantKind("cashback_rule"),
  "/v1/ops/coupons": { exempt: "operators work across every tenant, by role" },
  "/v1/ops/promotion_codes": { exempt: "operators work across every tenant, by role" },
  "/v1/ops/cashback_rules": { exempt: "operators work across every tenant, by role" },
  "/v1/wallet/cards": {
    ...walletKind("card"),
    // Claiming is how an account comes to own a card: any account may name any card, and proves it holds it with
    // the card's number and secret. A wrong pair answers alike for another's card and an unknown one.
    refusedOn: { "POST /v1/wallet/cards/{id}/claim": { otherWallet: "card_credentials_invalid" } },
  },
  "/v1/ops/stored_value/cards": { exempt: "operators work across every tenant, by role" },
  "/v1/disputes": merchantKind("dispute"),
  "/v1/support/tickets": merchantKind("support_ticket"),
  "/v1/support/attachments": merchantKind("support_attachment"),
  "/v1/wallet/support/tickets": walletKind("support_ticket"),
  "/v1/wallet/support/attachments": walletKind("support_attachment"),
  "/v1/wallet/offline_certificates": walletKind("offline_certificate"),
  "/v1/ops/disputes": { exempt: "operators work across every tenant, by role" },
  "/v1/ops/support/tickets": { exempt: "operators answer tickets to the platform from every tenant, by role" },
  "/v1/ops/support/attachments": { exempt: "operators read the files of every ticket to the platform, by role" },
  "/v1/wallet/statements": { exempt: "takes a month, not an id; a statement is always of the caller's own wallet" },
  "/v1/checkout": {
    exempt: "public by design: the checkout summary is what the payer's link shows, to whoever holds the payment id",
  },
  "/v1/ops/kyb_applications": { exempt: "operators work across every tenant, by role (src/operators/permissions.ts)" },
  "/v1/ops/kyc_submissions": { exempt: "operators work across every tenant, by role" },
  "/v1/ops/operators": { exempt: "operators work across every tenant, by role" },
  "/v1/ops/wallet_users": { exempt: "operators work across every tenant, by role" },
};

/** Bodies for routes that need one to get past their schema; every other write is sent `{}`. */
const bodies: Record<string, unknown> = {
  "POST /v1/payments/{id}/crypto_refund_address": { address: "0x3434343434343434343434343434343434343434" },
  "POST /v1/console/team/members/{id}": { role: "admin" },
  "POST /v1/stored_value/cards/{id}/load": { amount: "100" },
  "POST /v1/wallet/payments/{id}/feedback": { rating: 5 },
  "POST /v1/wallet/payments/{id}/discount": { promotion_code: "ANYCODE" },
  "POST /v1/wallet/cards/{id}/claim": { number: "6288123456789012", secret: "12345678" },
  "POST /v1/wallet/cards/{id}/offline_certificate": {
    public_key: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }),
  },
};

interface Operation {
  method: string;
  path: string;
  kind: string;
  /** Path parameters after the first, as the route's own objects of A (none of the routes has one yet). */
  params: string[];
}

describe("cross-tenant: every route that takes an id, with another tenant's ids", () => {
  let coffer: PaymentsCoffer;
  let t: Tenants;
  let operations: Operation[];

  /**
   * A crypto withdrawal and an allowlist entry of the payer's, written as their services record them (no chain runs
   * here: only their ids matter, as another wallet user's).
   */
  async function cryptoObjectsOf(walletUserId: string): Promise<Record<string, string>> {
    const pool = coffer.services.pool;
    const user = await pool.query<{ livemode: boolean }>("SELECT livemode FROM wallet_users WHERE id = $1", [
      walletUserId,
    ]);
    const livemode = user.rows[0]!.livemode;
    await coffer.services.secrets.warm();
    const hot = await coffer.services.crypto.keys.hotWallet(livemode);
    const withdrawal = newId("cwd");
    const outgoing = newId("cotx");
    const to = `0x${"34".repeat(20)}`;
    await pool.query(
      `INSERT INTO crypto_outgoing_transactions (id, chain, livemode, from_index, from_address, to_address, asset,
                                                 amount, purpose, purpose_id, status, created_at, updated_at)
       VALUES ($1, 'sandbox', $2, 0, $3, $4, 'ETH', 1000, 'withdrawal', $5, 'queued', now(), now())`,
      [outgoing, livemode, hot.address, to, withdrawal],
    );
    await pool.query(
      `INSERT INTO crypto_withdrawals (id, wallet_user_id, livemode, chain, asset, amount, fee, to_address, status,
                                       outgoing_id, hold_transfer_id, spend_day, spend_month, created_at, updated_at)
       VALUES ($1, $2, $3, 'sandbox', 'ETH', 1000, 0, $4, 'pending', $5, $6, '2026-12-07', '2026-12', now(), now())`,
      [withdrawal, walletUserId, livemode, to, outgoing, randomUUID()],
    );
    const entry = newId("cal");
    await pool.query(
      `INSERT INTO crypto_allowlist_entries (id, wallet_user_id, address, label, created_at)
       VALUES ($1, $2, $3, 'cold storage', now())`,
      [entry, walletUserId, to],
    );
    return { crypto_withdrawal: withdrawal, crypto_allowlist_entry: entry };
  }

  before(async () => {
    coffer = await startPaymentsCoffer();
    t = await setUpTenants(coffer);
    Object.assign(t.wallet, await cryptoObjectsOf(t.payer.id));
    const spec = (await coffer.app.inject({ url: "/openapi.json" })).json();
    operations = [];
    for (const [path, methods] of Object.entries<Record<string, unknown>>(spec.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      if (params.length === 0) continue;
      const kind = path.slice(0, path.indexOf("{")).replace(/\/$/, "");
      for (const method of Object.keys(methods)) {
        operations.push({ method: method.toUpperCase(), path, kind, params: params.slice(1) });
      }
    }
  });
  after(async () => {
    await t?.stop();
    await coffer?.close();
  });

  it("knows the kind of id of every route that takes one", () => {
    const unknownKinds = [...new Set(operations.map((o) => o.kind))].filter((kind) => !(kind in idKinds));
    assert.deepEqual(unknownKinds, [], "routes whose kind of id has no case in idKinds");
    assert.ok(operations.length >= 40, `only ${operations.length} routes with ids found`);
  });

  it("answers A's ids to everyone else exactly as unknown ids, 404 where the object is hidden, and writes nothing", async () => {
    const checksumQuery = await tableChecksumQuery(coffer.db.pool);
    const before = await tableChecksums(coffer.db.pool, checksumQuery);
    const failures: string[] = [];
    let probes = 0;
    for (const operation of operations) {
      const kind = idKinds[operation.kind];
      if (!kind || "exempt" in kind) continue;
      if (operation.params.length > 0) {
        failures.push(`${operation.method} ${operation.path}: a second path parameter needs its own case`);
        continue;
      }
      const body = operation.method === "GET" || operation.method === "DELETE" ? undefined : {};
      const payload = bodies[`${operation.method} ${operation.path}`] ?? body;
      for (const object of kind.objects(t)) {
        for (const [caller, send] of Object.entries(t.as) as [CallerName, Send][]) {
          // A's own keys call only for objects of A's other mode.
          if ((caller === "aTest" || caller === "aLive") && !object.hiddenFrom.includes(caller)) continue;
          const url = (id: string) => operation.path.replace(/\{\w+\}/, encodeURIComponent(id));
          const foreign = await send(operation.method, url(object.id), payload);
          const unknown = await send(operation.method, url(unknownIdLike(object.id)), payload);
          probes++;
          const where = `${operation.method} ${operation.path} as ${caller} with ${object.id}`;
          if (JSON.stringify(comparable(foreign)) !== JSON.stringify(comparable(unknown))) {
            failures.push(
              `${where}: ${foreign.statusCode} ${foreign.body} ≠ unknown ${unknown.statusCode} ${unknown.body}`,
            );
          }
          if (object.hiddenFrom.includes(caller)) {
            const code = foreign.statusCode < 300 ? null : foreign.json().error?.code;
            const refusal =
              kind.refusedOn?.[`${operation.method} ${operation.path}`]?.[caller] ?? kind.refused?.[caller];
            if (refusal ? code !== refusal : foreign.statusCode !== 404 || code !== "resource_not_found") {
              failures.push(
                `${where}: ${foreign.statusCode} ${foreign.body}, not ${refusal ?? "404 resource_not_found"}`,
              );
            }
          } else if (foreign.statusCode < 400) {
            failures.push(`${where}: ${foreign.statusCode} for a caller who is not A`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(probes > 100, `only ${probes} probes`);
    const changed = changedTables(before, await tableChecksums(coffer.db.pool, checksumQuery));
    assert.deepEqual(changed, [], "tables changed by requests that were all refused");
  });
});
