import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { parseMoney } from "../../shared/money";
import { Alert, Button, Card, Empty, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type Balance, type Payout } from "../api";
import { ConsoleError, type Cursor, Pager, StatusBadge, useFormat } from "../common";
import { type en, useT } from "../messages";
import { canWrite, useMe } from "../session";

/** The balance per currency, and payouts: send available money to the bank account of the KYB application. */
function PayoutForm({ balance, onCreated }: { balance: Balance; onCreated(): void }) {
  const { t } = useT();
  const format = useFormat();
  const currencies = balance.currencies.map((c) => c.currency);
  const [currency, setCurrency] = useState(currencies[0] ?? "");
  const [amount, setAmount] = useState("");
  const [description, setDescription] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [created, setCreated] = useState<Payout | null>(null);
  const create = useAction(async (minor: string) => {
    setCreated(
      await api.post<Payout>("/v1/payouts", {
        amount: minor,
        currency,
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    );
    setAmount("");
    setDescription("");
    onCreated();
  });
  if (currencies.length === 0) return <Empty>{t("balance.nothingToPay")}</Empty>;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setCreated(null);
        const parsed = parseMoney(amount, currency);
        if (!parsed.ok) {
          setAmountError(t(`money.${parsed.reason}` as keyof typeof en));
          return;
        }
        setAmountError(null);
        create.run(parsed.minor);
      }}
      noValidate
    >
      <div className="form-row">
        <SelectField label={t("balance.currency")} value={currency} onChange={(e) => setCurrency(e.target.value)}>
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("balance.payoutAmount")}
          inputMode="decimal"
          value={amount}
          error={amountError}
          onChange={(e) => setAmount(e.target.value)}
        />
        <TextField
          label={t("balance.payoutDescription")}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <ConsoleError error={create.error} />
      {created ? (
        <Alert kind="success">
          {t("balance.payoutCreated", { amount: format.money(created.amount, created.currency) })}
        </Alert>
      ) : null}
      <Button type="submit" pending={create.pending}>
        {t("balance.createPayout")}
      </Button>
    </form>
  );
}

export function BalancePage() {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const [cursor, setCursor] = useState<Cursor>({});
  const balance = useAsync(() => api.get<Balance>("/v1/balance"), []);
  const payouts = useAsync(() => api.get<ListPage<Payout>>("/v1/payouts", { limit: 20, ...cursor }), [cursor]);
  return (
    <>
      <h1>{t("nav.balance")}</h1>
      <Card title={t("balance.title")}>
        {balance.status === "loading" && !balance.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={balance.error} />
        {balance.data && balance.data.currencies.length === 0 ? <Empty>{t("balance.empty")}</Empty> : null}
        {balance.data && balance.data.currencies.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("balance.currency")}</th>
                  <th scope="col" className="amount">
                    {t("balance.available")}
                  </th>
                  <th scope="col" className="amount">
                    {t("balance.pending")}
                  </th>
                  <th scope="col" className="amount">
                    {t("balance.inTransit")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {balance.data.currencies.map((c) => (
                  <tr key={c.currency}>
                    <th scope="row">{c.currency}</th>
                    <td className="amount">{format.money(c.available, c.currency)}</td>
                    <td className="amount">{format.money(c.pending, c.currency)}</td>
                    <td className="amount">{format.money(c.in_transit, c.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
      {canWrite(me) && balance.data ? (
        <Card title={t("balance.newPayout")}>
          <PayoutForm
            balance={balance.data}
            onCreated={() => {
              balance.reload();
              setCursor({});
              payouts.reload();
            }}
          />
        </Card>
      ) : null}
      <Card title={t("balance.payouts")}>
        {payouts.status === "loading" && !payouts.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={payouts.error} />
        {payouts.data && payouts.data.data.length === 0 ? <Empty>{t("balance.noPayouts")}</Empty> : null}
        {payouts.data && payouts.data.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("balance.payouts")}</caption>
              <thead>
                <tr>
                  <th scope="col" className="amount">
                    {t("payments.amount")}
                  </th>
                  <th scope="col">{t("payments.status")}</th>
                  <th scope="col">{t("balance.destination")}</th>
                  <th scope="col">{t("payments.created")}</th>
                </tr>
              </thead>
              <tbody>
                {payouts.data.data.map((p) => (
                  <tr key={p.id}>
                    <td className="amount">{format.money(p.amount, p.currency)}</td>
                    <td>
                      <StatusBadge status={p.status} /> {p.automatic ? t("balance.automatic") : null}
                    </td>
                    <td>
                      {p.destination.bank_name} ···· {p.destination.last4}
                    </td>
                    <td>{format.date(p.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager page={payouts.data} cursor={cursor} onChange={setCursor} />
      </Card>
    </>
  );
}
