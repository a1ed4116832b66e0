import type { ChainConnector } from "./chain/connector.js";
import type { SandboxChainControl } from "./chain/sandbox-node.js";
import type { AssetConfig, ChainConfig } from "./config.js";

/**
 * The chains this process is connected to. Live chains come from COFFER_CHAINS; the test-mode chain is a
 * COFFER_CHAINS entry with mode "test" or the sandbox chain, registered once its node answers (it may start after
 * the services are built). A mode with no chain has crypto off: its routes answer crypto_unavailable.
 */
export interface RunningChain {
  config: ChainConfig;
  connector: ChainConnector;
  livemode: boolean;
  /** Only for the sandbox chain: mining, snapshots, forced reorganisations and test money. */
  sandbox?: SandboxChainControl;
}

export type ChainRegistry = ReturnType<typeof createChainRegistry>;

export function createChainRegistry() {
  const chains = new Map<string, RunningChain>();
  const listeners: ((chain: RunningChain) => void)[] = [];

  return {
    register(chain: RunningChain): void {
      if (chains.has(chain.config.name)) throw new Error(`chain ${chain.config.name} is registered twice`);
      for (const asset of chain.config.assets) {
        if (asset.contract === null && chain.config.assets.filter((a) => a.contract === null).length > 1) {
          throw new Error(`chain ${chain.config.name} lists more than one native asset`);
        }
      }
      chains.set(chain.config.name, chain);
      for (const listener of listeners) listener(chain);
    },
    unregister(name: string): void {
      chains.delete(name);
    },
    /** Called for every chain registered from now on (and now, for those already registered). */
    onRegister(listener: (chain: RunningChain) => void): void {
      listeners.push(listener);
      for (const chain of chains.values()) listener(chain);
    },
    get(name: string): RunningChain | undefined {
      return chains.get(name);
    },
    all(): RunningChain[] {
      return [...chains.values()];
    },
    forMode(livemode: boolean): RunningChain[] {
      return [...chains.values()].filter((c) => c.livemode === livemode);
    },
    /** The chain of a mode that carries an asset: the named one, else the first configured. */
    forAsset(livemode: boolean, asset: string, name?: string): { chain: RunningChain; asset: AssetConfig } | undefined {
      for (const chain of chains.values()) {
        if (chain.livemode !== livemode || (name !== undefined && chain.config.name !== name)) continue;
        const found = chain.config.assets.find((a) => a.code === asset);
        if (found) return { chain, asset: found };
      }
      return undefined;
    },
  };
}
