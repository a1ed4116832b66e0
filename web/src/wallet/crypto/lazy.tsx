import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";
import { paths } from "../session";

/**
 * The crypto pages (balances, receive, send, history, allowlist, the sandbox chain) come in their own chunk with
 * their texts, fetched when one of them first opens: the wallet's first load does not carry them.
 */
const LazyCryptoPages = lazy(() => import("./pages"));

const cryptoPaths: readonly string[] = [
  paths.crypto,
  paths.cryptoReceive,
  paths.cryptoSend,
  paths.cryptoHistory,
  paths.cryptoAllowlist,
];

export function isCryptoPath(path: string): boolean {
  return cryptoPaths.includes(path);
}

export function CryptoPages({ path }: { path: string }) {
  const { t } = useT();
  return (
    <Suspense fallback={<Spinner label={t("loading")} />}>
      <LazyCryptoPages path={path} />
    </Suspense>
  );
}
