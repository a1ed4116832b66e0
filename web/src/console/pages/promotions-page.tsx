import { useState } from "react";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { parseMoney } from "../../shared/money";
import { parsePercent, percentText } from "../../shared/percent";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ActionForm, ConfirmButton, ConsoleError, type Cursor, LoadedTable, Pager, useFormat } from "../common";
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

/** "" → undefined; a whole number above zero → it; anything else → NaN (the form says so). */
function optionalCount(text: string): number | undefined {
  if (!text.trim()) return undefined;
  return /^\d+$/.test(text.trim()) && Number(text.trim()) > 0 ? Number(text.trim()) : Number.NaN;
}

/** "" → undefined; an amount → its minor units; anything else → null (the form says so). */
function optionalMoney(text: string, currency: string): string | undefined | null {
  if (!text.trim()) return undefined;
  const parsed = parseMoney(text, currency);
  return parsed.ok ? parsed.minor : null;
}

/** The end of a local day ("2027-01-31") in Unix seconds. */
function endOfLocalDay(day: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return Math.floor(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000) - 1;
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
          <Button onClick={() => setCreating(true)}>{t("coupons.new")}</Button>
        </p>
      ) : null}
      {creating ? <NewCoupon onClose={() => setCreating(false)} /> : null}
      <LoadedTable
        state={coupons}
        rows={(page) => page.data}
        rowKey={(coupon) => coupon.id}
        caption={t("coupons.title")}
        empty={t("coupons.empty")}
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

