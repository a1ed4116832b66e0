import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/**
 * The insight pages (the dashboard and the method comparison) come in their own chunk with uPlot and their texts,
 * fetched when first shown: the console's first load does not carry a chart library most pages never use.
 */
const LazyDashboard = lazy(() => import("../insights/dashboard"));
const LazyMethods = lazy(() => import("../insights/methods"));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("common.loading")} />;
}

export function DashboardSection() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyDashboard />
    </Suspense>
  );
}

export function PaymentMethodsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyMethods />
    </Suspense>
  );
}
