import { Clock, Undo2 } from "lucide-react";
import { type ReactNode, useState } from "react";
import type { ListPage } from "../../shared/api";
import { DateRangeField } from "../../shared/date-picker-lazy";
import { HelpButton } from "../../shared/help";
import { parseMoney } from "../../shared/money";
import { Link, navigate, useSearch } from "../../shared/router";
import {
  Alert,
  Button,
  Card,
  DataTable,
  DefinitionList,
  Empty,
  SelectField,
  Spinner,
  TextField,
} from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type CofferEvent, type Payment, type Refund } from "../api";
import { ConsoleError, type Cursor, Pager, PaymentStatusBadge, StatusBadge, useFormat } from "../common";
import { PaymentsEmpty } from "../empty-states";
import { type en, useT } from "../messages";
import { canWrite, useMe } from "../session";
import { CryptoPaymentSection, refundsOnChainOnly } from "./crypto-payment-lazy";
import { PaymentExtras } from "./feedback-lazy";

/** Payments: the list with filters (status, method), and one payment with its timeline, refunds and refund form. */
const statuses = ["requires_payment", "processing", "requires_capture", "succeeded", "failed", "canceled", "expired"];
const methods = ["qr", "payment_code", "checkout", "crypto"];
const refundReasons = ["requested_by_customer", "duplicate", "fraudulent", "other"] as const;

/** A date field's "2026-04-02" as Unix seconds at the start of that day (plus dayOffset days) in the user's zone. */
function localDayStartSeconds(day: string, dayOffset = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const start = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + dayOffset);
  return Math.floor(start.getTime() / 1000);
}

