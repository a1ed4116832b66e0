import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/**
 * The prepaid card pages come in their own chunk with their texts, fetched when first shown: people who sign in to
 * an account never download them.
 */
const LazyAddCard = lazy(() => import("./add-card").then((module) => ({ default: module.AddCardPage })));
const LazyCardHome = lazy(() => import("./card-home").then((module) => ({ default: module.CardHomePage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("loading")} />;
}

export function AddCardPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyAddCard />
    </Suspense>
  );
}

export function CardHomePage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyCardHome />
    </Suspense>
  );
}
