import { CreditCard, Link as LinkIcon } from "lucide-react";
import { ActionLink } from "../shared/action-link";
import { Empty, NoMatch } from "../shared/ui";
import { useT } from "./messages";

/** Empty states more than one console page shows (the home page's recent payments and the payments list). */

/** A new account's first look at its payments: what will be here and how to take the first one. */
export function NoPaymentsYet() {
  const { t } = useT();
  return (
    <Empty
      icon={CreditCard}
      title={t("payments.none")}
      action={
        <ActionLink to="/payment-links" icon={LinkIcon}>
          {t("payments.firstLink")}
        </ActionLink>
      }
    >
      {t("payments.noneText")}
    </Empty>
  );
}

/** The payments list with nothing to show: nothing yet, or nothing that matches its filters. */
export function PaymentsEmpty({ filtered, onClear }: { filtered: boolean; onClear(): void }) {
  const { t } = useT();
  if (!filtered) return <NoPaymentsYet />;
  return (
    <NoMatch title={t("payments.empty")} clearLabel={t("common.clearFilters")} onClear={onClear}>
      {t("payments.emptyText")}
    </NoMatch>
  );
}