function unixSecondsParam(value: string | null): number | undefined {
  return value && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

export function PaymentsPage() {
  const { t } = useT();
  const format = useFormat();
  const search = useSearch();
  const status = search.get("status") ?? "";
  const method = search.get("method") ?? "";
  const from = search.get("from") ?? "";
  const until = search.get("until") ?? "";
  const store = search.get("store") ?? "";
  const till = search.get("till") ?? "";
  // An exact window (Unix seconds) from the dashboard's drill-down; the day fields, when set, take over.
  const windowGte = unixSecondsParam(search.get("created_gte"));
  const windowLt = unixSecondsParam(search.get("created_lt"));
  const [cursor, setCursor] = useState<Cursor>({});
  const payments = useAsync(
    () =>
      api.get<ListPage<Payment>>("/v1/payments", {
        status,
        method,
        "created[gte]": localDayStartSeconds(from) ?? windowGte,
        // "Until" names a whole day: the window ends where the next day starts.
        "created[lt]": localDayStartSeconds(until, 1) ?? windowLt,
        store,
        till,
        limit: 20,
        ...cursor,
      }),
    [status, method, from, until, windowGte, windowLt, store, till, cursor],
  );
  const stores = useAsync(() => api.get<ListPage<{ id: string; name: string }>>("/v1/stores", { limit: 100 }), []);
  const tills = useAsync(
    () =>
      store
        ? api.get<ListPage<{ id: string; name: string }>>(`/v1/stores/${encodeURIComponent(store)}/tills`, {
            limit: 100,
          })
        : Promise.resolve(undefined),
    [store],
  );
  const setFilters = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setCursor({});
    const query = next.toString();
    navigate(query ? `/payments?${query}` : "/payments", { replace: true });
  };
  const setFilter = (name: string, value: string) => setFilters({ [name]: value });
  return (
    <>
      <h1>{t("payments.title")}</h1>
      <search className="form-row" aria-label={t("payments.filters")}>
        <SelectField label={t("payments.status")} value={status} onChange={(e) => setFilter("status", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}` as keyof typeof en)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("payments.method")} value={method} onChange={(e) => setFilter("method", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {methods.map((m) => (
            <option key={m} value={m}>
              {t(`method.${m}` as keyof typeof en)}
            </option>
          ))}
        </SelectField>
        {stores.data && stores.data.data.length > 0 ? (
          <SelectField
            label={t("payments.store")}
            value={store}
            onChange={(e) => setFilters({ store: e.target.value, till: "" })}
          >
            <option value="">{t("common.all")}</option>
            {stores.data.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {store && tills.data ? (
          <SelectField label={t("payments.till")} value={till} onChange={(e) => setFilter("till", e.target.value)}>
            <option value="">{t("common.all")}</option>
            {tills.data.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        <DateRangeField label={t("payments.created")} from={from} until={until} onChange={setFilters} />
      </search>
      {(windowGte !== undefined || windowLt !== undefined) && !from && !until ? (
        <p className="filter-window" role="status">
          {t("payments.window", { from: format.date(windowGte), until: format.date(windowLt) })}{" "}
          <Button variant="link" onClick={() => setFilters({ created_gte: "", created_lt: "" })}>
            {t("payments.clearWindow")}
          </Button>
        </p>
      ) : null}
      {payments.status === "loading" ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={payments.error} />
      {payments.data ? (
        <DataTable
          rows={payments.data.data}
          rowKey={(p) => p.id}
          caption={t("payments.title")}
          empty={
            <PaymentsEmpty
              filtered={Boolean(status || method || from || until || store || till || windowGte || windowLt)}
              onClear={() => {
                setCursor({});
                navigate("/payments", { replace: true });
              }}
            />
          }
          columns={[
            {
              header: t("payments.amount"),
              className: "amount",
              render: (p) => (
                // The name holds the amount it shows, so speech input finds the link by what is on screen.
                <Link
                  to={`/payments/${p.id}`}
                  aria-label={t("payments.open", { id: p.id, amount: format.money(p.amount, p.currency) })}
                >
                  {format.money(p.amount, p.currency)}
                </Link>
              ),
            },
            { header: t("payments.status"), render: (p) => <PaymentStatusBadge payment={p} /> },
            { header: t("payments.method"), render: (p) => t(`method.${p.method}` as keyof typeof en) },
            { header: t("payments.description"), render: (p) => p.description ?? "—" },
            { header: t("payments.created"), render: (p) => format.date(p.created) },
          ]}
        />
      ) : null}
      <Pager page={payments.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}

function RefundForm({ payment, onRefunded }: { payment: Payment; onRefunded(): void }) {
  const { t } = useT();
  const format = useFormat();
  const refundable = BigInt(payment.amount_received) - BigInt(payment.amount_refunded);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState<(typeof refundReasons)[number]>("requested_by_customer");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [done, setDone] = useState<Refund | null>(null);
  const refund = useAction(async (minor: string | undefined) => {
    const created = await api.post<Refund>("/v1/refunds", {
      payment: payment.id,
      ...(minor ? { amount: minor } : {}),
      reason,
    });
    setDone(created);
    setAmount("");
    onRefunded();
  });
  if (refundable <= 0n) return <p className="field-hint">{t("refund.nothingLeft")}</p>;
  const submit = () => {
    setDone(null);
    if (amount.trim() === "") {
      setAmountError(null);
      refund.run(undefined);
      return;
    }
    const parsed = parseMoney(amount, payment.currency);
    if (!parsed.ok) {
      setAmountError(t(`money.${parsed.reason}` as keyof typeof en));
      return;
    }
    if (BigInt(parsed.minor) > refundable) {
      setAmountError(t("refund.tooMuch", { max: format.money(refundable.toString(), payment.currency) }));
      return;
    }
    setAmountError(null);
    refund.run(parsed.minor);
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      noValidate
    >
      <p className="field-hint">
        {t("refund.refundable", { amount: format.money(refundable.toString(), payment.currency) })}
      </p>
      <div className="form-row">
        <TextField
          label={t("refund.amount", { currency: payment.currency })}
          inputMode="decimal"
          hint={t("refund.amountHint")}
          value={amount}
          error={amountError}
          onChange={(e) => setAmount(e.target.value)}
        />
        <SelectField
          label={t("refund.reason")}
          value={reason}
          onChange={(e) => setReason(e.target.value as (typeof refundReasons)[number])}
        >
          {refundReasons.map((r) => (
            <option key={r} value={r}>
              {t(`reason.${r}` as keyof typeof en)}
            </option>
          ))}
        </SelectField>
      </div>
      <ConsoleError error={refund.error} />
      {done ? (
        <Alert kind="success">{t("refund.created", { amount: format.money(done.amount, done.currency) })}</Alert>
      ) : null}
      <Button type="submit" pending={refund.pending}>
        {t("refund.submit")}
      </Button>
    </form>
  );
}

export function PaymentDetailPage({ id }: { id: string }) {
  const { t } = useT();
  const format = useFormat();
  const me = useMe();
  const payment = useAsync(() => api.get<Payment>(`/v1/payments/${encodeURIComponent(id)}`), [id]);
  const timeline = useAsync(
    () => api.get<ListPage<CofferEvent>>("/v1/events", { related_object: id, limit: 100 }),
    [id],
  );
  const refunds = useAsync(() => api.get<ListPage<Refund>>("/v1/refunds", { payment: id, limit: 100 }), [id]);
  const reloadAll = () => {
    payment.reload();
    timeline.reload();
    refunds.reload();
  };
  const p = payment.data;
  const tillId = p?.till ?? null;
  const till = useAsync(
    () =>
      tillId
        ? api.get<{ id: string; name: string; store: string }>(`/v1/tills/${encodeURIComponent(tillId)}`)
        : Promise.resolve(null),
    [tillId],
  );
  return (
    <>
      <p>
        <Link to="/payments">{t("payments.back")}</Link>
      </p>
      <h1>
        {t("payments.detailTitle")} <code>{id}</code>
      </h1>
      {payment.status === "loading" && !p ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={payment.error} />
      {p ? (
        <>
          <Card
            title={<span className="big-amount">{format.money(p.amount, p.currency)}</span>}
            actions={<PaymentStatusBadge payment={p} />}
          >
            <DefinitionList
              items={[
                [t("payments.method"), t(`method.${p.method}` as keyof typeof en)],
                [t("payments.description"), p.description ?? "—"],
                // A discount (docs/coupons.md): what was asked for, and what was taken off and by whom.
                ...(p.discounts?.[0]
                  ? ([
                      [t("payments.subtotal"), format.money(p.amount_subtotal ?? p.amount, p.currency)],
                      [
                        t("payments.discount"),
                        // A platform coupon is the platform's own: it pays the discount, and has no page here.
                        p.discounts[0].funded_by === "platform" ? (
                          t("payments.discountPlatform", { amount: format.money(p.discounts[0].amount, p.currency) })
                        ) : (
                          <Link key="discount" to={`/promotions/coupons/${encodeURIComponent(p.discounts[0].coupon)}`}>
                            {format.money(p.discounts[0].amount, p.currency)}
                          </Link>
                        ),
                      ],
                    ] as [string, ReactNode][])
                  : []),
                [t("payments.received"), format.money(p.amount_received, p.currency)],
                [t("payments.refunded"), format.money(p.amount_refunded, p.currency)],
                [t("payments.fee"), format.money(p.fee, p.currency)],
                [t("payments.created"), format.date(p.created)],
                [t("payments.paidAt"), format.date(p.paid_at)],
                // A failure reason only where there is one: a successful payment has no "Failure —" row.
                ...(p.failure_message ? [[t("payments.failure"), p.failure_message] as [string, string]] : []),
                ...(p.till && p.store
                  ? [
                      [
                        t("payments.till"),
                        <Link
                          key="till"
                          to={`/payments?store=${encodeURIComponent(p.store)}&till=${encodeURIComponent(p.till)}`}
                        >
                          {till.data?.name ?? p.till}
                        </Link>,
                      ] as [string, ReactNode],
                    ]
                  : []),
              ]}
            />
          </Card>
          <CryptoPaymentSection payment={p} onChanged={reloadAll} />
          {canWrite(me) && p.status === "succeeded" && !refundsOnChainOnly(p) ? (
            <Card title={t("refund.title")} actions={<HelpButton slug="refunds" />}>
              <RefundForm payment={p} onRefunded={reloadAll} />
            </Card>
          ) : null}
          <PaymentExtras payment={p} onChanged={reloadAll} />
        </>
      ) : null}
      <Card title={t("refund.listTitle")}>
        {refunds.status === "loading" && !refunds.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={refunds.error} />
        {refunds.data && refunds.data.data.length === 0 ? (
          <Empty compact icon={Undo2} title={t("refund.none")}>
            {t("refund.noneText")}
          </Empty>
        ) : null}
        {refunds.data && refunds.data.data.length > 0 ? (
          <ul aria-label={t("refund.listTitle")} className="plain-list">
            {refunds.data.data.map((r) => (
              <li key={r.id}>
                {format.money(r.amount, r.currency)} <StatusBadge status={r.status} /> ·{" "}
                {t(`reason.${r.reason}` as keyof typeof en)} · {format.date(r.created)}
              </li>
            ))}
          </ul>
        ) : null}
      </Card>
      <Card title={t("payments.timeline")}>
        {timeline.status === "loading" && !timeline.data ? <Spinner label={t("common.loading")} /> : null}
        <ConsoleError error={timeline.error} />
        {timeline.data && timeline.data.data.length === 0 ? (
          <Empty compact icon={Clock} title={t("payments.noEvents")}>
            {t("payments.noEventsText")}
          </Empty>
        ) : null}
        {timeline.data && timeline.data.data.length > 0 ? (
          <ol className="timeline" aria-label={t("payments.timeline")}>
            {[...timeline.data.data].reverse().map((event) => (
              <li key={event.id}>
                <strong>{eventLabel(t, event.type)}</strong>
                <div className="field-hint">
                  <code>{event.type}</code> · {format.date(event.created)}
                </div>
              </li>
            ))}
          </ol>
        ) : null}
      </Card>
    </>
  );
}

function eventLabel(t: ReturnType<typeof useT>["t"], type: string): string {
  const key = `event.${type}` as keyof typeof en;
  const label = t(key);
  return label === key ? type : label;
}
