import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Crypto page comes in its own chunk with its texts, fetched when first opened. */
const LazyCrypto = lazy(() => import("./crypto").then((module) => ({ default: module.CryptoPage })));

export function CryptoPage() {
  const { t } = useT();
  return (
    <Suspense fallback={<Spinner label={t("app.loading")} />}>
      <LazyCrypto />
    </Suspense>
  );
}
