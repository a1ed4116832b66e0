import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { SandboxChain } from "../crypto/chain/sandbox-node.js";
import { restoreOnNewSandboxChain } from "../crypto/sandbox-restart.js";
import type { Services } from "./services.js";

/**
 * Connects the chains of COFFER_CHAINS and, for test mode when none is configured, the sandbox chain: with
 * COFFER_SANDBOX_CHAIN=auto (the development default) coffer starts a local hardhat node itself, beside it on
 * loopback; with a URL it uses a running one. auto needs one coffer process (role all): two processes would each
 * start a chain of their own, so a split deployment gives them a URL.
 */
export interface RunningChains {
  /** What the start banner says about crypto. */
  summary: string;
  stop(): Promise<void>;
}

export async function startChains(config: Config, services: Services, log: Logger): Promise<RunningChains> {
  const crypto = services.crypto;
  for (const chain of crypto.config.chains) {
    crypto.connect(chain, chain.rpcUrl!);
    log.info({ chain: chain.name, mode: chain.mode, chainId: chain.chainId }, "chain connected");
  }
  let sandbox: SandboxChain | undefined;
  const testChainConfigured = crypto.config.chains.some((c) => c.mode === "test");
  const setting = crypto.config.sandboxChain;
  if (!testChainConfigured && setting.kind === "url") {
    // Loaded only here: the sandbox chain's control is viem, seconds of start-up a process without it never pays.
    const { attachSandboxChain } = await import("../crypto/chain/sandbox-node.js");
    const chain = crypto.connectSandbox(await attachSandboxChain(setting.rpcUrl));
    await restoreOnNewSandboxChain(crypto, chain, log);
    log.info({ rpcUrl: setting.rpcUrl }, "sandbox chain connected");
  } else if (!testChainConfigured && setting.kind === "auto") {
    if (config.role !== "all") {
      log.warn(
        { role: config.role },
        "COFFER_SANDBOX_CHAIN=auto needs role all; test-mode crypto is off (give every process COFFER_SANDBOX_CHAIN=<url>)",
      );
    } else {
      const { startSandboxChain } = await import("../crypto/chain/sandbox-node.js");
      sandbox = await startSandboxChain({ log: (line) => log.debug({ component: "sandbox-chain" }, line) });
      await restoreOnNewSandboxChain(crypto, crypto.connectSandbox(sandbox), log);
      log.info({ rpcUrl: sandbox.rpcUrl }, "sandbox chain started (a local hardhat node, test mode only)");
    }
  }
  const modes = [
    crypto.chains.forMode(true).length > 0 ? "live" : "",
    crypto.chains.forMode(false).length > 0 ? "test" : "",
  ].filter(Boolean);
  const names = crypto.chains.all().map((c) => `${c.config.name} (${c.livemode ? "live" : "test"})`);
  return {
    summary:
      modes.length === 0
        ? "off (no chain: set COFFER_CHAINS for live, COFFER_SANDBOX_CHAIN for test)"
        : `${names.join(", ")}${modes.includes("live") ? "" : "; live crypto off (no live chain in COFFER_CHAINS)"}`,
    async stop() {
      for (const chain of crypto.chains.all()) crypto.chains.unregister(chain.config.name);
      await sandbox?.stop();
    },
  };
}
