import type { FastifyPluginAsync } from "fastify";
import type { PaymentServices } from "../service.js";
import { checkoutRoutes } from "./checkout.js";
import { merchantPaymentRoutes } from "./merchant.js";
import { notificationRoutes } from "./notifications.js";
import { walletPaymentRoutes } from "./wallet.js";

/** Every payments route: the merchant API, the payer's wallet routes and the hosted checkout. */
export const paymentRoutes: FastifyPluginAsync<{ payments: PaymentServices }> = async (app, options) => {
  await app.register(merchantPaymentRoutes, options);
  await app.register(walletPaymentRoutes, options);
  await app.register(checkoutRoutes, options);
  await app.register(notificationRoutes, options);
};
