import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Prepaid cards page comes in its own chunk with its texts, fetched when first opened. */
const LazyStoredValue = lazy(() => import("./stored-value").then((module) => ({ default: module.StoredValuePage })));

export function StoredValuePage() {
  const { t } = useT();
  return (
    <Suspense fallback={<Spinner label={t("app.loading")} />}>
      <LazyStoredValue />
    </Suspense>
  );
}
