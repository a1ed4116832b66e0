import { Banknote, Landmark, Wallet } from "lucide-react";
import { useState } from "react";
import { JumpLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { parseMoney } from "../../shared/money";
import { Alert, Button, Card, Empty, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type Balance, type Payout } from "../api";
import { ConsoleError, type Cursor, LoadedTable, Pager, StatusBadge, useFormat } from "../common";
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
  if (currencies.length === 0) {
    return (
      <Empty compact icon={Banknote} title={t("balance.nothingToPay")}>
        {t("balance.nothingToPayText")}
      </Empty>
    );
  }
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

/** The payout form's card, where the empty list of payouts leads when there is money to pay out. */
const newPayoutCardId = "new-payout";

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
        <LoadedTable
          state={balance}
          rows={(data) => data.currencies}
          rowKey={(c) => c.currency}
          empty={
            <Empty icon={Wallet} title={t("balance.empty")}>
              {t("balance.emptyText")}
            </Empty>
          }
          columns={[
            { header: t("balance.currency"), rowHeader: true, render: (c) => c.currency },
            {
              header: t("balance.available"),
              className: "amount",
              render: (c) => format.money(c.available, c.currency),
            },
            { header: t("balance.pending"), className: "amount", render: (c) => format.money(c.pending, c.currency) },
            {
              header: t("balance.inTransit"),
              className: "amount",
              render: (c) => format.money(c.in_transit, c.currency),
            },
            {
              header: t("balance.disputed"),
              className: "amount",
              render: (c) => format.money(c.disputed, c.currency),
            },
          ]}
        />
      </Card>
      {canWrite(me) && balance.data ? (
        <Card title={t("balance.newPayout")} actions={<HelpButton slug="payouts" />} id={newPayoutCardId}>
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
        <LoadedTable
          state={payouts}
          rows={(page) => page.data}
          rowKey={(p) => p.id}
          caption={t("balance.payouts")}
          empty={
            <Empty
              icon={Landmark}
              title={t("balance.noPayouts")}
              action={
                canWrite(me) && balance.data?.currencies.length ? (
                  <JumpLink to={newPayoutCardId} icon={Banknote}>
                    {t("balance.requestPayout")}
                  </JumpLink>
                ) : undefined
              }
            >
              {t("balance.noPayoutsText")}
            </Empty>
          }
          columns={[
            { header: t("payments.amount"), className: "amount", render: (p) => format.money(p.amount, p.currency) },
            {
              header: t("payments.status"),
              render: (p) => (
                <>
                  <StatusBadge status={p.status} /> {p.automatic ? t("balance.automatic") : null}
                </>
              ),
            },
            {
              header: t("balance.destination"),
              render: (p) => (
                <>
                  {p.destination.bank_name} ···· {p.destination.last4}
                </>
              ),
            },
            { header: t("payments.created"), render: (p) => format.date(p.created) },
          ]}
        />
        <Pager page={payouts.data} cursor={cursor} onChange={setCursor} />
      </Card>
    </>
  );
}
