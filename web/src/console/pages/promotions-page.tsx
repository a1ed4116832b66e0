import { Coins, Plus, TicketPercent } from "lucide-react";
import { useCallback, useState } from "react";
import { useWatch } from "react-hook-form";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { DateFormField } from "../../shared/date-form-field";
import {
  allRules,
  apiLimits,
  CheckboxInput,
  endOfLocalDay,
  Field,
  minorOf,
  type Rules,
  SelectInput,
  upperCase,
  useApiForm,
  useRecheckOn,
  useRules,
  wholeOf,
} from "../../shared/form";
import { parseMoney } from "../../shared/money";
import { parsePercent, percentText } from "../../shared/percent";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import {
  ActionForm,
  ConfirmButton,
  ConsoleError,
  type Cursor,
  LoadedTable,
  Pager,
  useConsoleDescribe,
  useFormat,
} from "../common";
import { useT } from "../messages";
import { canWrite, useMe } from "../session";
import { type PromotionMessageKey, usePromotionT } from "./promotions-messages";

/**
 * Promotions (docs/coupons.md): the merchant's coupons with their promotion codes and the payments that used them,
 * and its cashback rules. Loaded on demand (./promotions.tsx).
 */
interface Coupon {
  id: string;
  funded_by: "merchant" | "platform";
  name: string;
  currency: string;
  amount_off: string | null;
  percent_off_bps: number | null;
  min_amount: string | null;
  valid_until: number | null;
  max_redemptions: number | null;
  max_redemptions_per_payer: number | null;
  budget: string | null;
  first_time_payers_only: boolean;
  times_redeemed: number;
  amount_redeemed: string;
  active: boolean;
  created: number;
}

interface PromotionCode {
  id: string;
  code: string;
  coupon: Coupon;
  max_redemptions: number | null;
  times_redeemed: number;
  expires_at: number | null;
  active: boolean;
}

interface Redemption {
  id: string;
  payment: string;
  status: "reserved" | "redeemed" | "released" | "returned";
  applied_by: "merchant" | "payer";
  currency: string;
  amount: string;
  created: number;
}

interface CashbackRule {
  id: string;
  name: string;
  currency: string;
  percent_bps: number;
  max_per_payment: string | null;
  max_per_payer_per_month: string | null;
  budget: string;
  amount_credited: string;
  active: boolean;
}

/** "" → undefined; an amount → its minor units; anything else → null (the form says so). */
function optionalMoney(text: string, currency: string): string | undefined | null {
  if (!text.trim()) return undefined;
  const parsed = parseMoney(text, currency);
  return parsed.ok ? parsed.minor : null;
}

