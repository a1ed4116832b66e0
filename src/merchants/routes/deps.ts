import type { NotificationService } from "../../notifications/service.js";
import type { OperatorRouteDeps } from "../../operators/routes/deps.js";
import type { MerchantServices } from "../service.js";

/**
 * What the merchant platform's routes use of the platform's services: the merchant console and account routes, and
 * the operator console registered with them. Each route file picks its share.
 */
export interface MerchantPlatformRouteDeps extends OperatorRouteDeps {
  merchants: MerchantServices;
  /** The dev mailbox's messages, and the outbox kick after a KYB submission. */
  notifications: NotificationService;
}
