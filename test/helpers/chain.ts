import { type SandboxChain, startSandboxChain } from "../../src/crypto/chain/sandbox-node.js";
import type { RunningChain } from "../../src/crypto/chains.js";
import type { Services } from "../../src/runtime/services.js";

/**
 * A real hardhat node on loopback with the test USDC deployed, one per test file: start it in `before`, stop it in
 * `after` (`await chain.stop()`). Set COFFER_TEST_CHAIN_LOG=1 to see the node's output.
 */
export function startTestChain(): Promise<SandboxChain> {
  const log = process.env.COFFER_TEST_CHAIN_LOG ? (line: string) => console.log(`[hardhat] ${line}`) : undefined;
  return startSandboxChain({ log });
}

/** Registers the sandbox chain with the services as their test-mode chain, and returns it as they see it. */
export function connectTestChain(services: Services, chain: SandboxChain): RunningChain {
  return services.crypto.connectSandbox(chain);
}
