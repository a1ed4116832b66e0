/**
 * What a stored-value card's session may call. A card session is an ordinary wallet session of the card's wallet
 * user, so the wallet routes that make sense for a prepaid balance work unchanged (balance, history, scan, confirm,
 * payment code); every other wallet route (bank, withdrawals, sending, KYC, second factors, profile, devices)
 * answers 403 card_session_not_allowed. Checked once, where wallet sessions are authenticated
 * (src/wallets/users/sessions.ts), from the route's pattern, so a new wallet route is refused to cards until it is
 * listed here. Routes outside /v1/wallet/ decide by their own guards (a merchant route refuses any wallet token).
 */
const allowed = new Set([
  "GET /v1/wallet/balances",
  "GET /v1/wallet/transactions",
  "GET /v1/wallet/till",
  "POST /v1/wallet/scan",
  "GET /v1/wallet/payments",
  "GET /v1/wallet/payments/:id",
  "POST /v1/wallet/payments/:id/confirm",
  "POST /v1/wallet/payments/:id/decline",
  "GET /v1/wallet/payments/:id/feedback",
  "POST /v1/wallet/payments/:id/feedback",
  "POST /v1/wallet/payments/:id/discount",
  "POST /v1/wallet/payments/:id/discount/remove",
  "GET /v1/wallet/payment_code",
  "POST /v1/wallet/logout",
  "POST /v1/wallet/vouchers/redeem",
  // What is left of the card's offline certificate (src/offline); the certificate itself comes from its card route.
  "GET /v1/wallet/offline_certificates/:id",
]);

/** Every route under /v1/wallet/cards/ is a card's own (its service checks which card a session may see). */
const cardPrefix = "/v1/wallet/cards";

export function cardSessionAllows(method: string, routeUrl: string | undefined): boolean {
  if (routeUrl === undefined) return true; // no such route: the 404 says so
  if (!routeUrl.startsWith("/v1/wallet/")) return true;
  if (routeUrl === cardPrefix || routeUrl.startsWith(`${cardPrefix}/`)) return true;
  const verb = method === "HEAD" ? "GET" : method;
  return allowed.has(`${verb} ${routeUrl}`);
}
