import type { Logger } from "pino";
import type { RunningChain } from "./chains.js";
import type { CryptoServices } from "./service.js";

/**
 * The sandbox chain is a hardhat node, which keeps its state in memory: every `coffer start` with
 * COFFER_SANDBOX_CHAIN=auto runs a new chain, while coffer's test-mode books still hold what the last one had.
 * When the follower's cursor block is not on the chain, coffer puts its test custody back on the new chain and
 * starts following it at its head:
 * - what the custody accounts hold (posted) goes to the hot wallet: ETH by setting its balance, test USDC minted;
 * - deposits still waiting for confirmations are orphaned (their holds voided): their blocks are gone;
 * - outgoing transactions not yet confirmed are signed again with the new chain's nonces (their holds stay).
 * Only the sandbox chain is ever treated so; a live chain that lost the cursor's block is a reorg, or a wrong node.
 */
export async function restoreOnNewSandboxChain(
  crypto: CryptoServices,
  chain: RunningChain,
  log: Logger,
): Promise<{ restored: boolean }> {
  const control = chain.sandbox;
  if (chain.livemode || !control) throw new Error("only the sandbox chain is restored onto a new chain");
  const cursor = await crypto.deposits.follower.readCursor(chain);
  if (!cursor || cursor.hash === null) return { restored: false };
  const atCursor = await chain.connector.block(cursor.number);
  if (atCursor?.hash === cursor.hash) return { restored: false };

  const name = chain.config.name;
  const hot = await crypto.keys.hotWallet(false);
  const restored: Record<string, string> = {};
  for (const asset of chain.config.assets) {
    const accountId = await crypto.accounts.existingAccountId(false, name, asset.code, "custody");
    const balance = accountId === undefined ? undefined : await crypto.ledger.getBalance(accountId);
    const held = balance?.posted ?? 0n;
    if (held <= 0n) continue;
    if (asset.contract === null) await control.setBalance(hot.address, held);
    else await control.mintToken(hot.address, held);
    restored[asset.code] = String(held);
  }
  await crypto.pool.query(
    `UPDATE crypto_outgoing_transactions SET status = 'queued', nonce = NULL, raw_tx = NULL, tx_hash = NULL,
            updated_at = now()
      WHERE chain = $1 AND status IN ('signed', 'sent')`,
    [name],
  );
  await crypto.pool.query("DELETE FROM crypto_signer_nonces WHERE chain = $1", [name]);
  // Followed from the new head: the mint above is coffer's own restoring, not a deposit.
  const head = await chain.connector.block(await chain.connector.headNumber());
  if (!head) throw new Error("sandbox chain: no head block");
  const orphaned = await crypto.deposits.follower.restartOnNewChain(chain, head);
  log.warn(
    { chain: name, restored, orphanedDeposits: orphaned, lostCursorBlock: Number(cursor.number) },
    "the sandbox chain is new (its state lives in memory): test custody was put back on it",
  );
  return { restored: true };
}
