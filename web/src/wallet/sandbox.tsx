import { useEffect, useState } from "react";
import { createApiClient } from "../shared/api";
import { useT } from "./messages";

/** GET /v1/wallet/sandbox: whether this coffer's live wallets use the sandbox identity checks and bank. */
export interface WalletSandbox {
  object: "wallet_sandbox";
  environment: "development" | "production" | null;
  identity: boolean;
  bank: boolean;
}

// Asked once per page load: a deployment's setting does not change while it runs.
let asked: Promise<WalletSandbox | null> | undefined;

export function useWalletSandbox(): WalletSandbox | null {
  const [sandbox, setSandbox] = useState<WalletSandbox | null>(null);
  useEffect(() => {
    asked ??= createApiClient()
      .get<WalletSandbox>("/v1/wallet/sandbox")
      .catch(() => null);
    let live = true;
    void asked.then((answer) => {
      if (live) setSandbox(answer);
    });
    return () => {
      live = false;
    };
  }, []);
  return sandbox;
}

/** On every page while the sandbox is on: nobody may mistake this wallet for one that holds real money. */
export function SandboxBanner() {
  const { t, locale } = useT();
  const sandbox = useWalletSandbox();
  if (!sandbox || (!sandbox.identity && !sandbox.bank)) return null;
  const parts = [
    t("sandbox.title"),
    sandbox.identity ? t("sandbox.identity") : "",
    sandbox.bank ? t("sandbox.bank") : "",
  ];
  // Chinese sentences follow each other without a space.
  return (
    <div className="test-banner sandbox-banner" role="note">
      {parts.filter(Boolean).join(locale === "zh-CN" ? "" : " ")}
    </div>
  );
}
