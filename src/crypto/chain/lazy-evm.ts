import type { ChainConnector } from "./connector.js";
import type { EvmConnectorConfig } from "./evm.js";

/**
 * An EVM connector whose implementation (viem, seconds to load) is imported on first use, so a coffer process or a
 * test that never talks to a chain does not pay for it at start. Same interface, same behaviour.
 */
export function createLazyEvmConnector(config: EvmConnectorConfig): ChainConnector {
  let loaded: Promise<ChainConnector> | undefined;
  const real = () => {
    loaded ??= import("./evm.js").then(({ createEvmConnector }) => createEvmConnector(config));
    return loaded;
  };
  return {
    name: config.name,
    chainId: config.chainId,
    assets: config.assets,
    headNumber: async () => (await real()).headNumber(),
    block: async (number) => (await real()).block(number),
    transfersIn: async (block, isOurs) => (await real()).transfersIn(block, isOurs),
    balanceOf: async (address, asset) => (await real()).balanceOf(address, asset),
    nonceAt: async (address, blockTag) => (await real()).nonceAt(address, blockTag),
    feeQuote: async () => (await real()).feeQuote(),
    gasLimitFor: async (asset) => (await real()).gasLimitFor(asset),
    signTransfer: async (input) => (await real()).signTransfer(input),
    broadcast: async (raw) => (await real()).broadcast(raw),
    receipt: async (hash) => (await real()).receipt(hash),
    transactionKnown: async (hash) => (await real()).transactionKnown(hash),
  };
}
