import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { walletTag } from "./schemas.js";
import type { WalletServices } from "./service.js";

/**
 * GET /v1/wallet/sandbox: whether this coffer's live wallets use the sandbox identity checks and the sandbox bank,
 * so the wallet app can say so loudly, and `coffer dev` can refuse a production coffer. Public: it tells nothing a
 * wallet user would not see on signing up.
 */
const WalletSandbox = Type.Object(
  {
    object: Type.Literal("wallet_sandbox"),
    environment: Type.Union([Type.Literal("development"), Type.Literal("production"), Type.Null()], {
      description: "COFFER_ENV of this coffer; null when it was not configured from the environment.",
    }),
    identity: Type.Boolean({ description: "Identity submissions are decided by the sandbox (COFFER_KYC_PROVIDER)." }),
    bank: Type.Boolean({ description: "New bank accounts use the sandbox bank (COFFER_BANK_CONNECTOR)." }),
  },
  { additionalProperties: false },
);

export const walletSandboxRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.get(
    "/v1/wallet/sandbox",
    {
      schema: {
        tags: [walletTag],
        summary: "Whether live wallets use the sandbox",
        description:
          "identity and bank are true when live wallet users are verified by the sandbox and top up from the sandbox " +
          "bank (no real money moves): the development defaults. Production refuses to start with either.",
        response: { 200: WalletSandbox },
      },
    },
    async () => ({
      object: "wallet_sandbox" as const,
      environment: wallets.config.environment ?? null,
      identity: wallets.config.kycProvider === "sandbox",
      bank: wallets.config.bankConnector === "sandbox",
    }),
  );
};
