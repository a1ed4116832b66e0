import type { FastifyPluginAsync } from "fastify";
import type { PaymentServices } from "../payments/service.js";
import type { WalletServices } from "../wallets/service.js";
import { cryptoDepositRoutes } from "./deposits/routes.js";
import { cryptoPaymentRoutes } from "./payments/routes.js";
import { reservesRoutes } from "./reserves/routes.js";
import type { CryptoServices } from "./service.js";
import { cryptoWithdrawalRoutes } from "./withdrawals/routes.js";

/** The HTTP side of blockchain wallets and crypto payments (docs/crypto.md), one plugin per part. */
export type CryptoRouteDeps = {
  crypto: Pick<CryptoServices, "deposits" | "withdrawals" | "reserves" | "cryptoPayments">;
  wallets: WalletServices;
  payments: PaymentServices;
};

export const cryptoRoutes: FastifyPluginAsync<CryptoRouteDeps> = async (app, { crypto, wallets, payments }) => {
  await app.register(cryptoDepositRoutes, { deposits: crypto.deposits, wallets });
  await app.register(cryptoWithdrawalRoutes, { withdrawals: crypto.withdrawals });
  await app.register(reservesRoutes, { reserves: crypto.reserves });
  await app.register(cryptoPaymentRoutes, { cryptoPayments: crypto.cryptoPayments, payments });
};