function NewCoupon({ onClose }: { onClose(): void }) {
  const { t } = usePromotionT();
  const common = useT().t;
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [kind, setKind] = useState<"amount" | "percent">("percent");
  const [value, setValue] = useState("");
  const [minAmount, setMinAmount] = useState("");
  const [maxRedemptions, setMaxRedemptions] = useState("");
  const [perPayer, setPerPayer] = useState("");
  const [budget, setBudget] = useState("");
  const [validUntil, setValidUntil] = useState("");
  const [firstTime, setFirstTime] = useState(false);
  const [code, setCode] = useState("");
  const [invalid, setInvalid] = useState<Record<string, string | undefined>>({});
  const create = useAction(async () => {
    const amountOff = kind === "amount" ? optionalMoney(value, currency) : undefined;
    const percent = kind === "percent" ? parsePercent(value) : undefined;
    const min = optionalMoney(minAmount, currency);
    const total = optionalCount(maxRedemptions);
    const each = optionalCount(perPayer);
    const budgetMinor = optionalMoney(budget, currency);
    const problems = {
      name: name.trim() ? undefined : t("form.invalid.name"),
      value:
        kind === "amount"
          ? amountOff
            ? undefined
            : t("form.invalid.amount")
          : percent
            ? undefined
            : t("form.invalid.percent"),
      minAmount: min === null ? t("form.invalid.amount") : undefined,
      maxRedemptions: Number.isNaN(total) ? t("form.invalid.count") : undefined,
      perPayer: Number.isNaN(each) ? t("form.invalid.count") : undefined,
      budget: budgetMinor === null ? t("form.invalid.amount") : undefined,
    };
    setInvalid(problems);
    if (Object.values(problems).some(Boolean)) return;
    const until = validUntil ? endOfLocalDay(validUntil) : undefined;
    const created = await api.post<Coupon>("/v1/coupons", {
      name: name.trim(),
      currency,
      ...(kind === "amount" ? { amount_off: amountOff } : { percent_off_bps: percent }),
      ...(min ? { min_amount: min } : {}),
      ...(total ? { max_redemptions: total } : {}),
      ...(each ? { max_redemptions_per_payer: each } : {}),
      ...(budgetMinor ? { budget: budgetMinor } : {}),
      ...(until ? { valid_until: until } : {}),
      ...(firstTime ? { first_time_payers_only: true } : {}),
    });
    if (code.trim()) await api.post("/v1/promotion_codes", { coupon: created.id, code: code.trim() });
    navigate(`/promotions/coupons/${encodeURIComponent(created.id)}`);
  });
  return (
    <Card title={t("form.title")}>
      <ActionForm action={{ ...create, error: null }} submitLabel={t("form.create")}>
        <TextField
          label={t("form.name")}
          hint={t("form.nameHint")}
          value={name}
          maxLength={100}
          error={invalid.name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="form-row">
          <TextField
            label={t("form.currency")}
            value={currency}
            maxLength={10}
            onChange={(event) => setCurrency(event.target.value.toUpperCase())}
          />
          <SelectField
            label={t("form.kind")}
            value={kind}
            onChange={(event) => setKind(event.target.value as "amount" | "percent")}
          >
            <option value="percent">{t("form.kind.percent")}</option>
            <option value="amount">{t("form.kind.amount")}</option>
          </SelectField>
          <TextField
            label={kind === "amount" ? t("form.amount", { currency }) : t("form.percent")}
            hint={kind === "percent" ? t("form.percentHint") : undefined}
            inputMode="decimal"
            value={value}
            error={invalid.value}
            onChange={(event) => setValue(event.target.value)}
          />
        </div>
        <div className="form-row">
          <TextField
            label={t("form.minAmount", { currency })}
            inputMode="decimal"
            value={minAmount}
            error={invalid.minAmount}
            onChange={(event) => setMinAmount(event.target.value)}
          />
          <TextField
            label={t("form.budget", { currency })}
            inputMode="decimal"
            value={budget}
            error={invalid.budget}
            onChange={(event) => setBudget(event.target.value)}
          />
        </div>
        <div className="form-row">
          <TextField
            label={t("form.maxRedemptions")}
            inputMode="numeric"
            value={maxRedemptions}
            error={invalid.maxRedemptions}
            onChange={(event) => setMaxRedemptions(event.target.value)}
          />
          <TextField
            label={t("form.perPayer")}
            inputMode="numeric"
            value={perPayer}
            error={invalid.perPayer}
            onChange={(event) => setPerPayer(event.target.value)}
          />
          <TextField
            label={t("form.validUntil")}
            type="date"
            value={validUntil}
            onChange={(event) => setValidUntil(event.target.value)}
          />
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={firstTime} onChange={(event) => setFirstTime(event.target.checked)} />{" "}
            {t("form.firstTime")}
          </label>
          <p className="field-hint">{t("form.firstTimeHint")}</p>
        </div>
        <TextField
          label={t("form.code")}
          hint={t("form.codeHint")}
          value={code}
          maxLength={40}
          autoCapitalize="characters"
          spellCheck={false}
          onChange={(event) => setCode(event.target.value)}
        />
        <PromotionError error={create.error} />
      </ActionForm>
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

function Codes({ coupon }: { coupon: Coupon }) {
  const { t } = usePromotionT();
  const format = useFormat();
  const me = useMe();
  const [code, setCode] = useState("");
  const [max, setMax] = useState("");
  const [expires, setExpires] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  const codes = useAsync(
    () => api.get<ListPage<PromotionCode>>("/v1/promotion_codes", { coupon: coupon.id, limit: 100 }),
    [coupon.id],
  );
  const add = useAction(async () => {
    const uses = optionalCount(max);
    setInvalid(Number.isNaN(uses) ? t("form.invalid.count") : undefined);
    if (Number.isNaN(uses)) return;
    const expiresAt = expires ? endOfLocalDay(expires) : undefined;
    await api.post("/v1/promotion_codes", {
      coupon: coupon.id,
      ...(code.trim() ? { code: code.trim() } : {}),
      ...(uses ? { max_redemptions: uses } : {}),
      ...(expiresAt ? { expires_at: expiresAt } : {}),
    });
    setCode("");
    setMax("");
    setExpires("");
    codes.reload();
  });
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
        empty={t("coupon.codesEmpty")}
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
        <ActionForm action={{ ...add, error: null }} submitLabel={t("coupon.addCode")}>
          <h3>{t("coupon.newCode")}</h3>
          <div className="form-row">
            <TextField
              label={t("coupon.code")}
              hint={t("coupon.codeHint")}
              value={code}
              maxLength={40}
              autoCapitalize="characters"
              spellCheck={false}
              onChange={(event) => setCode(event.target.value)}
            />
            <TextField
              label={t("coupon.codeMax")}
              inputMode="numeric"
              value={max}
              error={invalid}
              onChange={(event) => setMax(event.target.value)}
            />
            <TextField
              label={t("coupon.codeExpires")}
              type="date"
              value={expires}
              onChange={(event) => setExpires(event.target.value)}
            />
          </div>
          <PromotionError error={add.error} />
        </ActionForm>
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
        empty={t("coupon.redemptionsEmpty")}
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
          <Button onClick={() => setCreating(true)}>{t("cashback.new")}</Button>
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
        empty={t("cashback.empty")}
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
