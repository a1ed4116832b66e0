import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** "Get help", disputes and support come in their own chunk with their texts, fetched when first needed. */
const load = () => import("./pages");
const LazyHelp = lazy(() => load().then((module) => ({ default: module.PaymentHelp })));
const LazySupport = lazy(() => load().then((module) => ({ default: module.SupportPage })));
const LazyTicket = lazy(() => load().then((module) => ({ default: module.TicketPage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("loading")} />;
}

export function PaymentHelp(props: {
  payment: { id: string; amount: string; currency: string; merchant: { name: string } };
}) {
  return (
    <Suspense fallback={null}>
      <LazyHelp {...props} />
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
