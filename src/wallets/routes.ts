import type { FastifyPluginAsync } from "fastify";
import { walletBalanceRoutes } from "./balance-routes.js";
import { walletFundingRoutes } from "./funding/routes.js";
import { walletHistoryRoutes } from "./history/routes.js";
import { walletKycRoutes } from "./kyc/routes.js";
import { walletOpsRoutes } from "./ops/routes.js";
import { walletSandboxRoutes } from "./sandbox-routes.js";
import type { WalletServices } from "./service.js";
import { walletStepUpRoutes } from "./stepup/routes.js";
import { walletTopUpRoutes } from "./topups/routes.js";
import { walletTransferRoutes } from "./transfers/routes.js";
import { walletDevOutboxRoutes } from "./users/dev-outbox-routes.js";
import { walletUserRoutes } from "./users/routes.js";
import { walletSecurityRoutes } from "./users/security-routes.js";
import { walletWithdrawalRoutes } from "./withdrawals/routes.js";

/** Every account-wallet route: /v1/wallet/… for wallet users, /v1/ops/… for operators. */
export const walletRoutes: FastifyPluginAsync<{ wallets: WalletServices }> = async (app, options) => {
  for (const routes of [
    walletUserRoutes,
    walletSecurityRoutes,
    walletStepUpRoutes,
    walletKycRoutes,
    walletBalanceRoutes,
    walletFundingRoutes,
    walletTopUpRoutes,
    walletWithdrawalRoutes,
    walletTransferRoutes,
    walletHistoryRoutes,
    walletOpsRoutes,
    walletSandboxRoutes,
  ]) {
    await app.register(routes, options);
  }
  await app.register(walletDevOutboxRoutes, {
    notifications: options.wallets.notifications,
    open: options.wallets.devSmsOutbox,
  });
};
