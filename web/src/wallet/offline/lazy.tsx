import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/**
 * The offline payment page comes in its own chunk (its texts, the QR encoder, IndexedDB), fetched when first shown,
 * so the wallet's first load does not carry it. The service worker keeps the chunk once fetched: the page opens
 * again with no network.
 */
const LazyOffline = lazy(() => import("./page").then((module) => ({ default: module.OfflinePage })));

export function OfflinePage() {
  const { t } = useT();
  return (
    <Suspense fallback={<Spinner label={t("loading")} />}>
      <LazyOffline />
    </Suspense>
  );
}
