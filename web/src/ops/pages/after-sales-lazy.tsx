import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Disputes and Support pages come in their own chunk with their texts, fetched when first opened. */
const load = () => import("./after-sales");
const LazyDisputes = lazy(() => load().then((module) => ({ default: module.OpsDisputesPage })));
const LazyDispute = lazy(() => load().then((module) => ({ default: module.OpsDisputePage })));
const LazySupport = lazy(() => load().then((module) => ({ default: module.OpsSupportPage })));
const LazyTicket = lazy(() => load().then((module) => ({ default: module.OpsTicketPage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("app.loading")} />;
}

export function DisputesPage({ id }: { id?: string }) {
  return <Suspense fallback={<Loading />}>{id ? <LazyDispute id={id} /> : <LazyDisputes />}</Suspense>;
}

export function SupportQueuePage({ id }: { id?: string }) {
  return <Suspense fallback={<Loading />}>{id ? <LazyTicket id={id} /> : <LazySupport />}</Suspense>;
}
