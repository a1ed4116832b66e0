import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import type { CurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerService } from "../ledger/service.js";
import type { PaymentServices } from "../payments/service.js";
import type { SecretBox } from "../security/encryption.js";
import type { WalletServices } from "../wallets/service.js";
import { createCryptoAccounts } from "./accounts.js";
import { createCryptoAlerts } from "./alerts.js";
import type { Address } from "./chain/connector.js";
import { createLazyEvmConnector as createEvmConnector } from "./chain/lazy-evm.js";
import type { SandboxChain } from "./chain/sandbox-node.js";
import { createChainRegistry, type RunningChain } from "./chains.js";
import { type ChainConfig, type CryptoConfig, sandboxChainConfig } from "./config.js";
import { createCustodyAddresses } from "./custody/addresses.js";
import { createCustodyKeys } from "./custody/keys.js";
import { createCryptoDeposits } from "./deposits/service.js";
import type { CryptoDeps } from "./deps.js";
import { createCryptoPayments } from "./payments/service.js";
import { createReservesService } from "./reserves/service.js";
import { createSigner } from "./signer/service.js";
import { createCryptoSweeps } from "./sweeps/service.js";
import { createCryptoWithdrawals } from "./withdrawals/service.js";

/**
 * Blockchain wallets and crypto payments (docs/crypto.md): custody keys and addresses, the chains this process
 * follows, and the ledger accounts of custody. Built once per process from explicit dependencies.
 */
export interface CryptoServiceDeps {
  pool: Pool;
  clock: Clock;
  log: Logger;
  ledger: LedgerService;
  currencies: CurrencyRegistry;
  secrets: SecretBox;
  config: CryptoConfig;
  wallets: WalletServices;
  payments: PaymentServices;
}

export type CryptoServices = ReturnType<typeof createCryptoServices>;

export function createCryptoServices(serviceDeps: CryptoServiceDeps) {
  const { pool, clock } = serviceDeps;
  const chains = createChainRegistry();
  const keys = createCustodyKeys({ pool, clock, secrets: serviceDeps.secrets });
  const deps: CryptoDeps = {
    ...serviceDeps,
    chains,
    keys,
    addresses: createCustodyAddresses({ pool, clock, keys }),
    accounts: createCryptoAccounts({ pool, clock, ledger: serviceDeps.ledger }),
    alerts: createCryptoAlerts({ pool, clock }),
  };

  /** Connects a configured chain (COFFER_CHAINS) and starts following it. */
  function connect(config: ChainConfig, rpcUrl: string): RunningChain {
    const connector = createEvmConnector({ name: config.name, chainId: config.chainId, rpcUrl, assets: config.assets });
    const chain: RunningChain = { config: { ...config, rpcUrl }, connector, livemode: config.mode === "live" };
    chains.register(chain);
    return chain;
  }

  /** Connects the sandbox chain, a local hardhat node with the test token deployed (test mode). */
  function connectSandbox(sandbox: Pick<SandboxChain, "rpcUrl" | "tokenAddress" | "control">): RunningChain {
    const config = sandboxChainConfig(sandbox.tokenAddress.toLowerCase() as Address);
    const connector = createEvmConnector({
      name: config.name,
      chainId: config.chainId,
      rpcUrl: sandbox.rpcUrl,
      assets: config.assets,
    });
    const chain: RunningChain = {
      config: { ...config, rpcUrl: sandbox.rpcUrl },
      connector,
      livemode: false,
      sandbox: sandbox.control,
    };
    chains.register(chain);
    return chain;
  }

  // Every outgoing transaction goes through the one signer queue of the process; its users register handlers.
  const signer = createSigner(deps);
  const deposits = createCryptoDeposits(deps);

  return {
    ...deps,
    deposits,
    /** Crypto payments (method crypto): registers itself with payments, the follower and the signer queue. */
    cryptoPayments: createCryptoPayments({ ...deps, deposits, signer }),
    reserves: createReservesService(deps),
    signer,
    withdrawals: createCryptoWithdrawals({ ...deps, signer }),
    sweeps: createCryptoSweeps({ ...deps, signer }),
    connect,
    connectSandbox,
  };
}
