import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Prepaid cards pages come in their own chunk with their texts, fetched when first opened. */
const LazyCards = lazy(() =>
  import("./stored-value-cards").then((module) => ({ default: module.StoredValueCardsPage })),
);
const LazyCard = lazy(() => import("./stored-value-cards").then((module) => ({ default: module.StoredValueCardPage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("common.loading")} />;
}

export function StoredValueCardsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyCards />
    </Suspense>
  );
}

export function StoredValueCardPage({ id }: { id: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyCard id={id} />
    </Suspense>
  );
}
