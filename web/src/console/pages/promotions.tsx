import { lazy, Suspense } from "react";
import { Spinner } from "../../shared/ui";
import { useT } from "../messages";

/** The Promotions pages come in their own chunk with their texts, fetched when first opened. */
const LazyPromotions = lazy(() => import("./promotions-page").then((module) => ({ default: module.PromotionsPage })));
const LazyCoupon = lazy(() => import("./promotions-page").then((module) => ({ default: module.CouponPage })));

function Loading() {
  const { t } = useT();
  return <Spinner label={t("common.loading")} />;
}

export function PromotionsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LazyPromotions />
    </Suspense>
  );
}

export function CouponPage({ id }: { id: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyCoupon id={id} />
    </Suspense>
  );
}