function PromotionError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = usePromotionT();
  if (!error) return null;
  const key = `error.${error.code}` as PromotionMessageKey;
  const known = t(key);
  if (known === key) return <ConsoleError error={error} />;
  return (
    <Alert kind="error">
      {known} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

function ActiveBadge({ active }: { active: boolean }) {
  const { t } = usePromotionT();
  return active ? <Badge tone="good">{t("promo.active")}</Badge> : <Badge tone="neutral">{t("promo.inactive")}</Badge>;
}

function useDiscountText() {
  const { t } = usePromotionT();
  const format = useFormat();
  return (coupon: Coupon) =>
    coupon.percent_off_bps !== null
      ? t("coupons.percentOff", { percent: percentText(coupon.percent_off_bps) })
      : t("coupons.amountOff", { amount: format.money(coupon.amount_off ?? "0", coupon.currency) });
}

export function PromotionsPage() {
  const { t } = usePromotionT();
  return (
    <>
      <h1>{t("promo.title")}</h1>
      <p>{t("promo.intro")}</p>
      <CouponsSection />
      <CashbackSection />
    </>
  );
}

function CouponsSection() {
  const { t } = usePromotionT();
  const format = useFormat();
  const me = useMe();
  const discountText = useDiscountText();
  const [cursor, setCursor] = useState<Cursor>({});
  const [creating, setCreating] = useState(false);
  const coupons = useAsync(() => api.get<ListPage<Coupon>>("/v1/coupons", { limit: 20, ...cursor }), [cursor]);
  return (
    <section aria-labelledby="coupons-heading">
      <h2 id="coupons-heading">{t("coupons.title")}</h2>
      {canWrite(me) && !creating ? (
        <p>
          <Button icon={Plus} onClick={() => setCreating(true)}>
            {t("coupons.new")}
          </Button>
        </p>
      ) : null}
      {creating ? <NewCoupon onClose={() => setCreating(false)} /> : null}
      <LoadedTable
        state={coupons}
        rows={(page) => page.data}
        rowKey={(coupon) => coupon.id}
        caption={t("coupons.title")}
        empty={
          <Empty
            icon={TicketPercent}
            title={t("coupons.empty")}
            action={
              canWrite(me) && !creating ? (
                <Button icon={Plus} onClick={() => setCreating(true)}>
                  {t("coupons.createFirst")}
                </Button>
              ) : undefined
            }
          >
            {t("coupons.emptyText")}
          </Empty>
        }
        columns={[
          {
            header: t("coupons.col.name"),
            render: (coupon) => <Link to={`/promotions/coupons/${encodeURIComponent(coupon.id)}`}>{coupon.name}</Link>,
          },
          { header: t("coupons.col.discount"), render: discountText },
          {
            header: t("coupons.col.redeemed"),
            render: (coupon) =>
              coupon.max_redemptions === null
                ? String(coupon.times_redeemed)
                : t("coupons.usedOf", { used: coupon.times_redeemed, max: coupon.max_redemptions }),
          },
          {
            header: t("coupons.col.budget"),
            className: "amount",
            render: (coupon) =>
              coupon.budget === null
                ? format.money(coupon.amount_redeemed, coupon.currency)
                : t("coupons.usedOf", {
                    used: format.money(coupon.amount_redeemed, coupon.currency),
                    max: format.money(coupon.budget, coupon.currency),
                  }),
          },
          { header: t("coupons.col.status"), render: (coupon) => <ActiveBadge active={coupon.active} /> },
          { header: t("coupons.col.created"), render: (coupon) => format.date(coupon.created) },
        ]}
      />
      <Pager page={coupons.data} cursor={cursor} onChange={setCursor} />
    </section>
  );
}

interface CouponFields {
  name: string;
  currency: string;
  kind: "amount" | "percent";
  value: string;
  min_amount: string;
  budget: string;
  max_redemptions: string;
  max_redemptions_per_payer: string;
  valid_until: string;
  first_time_payers_only: boolean;
  code: string;
}

const newCouponFields: CouponFields = {
  name: "",
  currency: "USD",
  kind: "percent",
  value: "",
  min_amount: "",
  budget: "",
  max_redemptions: "",
  max_redemptions_per_payer: "",
  valid_until: "",
  first_time_payers_only: false,
  code: "",
};

/** The discount's field takes either API param. */
const couponParams = { amount_off: "value", percent_off_bps: "value" } as const;

/** A refusal in the reader's words: the Promotions texts know the promotion codes, the console's the rest. */
function usePromotionDescribe() {
  const { t } = usePromotionT();
  const common = useConsoleDescribe();
  return useCallback(
    (error: ApiRequestError) => {
      const key = `error.${error.code}` as PromotionMessageKey;
      const known = t(key);
      return known === key ? common(error) : known;
    },
    [t, common],
  );
}

function couponBody(values: CouponFields) {
  const { currency } = values;
  const amountOff = values.kind === "amount" ? minorOf(values.value, currency) : undefined;
  const optional = {
    min_amount: minorOf(values.min_amount, currency),
    budget: minorOf(values.budget, currency),
    max_redemptions: wholeOf(values.max_redemptions),
    max_redemptions_per_payer: wholeOf(values.max_redemptions_per_payer),
    valid_until: endOfLocalDay(values.valid_until),
    first_time_payers_only: values.first_time_payers_only || undefined,
  };
  return {
    name: values.name.trim(),
    currency,
    ...(amountOff ? { amount_off: amountOff } : { percent_off_bps: parsePercent(values.value) }),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function NewCoupon({ onClose }: { onClose(): void }) {
  const { t } = usePromotionT();
  const common = useT().t;
  const rules = useRules();
  const form = useApiForm({ defaultValues: newCouponFields, describe: usePromotionDescribe(), params: couponParams });
  const [kind, currency] = useWatch({ control: form.control, name: ["kind", "currency"] });
  useRecheckOn(form, `${kind} ${currency}`, ["value", "min_amount", "budget"]);
  // A coupon made by an earlier press whose code was refused: pressing again adds only the code.
  const [made, setMade] = useState<Coupon | null>(null);
  const send = async (values: CouponFields) => {
    const coupon = made ?? (await api.post<Coupon>("/v1/coupons", couponBody(values)));
    setMade(coupon);
    const code = values.code.trim();
    if (code) await api.post("/v1/promotion_codes", { coupon: coupon.id, code });
    navigate(`/promotions/coupons/${encodeURIComponent(coupon.id)}`);
  };
  const amountRules = (versus?: Parameters<Rules["amountVersus"]>[2]) =>
    allRules(
      rules.amount("currency", { optional: true }),
      kind === "amount" && versus ? rules.amountVersus("value", "currency", versus) : {},
    );
  return (
    <Card title={t("form.title")}>
      <form {...form.formProps} onSubmit={form.submitWith(send)}>
        <Field
          form={form}
          name="name"
          label={t("form.name")}
          hint={t("form.nameHint")}
          rules={allRules(rules.required(), rules.maxLength(apiLimits.couponNameCharsMax))}
        />
        <div className="form-row">
          <Field form={form} name="currency" label={t("form.currency")} rules={rules.currency()} onInput={upperCase} />
          <SelectInput form={form} name="kind" label={t("form.kind")}>
            <option value="percent">{t("form.kind.percent")}</option>
            <option value="amount">{t("form.kind.amount")}</option>
          </SelectInput>
          <Field
            form={form}
            name="value"
            label={kind === "amount" ? t("form.amount", { currency }) : t("form.percent")}
            hint={kind === "percent" ? t("form.percentHint") : undefined}
            inputMode="decimal"
            rules={kind === "amount" ? rules.amount("currency") : rules.percent()}
          />
        </div>
        <div className="form-row">
          <Field
            form={form}
            name="min_amount"
            label={t("form.minAmount", { currency })}
            inputMode="decimal"
            rules={amountRules({ strictlyAbove: true, message: "rule.amount.notAboveDiscount" })}
          />
          <Field
            form={form}
            name="budget"
            label={t("form.budget", { currency })}
            inputMode="decimal"
            rules={amountRules({ strictlyAbove: false, message: "rule.amount.belowDiscount" })}
          />
        </div>
        <div className="form-row">
          <Field
            form={form}
            name="max_redemptions"
            label={t("form.maxRedemptions")}
            inputMode="numeric"
            rules={rules.whole(1, apiLimits.countMax)}
          />
          <Field
            form={form}
            name="max_redemptions_per_payer"
            label={t("form.perPayer")}
            inputMode="numeric"
            rules={rules.whole(1, apiLimits.countMax)}
          />
          <DateFormField form={form} name="valid_until" label={t("form.validUntil")} rules={rules.futureDay()} />
        </div>
        <CheckboxInput
          form={form}
          name="first_time_payers_only"
          label={t("form.firstTime")}
          hint={t("form.firstTimeHint")}
        />
        <Field
          form={form}
          name="code"
          label={t("form.code")}
          hint={t("form.codeHint")}
          autoCapitalize="characters"
          spellCheck={false}
          rules={rules.promotionCode()}
        />
        {made ? <Alert kind="info">{t("form.couponMade", { name: made.name })}</Alert> : null}
        <PromotionError error={form.error} />
        <Button type="submit" pending={form.pending}>
          {t("form.create")}
        </Button>
      </form>
      <Button variant="link" onClick={onClose}>
        {common("common.cancel")}
      </Button>
    </Card>
  );
}

export function CouponPage({ id }: { id: string }) {
  const { t } = usePromotionT();
  const format = useFormat();
  const me = useMe();
  const discountText = useDiscountText();
  const coupon = useAsync(() => api.get<Coupon>(`/v1/coupons/${encodeURIComponent(id)}`), [id]);
  const deactivate = useAction(async () => {
    await api.post(`/v1/coupons/${encodeURIComponent(id)}/deactivate`, {});
    coupon.reload();
  });
  const c = coupon.data;
  return (
    <>
      <p>
        <Link to="/promotions">{t("coupon.back")}</Link>
      </p>
      <h1>{c ? t("coupon.heading", { name: c.name }) : t("coupons.title")}</h1>
      <ConsoleError error={coupon.error} />
      {c ? (
        <>
          <Card title={t("coupon.terms")}>
            <DefinitionList
              items={[
                [t("coupon.discount"), discountText(c)],
                [t("coupon.currency"), c.currency],
                [t("coupon.minAmount"), c.min_amount ? format.money(c.min_amount, c.currency) : t("promo.none")],
                [t("coupon.validUntil"), c.valid_until ? format.date(c.valid_until) : t("coupon.unlimited")],
                [t("coupon.maxRedemptions"), c.max_redemptions ?? t("coupon.unlimited")],
                [t("coupon.perPayer"), c.max_redemptions_per_payer ?? t("coupon.unlimited")],
                [t("coupon.budget"), c.budget ? format.money(c.budget, c.currency) : t("coupon.unlimited")],
                [t("coupon.firstTime"), c.first_time_payers_only ? t("promo.yes") : t("promo.no")],
                [t("coupon.redeemed"), String(c.times_redeemed)],
                [t("coupon.amountRedeemed"), format.money(c.amount_redeemed, c.currency)],
                [t("coupon.status"), <ActiveBadge key="status" active={c.active} />],
              ]}
            />
            {c.active && canWrite(me) ? (
              <ConfirmButton
                label={t("coupon.deactivate")}
                confirmLabel={t("coupon.deactivateConfirm")}
                pending={deactivate.pending}
                onConfirm={() => deactivate.run()}
              />
            ) : null}
            {c.active ? null : <Alert kind="info">{t("coupon.deactivated")}</Alert>}
            <PromotionError error={deactivate.error} />
          </Card>
          <Codes coupon={c} />
          <Redemptions coupon={c} />
        </>
      ) : null}
    </>
  );
}

interface CodeFields {
  code: string;
  max_redemptions: string;
  expires_at: string;
}

const newCodeFields: CodeFields = { code: "", max_redemptions: "", expires_at: "" };

function Codes({ coupon }: { coupon: Coupon }) {
  const { t } = usePromotionT();
  const format = useFormat();
  const me = useMe();
  const rules = useRules();
  const codes = useAsync(
    () => api.get<ListPage<PromotionCode>>("/v1/promotion_codes", { coupon: coupon.id, limit: 100 }),
    [coupon.id],
  );
  const add = useApiForm({ defaultValues: newCodeFields, describe: usePromotionDescribe() });
  const send = async (values: CodeFields) => {
    const optional = {
      code: values.code.trim() || undefined,
      max_redemptions: wholeOf(values.max_redemptions),
      expires_at: endOfLocalDay(values.expires_at),
    };
    await api.post("/v1/promotion_codes", {
      coupon: coupon.id,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    });
    add.reset();
    codes.reload();
  };
  const end = useAction(async (id: string) => {
    await api.post(`/v1/promotion_codes/${encodeURIComponent(id)}/deactivate`, {});
    codes.reload();
  });
  return (
    <Card title={t("coupon.codes")}>
      <LoadedTable
        state={codes}
        rows={(page) => page.data}
        rowKey={(row) => row.id}
        caption={t("coupon.codes")}
        empty={
          <Empty compact icon={TicketPercent} title={t("coupon.codesEmpty")}>
            {t("coupon.codesEmptyText")}
          </Empty>
        }
        columns={[
          { header: t("coupon.col.code"), render: (row) => <code>{row.code}</code> },
          {
            header: t("coupon.col.used"),
            render: (row) =>
              row.max_redemptions === null
                ? String(row.times_redeemed)
                : t("coupons.usedOf", { used: row.times_redeemed, max: row.max_redemptions }),
          },
          { header: t("coupon.col.expires"), render: (row) => (row.expires_at ? format.date(row.expires_at) : "—") },
          { header: t("coupon.col.status"), render: (row) => <ActiveBadge active={row.active} /> },
          {
            header: "",
            render: (row) =>
              row.active && canWrite(me) ? (
                <ConfirmButton
                  label={t("coupon.codeDeactivate")}
                  confirmLabel={t("coupon.codeDeactivateConfirm", { code: row.code })}
                  pending={end.pending}
                  onConfirm={() => end.run(row.id)}
                />
              ) : null,
          },
        ]}
      />
      <PromotionError error={end.error} />
      {coupon.active && canWrite(me) ? (
        <form {...add.formProps} onSubmit={add.submitWith(send)}>
          <h3>{t("coupon.newCode")}</h3>
          <div className="form-row">
            <Field
              form={add}
              name="code"
              label={t("coupon.code")}
              hint={t("coupon.codeHint")}
              autoCapitalize="characters"
              spellCheck={false}
              rules={rules.promotionCode()}
            />
            <Field
              form={add}
              name="max_redemptions"
              label={t("coupon.codeMax")}
              inputMode="numeric"
              rules={rules.whole(1, apiLimits.countMax)}
            />
            <DateFormField form={add} name="expires_at" label={t("coupon.codeExpires")} rules={rules.futureDay()} />
          </div>
          <PromotionError error={add.error} />
          <Button type="submit" pending={add.pending}>
            {t("coupon.addCode")}
          </Button>
        </form>
      ) : null}
    </Card>
  );
}

function Redemptions({ coupon }: { coupon: Coupon }) {
  const { t } = usePromotionT();
  const format = useFormat();
  const [cursor, setCursor] = useState<Cursor>({});
  const redemptions = useAsync(
    () =>
      api.get<ListPage<Redemption>>(`/v1/coupons/${encodeURIComponent(coupon.id)}/redemptions`, {
        limit: 20,
        ...cursor,
      }),
    [coupon.id, cursor],
  );
  return (
    <Card title={t("coupon.redemptions")}>
      <LoadedTable
        state={redemptions}
        rows={(page) => page.data}
        rowKey={(row) => row.id}
        caption={t("coupon.redemptions")}
        empty={
          <Empty compact icon={TicketPercent} title={t("coupon.redemptionsEmpty")}>
            {t("coupon.redemptionsEmptyText")}
          </Empty>
        }
        columns={[
          {
            header: t("coupon.col.payment"),
            render: (row) => (
              <Link to={`/payments/${encodeURIComponent(row.payment)}`}>
                <code>{row.payment}</code>
              </Link>
            ),
          },
          { header: t("coupon.col.status"), render: (row) => t(`redemption.${row.status}`) },
          {
            header: t("coupon.col.amount"),
            className: "amount",
            render: (row) => format.money(row.amount, row.currency),
          },
          { header: t("coupon.col.by"), render: (row) => t(`by.${row.applied_by}`) },
          { header: t("coupon.col.when"), render: (row) => format.date(row.created) },
        ]}
      />
      <Pager page={redemptions.data} cursor={cursor} onChange={setCursor} />
    </Card>
  );
}

function CashbackSection() {
  const { t } = usePromotionT();
  const format = useFormat();
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const rules = useAsync(() => api.get<ListPage<CashbackRule>>("/v1/cashback_rules", { limit: 50 }), []);
  const end = useAction(async (id: string) => {
    await api.post(`/v1/cashback_rules/${encodeURIComponent(id)}/deactivate`, {});
    rules.reload();
  });
  return (
    <section aria-labelledby="cashback-heading">
      <h2 id="cashback-heading">{t("cashback.title")}</h2>
      {canWrite(me) && !creating ? (
        <p>
          <Button icon={Plus} onClick={() => setCreating(true)}>
            {t("cashback.new")}
          </Button>
        </p>
      ) : null}
      {creating ? (
        <NewCashbackRule
          onDone={() => {
            setCreating(false);
            rules.reload();
          }}
          onClose={() => setCreating(false)}
        />
      ) : null}
      <LoadedTable
        state={rules}
        rows={(page) => page.data}
        rowKey={(rule) => rule.id}
        caption={t("cashback.title")}
        empty={
          <Empty
            icon={Coins}
            title={t("cashback.empty")}
            action={
              canWrite(me) && !creating ? (
                <Button icon={Plus} onClick={() => setCreating(true)}>
                  {t("cashback.createFirst")}
                </Button>
              ) : undefined
            }
          >
            {t("cashback.emptyText")}
          </Empty>
        }
        error={rules.error ?? end.error}
        columns={[
          { header: t("cashback.col.name"), render: (rule) => rule.name },
          {
            header: t("cashback.col.percent"),
            render: (rule) => t("cashback.percent", { percent: percentText(rule.percent_bps) }),
          },
          {
            header: t("cashback.col.caps"),
            render: (rule) =>
              [
                rule.max_per_payment
                  ? t("cashback.perPayment", { amount: format.money(rule.max_per_payment, rule.currency) })
                  : null,
                rule.max_per_payer_per_month
                  ? t("cashback.perMonth", { amount: format.money(rule.max_per_payer_per_month, rule.currency) })
                  : null,
              ]
                .filter(Boolean)
                .join("; ") || "—",
          },
          {
            header: t("cashback.col.budget"),
            className: "amount",
            render: (rule) =>
              `${format.money(rule.amount_credited, rule.currency)} / ${format.money(rule.budget, rule.currency)}`,
          },
          { header: t("cashback.col.status"), render: (rule) => <ActiveBadge active={rule.active} /> },
          {
            header: "",
            render: (rule) =>
              rule.active && canWrite(me) ? (
                <ConfirmButton
                  label={t("cashback.deactivate")}
                  confirmLabel={t("cashback.deactivateConfirm")}
                  pending={end.pending}
                  onConfirm={() => end.run(rule.id)}
                />
              ) : null,
          },
        ]}
      />
    </section>
  );
}

function NewCashbackRule({ onDone, onClose }: { onDone(): void; onClose(): void }) {
  const { t } = usePromotionT();
  const common = useT().t;
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [percent, setPercent] = useState("");
  const [perPayment, setPerPayment] = useState("");
  const [perMonth, setPerMonth] = useState("");
  const [budget, setBudget] = useState("");
  const [invalid, setInvalid] = useState<Record<string, string | undefined>>({});
  const create = useAction(async () => {
    const bps = parsePercent(percent);
    const payment = optionalMoney(perPayment, currency);
    const month = optionalMoney(perMonth, currency);
    const total = optionalMoney(budget, currency);
    const problems = {
      name: name.trim() ? undefined : t("form.invalid.name"),
      percent: bps ? undefined : t("form.invalid.percent"),
      perPayment: payment === null ? t("form.invalid.amount") : undefined,
      perMonth: month === null ? t("form.invalid.amount") : undefined,
      budget: total ? undefined : t("form.invalid.amount"),
    };
    setInvalid(problems);
    if (Object.values(problems).some(Boolean)) return;
    await api.post("/v1/cashback_rules", {
      name: name.trim(),
      currency,
      percent_bps: bps,
      budget: total,
      ...(payment ? { max_per_payment: payment } : {}),
      ...(month ? { max_per_payer_per_month: month } : {}),
    });
    onDone();
  });
  return (
    <Card title={t("cashback.form.title")}>
      <ActionForm action={{ ...create, error: null }} submitLabel={t("cashback.form.create")}>
        <div className="form-row">
          <TextField
            label={t("form.name")}
            value={name}
            maxLength={100}
            error={invalid.name}
            onChange={(event) => setName(event.target.value)}
          />
          <TextField
            label={t("form.currency")}
            value={currency}
            maxLength={10}
            onChange={(event) => setCurrency(event.target.value.toUpperCase())}
          />
          <TextField
            label={t("cashback.form.percent")}
            hint={t("form.percentHint")}
            inputMode="decimal"
            value={percent}
            error={invalid.percent}
            onChange={(event) => setPercent(event.target.value)}
          />
        </div>
        <div className="form-row">
          <TextField
            label={t("cashback.form.perPayment", { currency })}
            inputMode="decimal"
            value={perPayment}
            error={invalid.perPayment}
            onChange={(event) => setPerPayment(event.target.value)}
          />
          <TextField
            label={t("cashback.form.perMonth", { currency })}
            inputMode="decimal"
            value={perMonth}
            error={invalid.perMonth}
            onChange={(event) => setPerMonth(event.target.value)}
          />
          <TextField
            label={t("cashback.form.budget", { currency })}
            hint={t("cashback.form.budgetHint")}
            inputMode="decimal"
            value={budget}
            error={invalid.budget}
            onChange={(event) => setBudget(event.target.value)}
          />
        </div>
        <PromotionError error={create.error} />
      </ActionForm>
      <Button variant="link" onClick={onClose}>
        {common("common.cancel")}
      </Button>
    </Card>
  );
}
