import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Disputes and Support pages come in their own chunks with their texts, fetched when first opened. */
const LazyDisputes = lazy(() => import("./disputes").then((module) => ({ default: module.DisputesPage })));
const LazyDispute = lazy(() => import("./disputes").then((module) => ({ default: module.DisputePage })));
const LazySupport = lazy(() => import("./support").then((module) => ({ default: module.SupportPage })));
const LazyTicket = lazy(() => import("./support").then((module) => ({ default: module.TicketPage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("common.loading")} />;
}

export function DisputesPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyDisputes />
    </Suspense>
  );
}

export function DisputePage({ id }: { id: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyDispute id={id} />
    </Suspense>
  );
}

export function SupportPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazySupport />
    </Suspense>
  );
}

export function TicketPage({ id }: { id: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyTicket id={id} />
    </Suspense>
  );
}
