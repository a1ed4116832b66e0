// The sandbox chain's hardhat config, for `hardhat node` started by sandbox-node.ts. Hardhat loads a config only
// from a folder where it is installed, so it lives in the project rather than in a temporary folder.
//
// The mnemonic is hardhat's well-known default: its keys are public test keys (anyone can derive them), never for
// real funds. Account #0 (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266) deploys the test token and funds transfers.

// Started by sandbox-node.ts, the node ends when coffer's end of its stdin closes: a parent killed with SIGKILL
// cannot stop it otherwise, and an orphaned node would keep its port and memory.
if (process.env.COFFER_SANDBOX_EXIT_WITH_PARENT === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}

module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      // Each transaction is mined into its own block at once; tests turn this off with evm_setAutomine.
      mining: { auto: true, interval: 0 },
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        count: 10,
        accountsBalance: "10000000000000000000000", // 10,000 ETH each, in wei
      },
      // Otherwise hardhat node prints every RPC call; startSandboxChain reads only its start-up lines.
      loggingEnabled: false,
      // Like a real node: a reverted transaction is mined and its hash returned, not answered with an error.
      throwOnTransactionFailures: false,
    },
  },
};
