import { Coins, Landmark, TicketPercent } from "lucide-react";
import { type FormEvent, useState } from "react";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { formatMoney, parseMoney } from "../../shared/money";
import { parsePercent, percentText } from "../../shared/percent";
import { Alert, Badge, Button, Card, DataTable, Empty, ErrorAlert, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { useOperator } from "../session";
import { type MarketingMessageKey, useMarketingT } from "./marketing-messages";

/**
 * The platform's promotions (docs/coupons.md, "The platform's promotions"): the marketing account of a mode and its
 * funding, platform coupons (with a first code) and platform cashback rules, made and ended by admins. Loaded on
 * demand (./marketing-lazy.tsx).
 */
interface MarketingAccount {
  currency: string;
  available: string;
  funded: string;
}

interface PlatformCoupon {
  id: string;
  name: string;
  currency: string;
  amount_off: string | null;
  percent_off_bps: number | null;
  budget: string | null;
  times_redeemed: number;
  amount_redeemed: string;
  active: boolean;
}

interface PlatformRule {
  id: string;
  name: string;
  currency: string;
  percent_bps: number;
  budget: string;
  amount_credited: string;
  active: boolean;
}

function MarketingError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = useMarketingT();
  if (!error) return null;
  const key = `error.${error.code}` as MarketingMessageKey;
  const known = t(key);
  if (known === key) return <ErrorAlert error={error} />;
  return (
    <Alert kind="error">
      {known} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

function optionalMoney(text: string, currency: string): string | undefined | null {
  if (!text.trim()) return undefined;
  const parsed = parseMoney(text, currency);
  return parsed.ok ? parsed.minor : null;
}

export function MarketingPage() {
  const { t, locale } = useMarketingT();
  const admin = useOperator().role === "admin";
  const [livemode, setLivemode] = useState(false);
  const accounts = useAsync(
    () => api.get<ListPage<MarketingAccount>>("/v1/ops/marketing_accounts", { livemode }),
    [livemode],
  );
  const coupons = useAsync(
    () => api.get<ListPage<PlatformCoupon>>("/v1/ops/coupons", { livemode, limit: 50 }),
    [livemode],
  );
  const rules = useAsync(
    () => api.get<ListPage<PlatformRule>>("/v1/ops/cashback_rules", { livemode, limit: 50 }),
    [livemode],
  );
  const money = (amount: string, currency: string) => formatMoney(amount, currency, locale);
  const endCoupon = useAction(async (id: string) => {
    await api.post(`/v1/ops/coupons/${encodeURIComponent(id)}/deactivate`, { livemode });
    coupons.reload();
    accounts.reload();
  });
  const endRule = useAction(async (id: string) => {
    await api.post(`/v1/ops/cashback_rules/${encodeURIComponent(id)}/deactivate`, { livemode });
    rules.reload();
    accounts.reload();
  });
  const status = (active: boolean) =>
    active ? <Badge tone="good">{t("marketing.active")}</Badge> : <Badge tone="neutral">{t("marketing.ended")}</Badge>;

  return (
    <>
      <h1>{t("marketing.title")}</h1>
      <p>{t("marketing.intro")}</p>
      <SelectField
        label={t("marketing.mode")}
        value={livemode ? "live" : "test"}
        onChange={(event) => setLivemode(event.target.value === "live")}
      >
        <option value="test">{t("marketing.test")}</option>
        <option value="live">{t("marketing.live")}</option>
      </SelectField>

      <Card title={t("marketing.accounts")}>
        <ErrorAlert error={accounts.error} />
        {accounts.data ? (
          <DataTable
            rows={accounts.data.data}
            rowKey={(row) => row.currency}
            caption={t("marketing.accounts")}
            empty={
              <Empty compact icon={Landmark} title={t("marketing.accountsEmpty")}>
                {t("marketing.accountsEmptyText")}
              </Empty>
            }
            columns={[
              { header: t("marketing.col.currency"), render: (row) => row.currency },
              {
                header: t("marketing.col.available"),
                className: "amount",
                render: (row) => money(row.available, row.currency),
              },
              {
                header: t("marketing.col.funded"),
                className: "amount",
                render: (row) => money(row.funded, row.currency),
              },
            ]}
          />
        ) : null}
        {admin ? <FundForm livemode={livemode} onFunded={() => accounts.reload()} /> : null}
      </Card>

      <Card title={t("marketing.coupons")}>
        <ErrorAlert error={coupons.error} />
        <MarketingError error={endCoupon.error} />
        {coupons.data ? (
          <DataTable
            rows={coupons.data.data}
            rowKey={(row) => row.id}
            caption={t("marketing.coupons")}
            empty={
              <Empty compact icon={TicketPercent} title={t("marketing.couponsEmpty")}>
                {t("marketing.couponsEmptyText")}
              </Empty>
            }
            columns={[
              { header: t("marketing.col.name"), render: (row) => row.name },
              {
                header: t("marketing.col.terms"),
                render: (row) =>
                  row.percent_off_bps !== null
                    ? t("marketing.percentOff", { percent: percentText(row.percent_off_bps) })
                    : t("marketing.amountOff", { amount: money(row.amount_off ?? "0", row.currency) }),
              },
              { header: t("marketing.col.used"), render: (row) => String(row.times_redeemed) },
              {
                header: t("marketing.col.budget"),
                className: "amount",
                render: (row) =>
                  `${money(row.amount_redeemed, row.currency)} / ${money(row.budget ?? "0", row.currency)}`,
              },
              { header: t("marketing.col.status"), render: (row) => status(row.active) },
              {
                header: "",
                render: (row) =>
                  row.active && admin ? (
                    <Button variant="secondary" pending={endCoupon.pending} onClick={() => endCoupon.run(row.id)}>
                      {t("marketing.endConfirm")}
                    </Button>
                  ) : null,
              },
            ]}
          />
        ) : null}
        {admin ? (
          <NewPlatformCoupon
            livemode={livemode}
            onCreated={() => {
              coupons.reload();
              accounts.reload();
            }}
          />
        ) : null}
      </Card>

      <Card title={t("marketing.rules")}>
        <ErrorAlert error={rules.error} />
        <MarketingError error={endRule.error} />
        {rules.data ? (
          <DataTable
            rows={rules.data.data}
            rowKey={(row) => row.id}
            caption={t("marketing.rules")}
            empty={
              <Empty compact icon={Coins} title={t("marketing.rulesEmpty")}>
                {t("marketing.rulesEmptyText")}
              </Empty>
            }
            columns={[
              { header: t("marketing.col.name"), render: (row) => row.name },
              {
                header: t("marketing.col.terms"),
                render: (row) => t("marketing.percentBack", { percent: percentText(row.percent_bps) }),
              },
              {
                header: t("marketing.col.budget"),
                className: "amount",
                render: (row) => `${money(row.amount_credited, row.currency)} / ${money(row.budget, row.currency)}`,
              },
              { header: t("marketing.col.status"), render: (row) => status(row.active) },
              {
                header: "",
                render: (row) =>
                  row.active && admin ? (
                    <Button variant="secondary" pending={endRule.pending} onClick={() => endRule.run(row.id)}>
                      {t("marketing.endConfirm")}
                    </Button>
                  ) : null,
              },
            ]}
          />
        ) : null}
        {admin ? (
          <NewPlatformRule
            livemode={livemode}
            onCreated={() => {
              rules.reload();
              accounts.reload();
            }}
          />
        ) : null}
      </Card>
    </>
  );
}

function FundForm({ livemode, onFunded }: { livemode: boolean; onFunded(): void }) {
  const { t, locale } = useMarketingT();
  const [currency, setCurrency] = useState("USD");
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  const [done, setDone] = useState<MarketingAccount | null>(null);
  const fund = useAction(async () => {
    const minor = optionalMoney(amount, currency);
    setInvalid(minor ? undefined : t("marketing.invalid"));
    if (!minor) return;
    setDone(await api.post<MarketingAccount>("/v1/ops/marketing_accounts/fund", { livemode, currency, amount: minor }));
    setAmount("");
    onFunded();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    fund.run();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t("marketing.fundTitle")}>
      <h3>{t("marketing.fundTitle")}</h3>
      <div className="form-row">
        <TextField
          label={t("marketing.currency")}
          value={currency}
          maxLength={10}
          onChange={(event) => setCurrency(event.target.value.toUpperCase())}
        />
        <TextField
          label={t("marketing.amount", { currency })}
          inputMode="decimal"
          value={amount}
          error={invalid}
          onChange={(event) => setAmount(event.target.value)}
        />
      </div>
      <MarketingError error={fund.error} />
      {done ? (
        <Alert kind="success">
          {t("marketing.funded", { amount: formatMoney(done.available, done.currency, locale) })}
        </Alert>
      ) : null}
      <Button type="submit" pending={fund.pending}>
        {t("marketing.fund")}
      </Button>
    </form>
  );
}

function NewPlatformCoupon({ livemode, onCreated }: { livemode: boolean; onCreated(): void }) {
  const { t } = useMarketingT();
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [percent, setPercent] = useState("");
  const [amountOff, setAmountOff] = useState("");
  const [budget, setBudget] = useState("");
  const [perPayer, setPerPayer] = useState("");
  const [code, setCode] = useState("");
  const [firstTime, setFirstTime] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const create = useAction(async () => {
    const bps = amountOff.trim() ? undefined : parsePercent(percent);
    const off = optionalMoney(amountOff, currency);
    const total = optionalMoney(budget, currency);
    const each = perPayer.trim() ? Number(perPayer.trim()) : undefined;
    const bad = !name.trim() || !total || off === null || (!bps && !off) || (each !== undefined && !(each >= 1));
    setInvalid(bad);
    if (bad) return;
    const coupon = await api.post<PlatformCoupon>("/v1/ops/coupons", {
      livemode,
      name: name.trim(),
      currency,
      budget: total,
      ...(off ? { amount_off: off } : { percent_off_bps: bps }),
      ...(each ? { max_redemptions_per_payer: each } : {}),
      ...(firstTime ? { first_time_payers_only: true } : {}),
    });
    if (code.trim()) await api.post("/v1/ops/promotion_codes", { livemode, coupon: coupon.id, code: code.trim() });
    setName("");
    setPercent("");
    setAmountOff("");
    setBudget("");
    setCode("");
    onCreated();
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.run();
      }}
      noValidate
      aria-label={t("marketing.newCoupon")}
    >
      <h3>{t("marketing.newCoupon")}</h3>
      <div className="form-row">
        <TextField label={t("marketing.name")} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <TextField
          label={t("marketing.currency")}
          value={currency}
          maxLength={10}
          onChange={(e) => setCurrency(e.target.value.toUpperCase())}
        />
        <TextField
          label={t("marketing.percent")}
          inputMode="decimal"
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
        />
        <TextField
          label={t("marketing.amountOffField", { currency })}
          inputMode="decimal"
          value={amountOff}
          onChange={(e) => setAmountOff(e.target.value)}
        />
      </div>
      <div className="form-row">
        <TextField
          label={t("marketing.budget", { currency })}
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
        />
        <TextField
          label={t("marketing.perPayer")}
          inputMode="numeric"
          value={perPayer}
          onChange={(e) => setPerPayer(e.target.value)}
        />
        <TextField
          label={t("marketing.code")}
          value={code}
          maxLength={40}
          spellCheck={false}
          onChange={(e) => setCode(e.target.value)}
        />
      </div>
      <div className="field">
        <label>
          <input type="checkbox" checked={firstTime} onChange={(e) => setFirstTime(e.target.checked)} />{" "}
          {t("marketing.firstTime")}
        </label>
      </div>
      {invalid ? <Alert kind="error">{t("marketing.invalid")}</Alert> : null}
      <MarketingError error={create.error} />
      <Button type="submit" pending={create.pending}>
        {t("marketing.create")}
      </Button>
    </form>
  );
}

function NewPlatformRule({ livemode, onCreated }: { livemode: boolean; onCreated(): void }) {
  const { t } = useMarketingT();
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [percent, setPercent] = useState("");
  const [budget, setBudget] = useState("");
  const [perPayment, setPerPayment] = useState("");
  const [perMonth, setPerMonth] = useState("");
  const [invalid, setInvalid] = useState(false);
  const create = useAction(async () => {
    const bps = parsePercent(percent);
    const total = optionalMoney(budget, currency);
    const payment = optionalMoney(perPayment, currency);
    const month = optionalMoney(perMonth, currency);
    const bad = !name.trim() || !bps || !total || payment === null || month === null;
    setInvalid(bad);
    if (bad) return;
    await api.post("/v1/ops/cashback_rules", {
      livemode,
      name: name.trim(),
      currency,
      percent_bps: bps,
      budget: total,
      ...(payment ? { max_per_payment: payment } : {}),
      ...(month ? { max_per_payer_per_month: month } : {}),
    });
    setName("");
    setPercent("");
    setBudget("");
    onCreated();
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.run();
      }}
      noValidate
      aria-label={t("marketing.newRule")}
    >
      <h3>{t("marketing.newRule")}</h3>
      <div className="form-row">
        <TextField label={t("marketing.name")} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <TextField
          label={t("marketing.currency")}
          value={currency}
          maxLength={10}
          onChange={(e) => setCurrency(e.target.value.toUpperCase())}
        />
        <TextField
          label={t("marketing.percent")}
          inputMode="decimal"
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
        />
        <TextField
          label={t("marketing.budget", { currency })}
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
        />
      </div>
      <div className="form-row">
        <TextField
          label={t("marketing.perPayment", { currency })}
          inputMode="decimal"
          value={perPayment}
          onChange={(e) => setPerPayment(e.target.value)}
        />
        <TextField
          label={t("marketing.perMonth", { currency })}
          inputMode="decimal"
          value={perMonth}
          onChange={(e) => setPerMonth(e.target.value)}
        />
      </div>
      {invalid ? <Alert kind="error">{t("marketing.invalid")}</Alert> : null}
      <MarketingError error={create.error} />
      <Button type="submit" pending={create.pending}>
        {t("marketing.create")}
      </Button>
    </form>
  );
}
