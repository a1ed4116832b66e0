/** What the shop needs to know to take payments through coffer. */
export interface ShopConfig {
  /** Where coffer answers, e.g. http://127.0.0.1:4000. */
  cofferUrl: string;
  /** The merchant's secret key. This shop is a test-mode example: it refuses anything but sk_test_…. */
  secretKey: string;
  /** The whsec_… secret of the webhook endpoint that points at this shop's /webhooks/coffer. */
  webhookSecret: string;
  /**
   * The address customers reach the shop at, for the hosted checkout's way back (return_url). Without it the shop
   * uses the Host header of the request that started the checkout, which is right when nothing sits in between.
   */
  publicUrl?: string;
}

export class ShopConfigError extends Error {
  override readonly name = "ShopConfigError";
}

/** Reads the configuration from the environment and says everything that is wrong at once. */
export function configFromEnv(env: NodeJS.ProcessEnv): ShopConfig & { port: number } {
  const problems: string[] = [];
  const cofferUrl = env.COFFER_URL?.trim() || "http://127.0.0.1:4000";
  const secretKey = env.COFFER_SECRET_KEY?.trim() ?? "";
  const webhookSecret = env.COFFER_WEBHOOK_SECRET?.trim() ?? "";
  const port = Number(env.PORT?.trim() || "3000");
  if (!/^https?:\/\//.test(cofferUrl))
    problems.push(`COFFER_URL must start with http:// or https://, got "${cofferUrl}"`);
  if (!secretKey.startsWith("sk_test_")) problems.push("COFFER_SECRET_KEY must be your test secret key (sk_test_…)");
  if (!webhookSecret.startsWith("whsec_")) {
    problems.push("COFFER_WEBHOOK_SECRET must be your webhook endpoint's signing secret (whsec_…)");
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`PORT must be 0 to 65535, got "${env.PORT}"`);
  if (problems.length > 0) throw new ShopConfigError(problems.map((p) => `  - ${p}`).join("\n"));
  const publicUrl = env.SHOP_PUBLIC_URL?.trim() || undefined;
  return { cofferUrl, secretKey, webhookSecret, port, ...(publicUrl ? { publicUrl } : {}) };
}
