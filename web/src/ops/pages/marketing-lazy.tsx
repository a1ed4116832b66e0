import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Marketing page comes in its own chunk with its texts, fetched when first opened. */
const LazyMarketing = lazy(() => import("./marketing").then((module) => ({ default: module.MarketingPage })));

export function MarketingPage() {
  const { t } = useT();
  return (
    <Suspense fallback={<Spinner label={t("app.loading")} />}>
      <LazyMarketing />
    </Suspense>
  );
}
