import type { ListPage } from "../../shared/api";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Button, Empty, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { WalletPayment, WalletTransaction } from "../api-types";
import { failureText, Problem, StatusBadge } from "../components";
import { useT } from "../messages";
import { useSession } from "../session";

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
}

/**
 * Everything that moved money: the transaction list (top-ups, withdrawals, transfers) and the payer's payments to
 * merchants, newest first. Payments still open for anyone (an unpaid QR code) are not the payer's yet and stay out.
 */
export function HistoryPage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const history = useAsync(async () => {
    const [transactions, payments] = await Promise.all([
      api.get<ListPage<WalletTransaction>>("/v1/wallet/transactions", { limit: historyPageSize }),
      api.get<ListPage<WalletPayment>>("/v1/wallet/payments", { limit: historyPageSize }),
    ]);
    return { transactions: transactions.data, payments: payments.data };
  }, [api]);

  const rows: HistoryRow[] = [];
  for (const item of history.data?.transactions ?? []) {
    rows.push({
      id: item.id,
      created: item.created,
      what:
        item.type === "top_up"
          ? t("history.topUp")
          : item.type === "withdrawal"
            ? t("history.withdrawal")
            : item.direction === "in"
              ? t("history.transferIn")
              : t("history.transferOut"),
      direction: item.direction,
      amount: item.amount,
      currency: item.currency,
      status: item.status,
      detail: item.failure_code ? failureText(t, item.failure_code) : (item.note ?? item.description),
      refunded: null,
    });
  }
  for (const payment of history.data?.payments ?? []) {
    if (payment.status === "requires_payment") continue;
    rows.push({
      id: payment.id,
      created: payment.created,
      what: t("history.payment", { merchant: payment.merchant.name }),
      direction: "out",
      amount: payment.amount,
      currency: payment.currency,
      status: payment.status,
      detail: payment.failure_code ? failureText(t, payment.failure_code) : payment.description,
      refunded:
        payment.amount_refunded !== "0"
          ? t("history.refunded", { amount: formatMoney(payment.amount_refunded, payment.currency, locale) })
          : null,
    });
  }
  rows.sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
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
          <Empty>{t("history.none")}</Empty>
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
                      <span className="history-what">{row.what}</span>
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
        <Button variant="link" onClick={download}>
          {t("history.statement")}
        </Button>
      </p>
    </>
  );
}
