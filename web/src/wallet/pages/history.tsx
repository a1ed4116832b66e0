import { BanknoteArrowDown, Download, ReceiptText } from "lucide-react";
import { ActionLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import { Button, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { WalletTransaction } from "../api-types";
import { failureText, Problem, StatusBadge } from "../components";
import { useT } from "../messages";
import { useWalletPromoT } from "../promotions/messages";
import { paths, useSession } from "../session";

const historyPageSize = 50;

interface HistoryRow {
  id: string;
  created: number;
  what: string;
  direction: "in" | "out";
  amount: string;
  currency: string;
  status: string;
  detail: string | null;
  /** A payment the merchant refunded (in part): the money came back to the wallet. */
  refunded: string | null;
  /** A payment to a merchant opens its page (to see it and rate it). */
  payment: boolean;
}

/**
 * Everything that moved money, newest first, as the server lists it: top-ups, withdrawals, transfers, payments to
 * merchants (with how much came back) and their refunds.
 */
export function HistoryPage() {
  const { t, locale } = useT();
  const promo = useWalletPromoT().t;
  const { api } = useSession();
  const history = useAsync(
    () => api.get<ListPage<WalletTransaction>>("/v1/wallet/transactions", { limit: historyPageSize }),
    [api],
  );

  const whatOf = (item: WalletTransaction): string => {
    switch (item.type) {
      case "top_up":
        return t("history.topUp");
      case "withdrawal":
        return t("history.withdrawal");
      case "transfer":
        return item.direction === "in" ? t("history.transferIn") : t("history.transferOut");
      case "payment":
        return t("history.payment", { merchant: item.counterparty_name });
      case "refund":
        return t("history.refund", { merchant: item.counterparty_name });
      case "cashback":
        return promo("history.cashback", { merchant: item.counterparty_name });
      case "cashback_reversal":
        return promo("history.cashbackReversal", { merchant: item.counterparty_name });
    }
  };
  const rows: HistoryRow[] = (history.data?.data ?? []).map((item) => ({
    id: item.id,
    created: item.created,
    what: whatOf(item),
    direction: item.direction,
    amount: item.amount,
    currency: item.currency,
    status: item.status,
    detail: item.failure_code
      ? failureText(t, item.failure_code)
      : (item.note ??
        (item.type === "transfer" || item.type === "top_up" || item.type === "withdrawal" ? item.description : null)),
    refunded:
      item.amount_refunded && item.amount_refunded !== "0"
        ? t("history.refunded", { amount: formatMoney(item.amount_refunded, item.currency, locale) })
        : null,
    payment: item.type === "payment",
  }));
  const month = new Date().toISOString().slice(0, 7);

  const download = async () => {
    const response = await api.raw(`/v1/wallet/statements/${month}.csv`);
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `coffer-statement-${month}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <h1>{t("history.title")}</h1>
      {history.data ? (
        rows.length === 0 ? (
          <Empty
            icon={ReceiptText}
            title={t("history.none")}
            action={
              <ActionLink to={paths.topUp} icon={BanknoteArrowDown}>
                {t("action.topUp")}
              </ActionLink>
            }
          >
            {t("history.none.text")}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table aria-label={t("history.title")}>
              <thead>
                <tr>
                  <th scope="col">{t("history.what")}</th>
                  <th scope="col" className="amount">
                    {t("history.amount")}
                  </th>
                  <th scope="col">{t("history.status")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <td>
                      <span className="history-what">
                        {row.payment ? <Link to={paths.payment(row.id)}>{row.what}</Link> : row.what}
                      </span>
                      <span className="field-hint history-when">{formatDateTime(row.created, locale)}</span>
                      {row.detail ? <span className="field-hint history-detail">{row.detail}</span> : null}
                      {row.refunded ? <span className="history-detail history-refunded">{row.refunded}</span> : null}
                    </td>
                    <td className={`amount amount-${row.direction}`}>
                      {row.direction === "out" ? "−" : "+"}
                      {formatMoney(row.amount, row.currency, locale)}
                    </td>
                    <td>
                      <StatusBadge status={row.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : history.status === "error" ? (
        <Problem error={history.error} />
      ) : (
        <Spinner label={t("loading")} />
      )}
      <p>
        <Button variant="link" icon={Download} onClick={download}>
          {t("history.statement")}
        </Button>
      </p>
    </>
  );
}
