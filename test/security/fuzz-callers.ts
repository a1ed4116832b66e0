import assert from "node:assert/strict";
import { logIn, newMerchant, newOperator, SessionClient } from "../helpers/merchant-console.js";
import { issueTestApiKey } from "../helpers/merchant-rows.js";
import { newTestPayer, type PaymentsCoffer } from "../helpers/payments.js";
import { linkBank, signUpWallet, type TestWalletUser, topUpAndSettle, verifyIdentity } from "../helpers/wallets.js";

/**
 * Every kind of caller coffer knows, signed in for real on one coffer: a merchant's secret keys (test and live), a
 * restricted key, a publishable key, a console session (cookie and CSRF token), a wallet user's bearer session, an
 * operator's session, and nobody. A fuzzed request may end its own session (a logout with a valid body is a valid
 * request); `refresh` signs such callers in again, so the rest of the run keeps its credentials.
 */
export const callerKinds = [
  "none",
  "secret_test",
  "secret_live",
  "restricted",
  "publishable",
  "console",
  "wallet",
  "operator",
] as const;
export type CallerKind = (typeof callerKinds)[number];

export interface FuzzWorld {
  coffer: PaymentsCoffer;
  /** The credentials of a caller as request headers, for a request with this method. */
  headers(kind: CallerKind, method: string): Record<string, string>;
  /** Signs in again every session a fuzzed request ended. */
  refresh(): Promise<void>;
  /** Ids of objects that exist (the main merchant's and a rival merchant's), by the collection path they live under. */
  idsByCollection: Map<string, string[]>;
  /** The fully captured manual-capture payment: capturing it again must answer 409, never 500. */
  capturedPaymentId: string;
  /** The caller's own ids: never used as path ids, so the run cannot lock or delete its own callers. */
  ownIds: Set<string>;
  /** Every credential token, to send one caller's token as another's. */
  tokens: string[];
}

const operatorPassword = "admin keeps the queue moving";
const walletPassword = "a long and quiet river";

async function revealSecretKey(console: SessionClient): Promise<string> {
  const keys = (await console.get("/v1/console/api_keys")).json();
  const secret = keys.data.find((k: { type: string }) => k.type === "secret");
  const revealed = await console.post(`/v1/console/api_keys/${secret.id}/reveal`);
  assert.equal(revealed.statusCode, 200, revealed.body);
  return revealed.json().secret as string;
}

