import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";
import type { PaymentForExtras } from "./payment-extras";

/** The Feedback page and the payment page's attempts and feedback come in their own chunk, with their texts. */
const LazyFeedback = lazy(() => import("./feedback"));
const LazyExtras = lazy(() => import("./payment-extras"));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("common.loading")} />;
}

export function FeedbackPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyFeedback />
    </Suspense>
  );
}

export function PaymentExtras(props: { payment: PaymentForExtras; onChanged(): void }) {
  return (
    <Suspense fallback={null}>
      <LazyExtras {...props} />
    </Suspense>
  );
}
