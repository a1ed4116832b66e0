import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import { privateKeyToAddress } from "viem/accounts";
import type { App } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import type { CryptoAccountPurpose } from "../../src/crypto/accounts.js";
import type { Address } from "../../src/crypto/chain/connector.js";
import type { SandboxChain } from "../../src/crypto/chain/sandbox-node.js";
import type { RunningChain } from "../../src/crypto/chains.js";
import type { SignerPassSummary } from "../../src/crypto/signer/service.js";
import { cryptoWithdrawalRoutes } from "../../src/crypto/withdrawals/routes.js";
import { withTransaction } from "../../src/db/tx.js";
import type { Services } from "../../src/runtime/services.js";
import { createTestApp } from "./app.js";
import { connectTestChain, startTestChain } from "./chain.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { createTestServices } from "./services.js";
import { testEmail, testOperatorAuthenticator, WalletClient } from "./wallets.js";

/**
 * The outgoing side of blockchain wallets under test: a test database, a real hardhat node connected as the test-mode
 * chain, the app with the crypto withdrawal routes, and helpers that move real sandbox money and read the books.
 */
export interface OutgoingWorld {
  db: TestDatabase;
  services: Services;
  app: App;
  sandbox: SandboxChain;
  chain: RunningChain;
  hot: Address;
  close(): Promise<void>;
}

/** Registers the crypto withdrawal routes when the app does not have them (yet). */
const withdrawalRoutes =
  (services: Services): FastifyPluginAsync =>
  async (app) => {
    if (app.hasRoute({ method: "POST", url: "/v1/wallet/crypto/withdrawals" })) return;
    await app.register(cryptoWithdrawalRoutes, { withdrawals: services.crypto.withdrawals });
  };

export async function startOutgoingWorld(options: { clock?: Clock } = {}): Promise<OutgoingWorld> {
  // The node starts (a few seconds) while the database and the app are made.
  const starting = startTestChain();
  const db = await createTestDatabase({ poolSize: 20 }).catch(async (error: unknown) => {
    await (await starting).stop();
    throw error;
  });
  const services = createTestServices({ pool: db.pool, clock: options.clock });
  services.authenticators.push(testOperatorAuthenticator);
  const app = await createTestApp({ pool: db.pool, services, routes: withdrawalRoutes(services) });
  const sandbox = await starting;
  const chain = connectTestChain(services, sandbox);
  const hot = (await services.crypto.keys.hotWallet(false)).address;
  return {
    db,
    services,
    app,
    sandbox,
    chain,
    hot,
    async close() {
      await app.close();
      await sandbox.stop();
      await db.drop();
    },
  };
}

export interface TestModeWalletUser {
  id: string;
  client: WalletClient;
}

/** A test-mode wallet user (the sandbox chain is test mode's), of the tier given, with a session. */
export async function testModeWalletUser(world: OutgoingWorld, tier: 0 | 1 | 2 = 1): Promise<TestModeWalletUser> {
  const made = await withTransaction(world.db.pool, (tx) =>
    world.services.wallets.users.createTestModeUser(
      tx,
      { email: testEmail("crypto"), displayName: "Crypto Tester", tier, frozen: false },
      { userAgent: "test", ip: "127.0.0.1" },
    ),
  );
  assert.ok(made.token);
  return { id: made.user.id, client: new WalletClient(world.app, made.token) };
}

/** Mines blocks and lets the block follower take them in. */
export async function mineAndFollow(world: OutgoingWorld, blocks: number): Promise<void> {
  if (blocks > 0) await world.sandbox.control.mine(blocks);
  await world.services.crypto.deposits.follower.follow(world.chain, { leaseWaitMs: 5_000 });
}

/**
 * Real deposits to the users' addresses (ETH from the sandbox funder, minted test USDC), followed until they are
 * available in their wallets.
 */
export async function depositTo(
  world: OutgoingWorld,
  deposits: { userId: string; asset: "ETH" | "USDC"; amount: bigint }[],
): Promise<void> {
  const control = world.sandbox.control;
  for (const deposit of deposits) {
    const { address } = await world.services.crypto.addresses.forWalletUser({ id: deposit.userId, livemode: false });
    if (deposit.asset === "ETH") await control.sendNative(address, deposit.amount);
    else await control.mintToken(address, deposit.amount);
  }
  await mineAndFollow(world, 0);
  await mineAndFollow(world, Math.max(...world.chain.config.assets.map((a) => a.confirmations)));
  for (const deposit of deposits) {
    const balance = await walletBalance(world, deposit.userId, deposit.asset);
    assert.ok(balance.posted >= deposit.amount, `the ${deposit.asset} deposit of ${deposit.userId} is available`);
  }
}

/** The operator's money sent to the hot wallet from the sandbox funder, booked as platform funds by the follower. */
export async function fundHotWallet(world: OutgoingWorld, asset: "ETH" | "USDC", amount: bigint): Promise<void> {
  const control = world.sandbox.control;
  if (asset === "ETH") await control.sendNative(world.hot, amount);
  else await control.mintToken(world.hot, amount);
  await mineAndFollow(world, 0);
  await mineAndFollow(world, world.chain.config.assets.find((a) => a.code === asset)!.confirmations);
  const platform = await bookBalance(world, asset, "platform_funds");
  assert.ok(platform >= amount, `the hot wallet's ${asset} funding is booked`);
}

/** The posted balance of a custody account of the sandbox chain (in its normal direction). */
export async function bookBalance(world: OutgoingWorld, asset: string, purpose: CryptoAccountPurpose): Promise<bigint> {
  const id = await world.services.crypto.accounts.existingAccountId(false, world.chain.config.name, asset, purpose);
  if (id === undefined) return 0n;
  return (await world.services.ledger.getBalance(id))?.posted ?? 0n;
}

export async function walletBalance(world: OutgoingWorld, userId: string, asset: string) {
  const id = await world.services.wallets.accounts.walletAccountId({ id: userId, livemode: false }, asset);
  const balance = await world.services.ledger.getBalance(id);
  return { posted: balance?.posted ?? 0n, available: balance?.available ?? 0n };
}

/** An address nobody holds a key to (a fresh random one), all lowercase. */
export function externalAddress(): Address {
  return privateKeyToAddress(`0x${randomBytes(32).toString("hex")}`).toLowerCase() as Address;
}

/** Runs signer passes (mining a block between them) until `done` holds, or fails after `passes`. */
export async function passUntil(
  world: OutgoingWorld,
  done: () => Promise<boolean>,
  options: { passes?: number; mine?: number } = {},
): Promise<SignerPassSummary[]> {
  const summaries: SignerPassSummary[] = [];
  for (let i = 0; i < (options.passes ?? 12); i++) {
    summaries.push(await world.services.crypto.signer.runPass());
    if (await done()) return summaries;
    await world.sandbox.control.mine(options.mine ?? 1);
  }
  assert.fail(`not done after ${summaries.length} signer passes: ${JSON.stringify(summaries)}`);
}

/** Counts rows of the outgoing side's tables and the ledger: what a refused request must leave unchanged. */
export async function outgoingRowCounts(world: OutgoingWorld): Promise<Record<string, number>> {
  const tables = [
    "crypto_withdrawals",
    "crypto_outgoing_transactions",
    "crypto_allowlist_entries",
    "ledger_transfers",
    "wallet_spend_counters",
    "events",
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const found = await world.db.pool.query<{ count: bigint }>(`SELECT count(*) AS count FROM ${table}`);
    counts[table] = Number(found.rows[0]!.count);
  }
  return counts;
}
