import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { configFromEnv, ShopConfigError } from "./config.js";
import { createShop } from "./shop.js";

/** `npm start`: the shop on PORT (default 3000), configured from the environment. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof configFromEnv>;
  try {
    config = configFromEnv(env);
  } catch (error) {
    if (!(error instanceof ShopConfigError)) throw error;
    console.error(`The shop cannot start:\n${error.message}\nThe README's tutorial shows where each value comes from.`);
    process.exitCode = 1;
    return;
  }
  const server = createShop(config);
  await new Promise<void>((resolve) => server.listen(config.port, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`Tea House is open on http://127.0.0.1:${port} (coffer at ${config.cofferUrl})`);
  console.log(`  webhooks: http://127.0.0.1:${port}/webhooks/coffer · till: /pos · admin: /admin`);
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

// Started as a program (npm start), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