export async function buildFuzzWorld(coffer: PaymentsCoffer): Promise<FuzzWorld> {
  const { app, services } = coffer;
  const owner = await newMerchant(app, coffer.sink, "Fuzz Tea House");
  const rival = await newMerchant(app, coffer.sink, "Rival Tea House");
  const secretTest = await revealSecretKey(owner.client);
  const rivalSecret = await revealSecretKey(rival.client);
  const secretLive = await issueTestApiKey(services, owner.merchantId, { livemode: true });
  const publishable = await issueTestApiKey(services, owner.merchantId, { type: "publishable" });
  const restricted = await issueTestApiKey(services, owner.merchantId, {
    scopes: { payments: "write", refunds: "read", events: "read" },
  });
  // Test payers pay the merchant's test payments; the wallet caller is a live wallet user of its own (only live
  // users sign in with a password, which `refresh` needs), funded through the sandbox bank.
  const payer = await newTestPayer(coffer, { fund: "500000" });
  let wallet: TestWalletUser = await signUpWallet(app, coffer.sink, { password: walletPassword });
  await verifyIdentity(wallet);
  await topUpAndSettle(services, coffer.clock, wallet, await linkBank(wallet), "50000");
  let consoleClient = owner.client;
  let operator = await newOperator(app, services, "admin");

  const merchant = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
  const post = async (key: string, url: string, body: unknown) => {
    const response = await app.inject({ method: "POST", url, headers: merchant(key), payload: JSON.stringify(body) });
    assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
    return response.json();
  };

  // Objects of every kind for path ids to name: payments in each state, a refund, a webhook endpoint, events.
  await post(secretTest, "/v1/payments", { amount: "1500", currency: "USD", method: "qr" });
  const held = await post(secretTest, "/v1/payments", {
    amount: "2000",
    currency: "USD",
    method: "qr",
    capture_method: "manual",
  });
  assert.equal((await payer.client.post(`/v1/wallet/payments/${held.id}/confirm`, {})).statusCode, 200);
  const captured = await post(secretTest, "/v1/payments", {
    amount: "3000",
    currency: "USD",
    method: "qr",
    capture_method: "manual",
  });
  assert.equal((await payer.client.post(`/v1/wallet/payments/${captured.id}/confirm`, {})).statusCode, 200);
  await post(secretTest, `/v1/payments/${captured.id}/capture`, {});
  await post(secretTest, "/v1/refunds", { payment: captured.id, amount: "100" });
  await post(secretTest, "/v1/webhook_endpoints", { url: "http://127.0.0.1:9/hooks", enabled_events: ["*"] });
  await post(rivalSecret, "/v1/payments", { amount: "999", currency: "USD", method: "qr" });
  await post(rivalSecret, "/v1/webhook_endpoints", { url: "http://127.0.0.1:9/rival", enabled_events: ["*"] });

  const headers = (kind: CallerKind, method: string): Record<string, string> => {
    switch (kind) {
      case "none":
        return {};
      case "secret_test":
        return { authorization: `Bearer ${secretTest}` };
      case "secret_live":
        return { authorization: `Bearer ${secretLive}` };
      case "restricted":
        return { authorization: `Bearer ${restricted}` };
      case "publishable":
        return { authorization: `Bearer ${publishable}` };
      case "wallet":
        return { authorization: `Bearer ${wallet.token}` };
      case "console":
      case "operator": {
        const client = kind === "console" ? consoleClient : operator;
        return {
          cookie: `${client.cookieName}=${client.cookie}`,
          ...(method === "GET" || !client.csrf ? {} : { "x-csrf-token": client.csrf }),
        };
      }
    }
  };

  // The callers' own keys and sessions are never path ids (a fuzzed roll or revoke would end a caller); a spare key
  // and a spare wallet session stand in for them, so those routes still get real ids.
  const ownIds = new Set<string>([payer.id, wallet.id, operator.operatorId, owner.userId, owner.merchantId]);
  const ownListings: [string, CallerKind][] = [
    ["/v1/console/api_keys?limit=100", "console"],
    ["/v1/wallet/sessions", "wallet"],
  ];
  for (const [url, who] of ownListings) {
    const response = await app.inject({ method: "GET", url, headers: headers(who, "GET") });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    for (const item of response.json().data as { id: string }[]) ownIds.add(item.id);
  }
  await issueTestApiKey(services, owner.merchantId);
  const spareSession = await app.inject({
    method: "POST",
    url: "/v1/wallet/login",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ email: wallet.email, password: walletPassword }),
  });
  assert.equal(spareSession.statusCode, 200, spareSession.body);

  // Ids for path parameters: each collection that can be listed, listed by the callers who own its objects.
  const idsByCollection = new Map<string, string[]>();
  const listers: [string, CallerKind | "rival"][] = [
    ["/v1/payments", "secret_test"],
    ["/v1/payments", "rival"],
    ["/v1/refunds", "secret_test"],
    ["/v1/payouts", "secret_test"],
    ["/v1/events", "secret_test"],
    ["/v1/events", "rival"],
    ["/v1/webhook_endpoints", "secret_test"],
    ["/v1/webhook_endpoints", "rival"],
    ["/v1/console/api_keys", "console"],
    ["/v1/console/team/members", "console"],
    ["/v1/wallet/funding_sources", "wallet"],
    ["/v1/wallet/payments", "wallet"],
    ["/v1/wallet/sessions", "wallet"],
    ["/v1/ops/kyb_applications", "operator"],
    ["/v1/ops/wallet_users", "operator"],
    ["/v1/ops/operators", "operator"],
  ];
  for (const [collection, who] of listers) {
    const response = await app.inject({
      method: "GET",
      url: collection,
      headers: who === "rival" ? merchant(rivalSecret) : headers(who, "GET"),
    });
    assert.equal(response.statusCode, 200, `${collection}: ${response.body}`);
    const ids = (response.json().data as { id: string }[]).map((item) => item.id).filter((id) => !ownIds.has(id));
    idsByCollection.set(collection, [...(idsByCollection.get(collection) ?? []), ...ids]);
  }
  // Top-ups are not listed on their own; the wallet's history names them.
  const history = await wallet.client.get("/v1/wallet/transactions?limit=100");
  for (const item of history.json().data as { id: string }[]) {
    const prefix = item.id.split("_", 1)[0];
    const collection = { tu: "/v1/wallet/top_ups", wd: "/v1/wallet/withdrawals", wt: "/v1/wallet/transfers" }[
      prefix ?? ""
    ];
    if (collection) idsByCollection.set(collection, [...(idsByCollection.get(collection) ?? []), item.id]);
  }

  const alive = async (kind: CallerKind, url: string) =>
    (await app.inject({ method: "GET", url, headers: headers(kind, "GET") })).statusCode === 200;

  return {
    coffer,
    headers,
    idsByCollection,
    capturedPaymentId: captured.id,
    ownIds,
    tokens: [secretTest, secretLive, publishable, restricted, rivalSecret, payer.token, wallet.token],
    async refresh() {
      if (!(await alive("console", "/v1/console/me"))) {
        consoleClient = await logIn(app, { email: owner.email, password: owner.password });
      }
      if (!(await alive("wallet", "/v1/wallet/me"))) {
        const login = await app.inject({
          method: "POST",
          url: "/v1/wallet/login",
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ email: wallet.email, password: walletPassword }),
        });
        assert.equal(login.statusCode, 200, login.body);
        wallet = { ...wallet, token: login.json().token };
      }
      if (!(await alive("operator", "/v1/ops/me"))) {
        const client = new SessionClient(app, "coffer_ops");
        const login = await client.post("/v1/ops/login", { email: operator.email, password: operatorPassword });
        assert.equal(login.statusCode, 200, login.body);
        operator = Object.assign(client, { operatorId: operator.operatorId, email: operator.email });
      }
    },
  };
}
