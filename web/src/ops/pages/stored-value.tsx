import { Download, WalletCards } from "lucide-react";
import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { DateField } from "../../shared/date-picker-lazy";
import { Icon } from "../../shared/icons";
import { formatMoney, parseMoney } from "../../shared/money";
import {
  Alert,
  Badge,
  Button,
  Card,
  DataTable,
  Empty,
  ErrorAlert,
  NoMatch,
  SelectField,
  statusTone,
  TextField,
} from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { Loaded, PagedTable, usePagedList, useQueryParams, When } from "../common";
import { type OpsStoredValueKey, useStoredValueT } from "./stored-value-messages";

/**
 * Prepaid cards across the platform (src/stored-value): the float per mode and currency, issuing platform cards
 * (open loop, funded from the float account), every card with a filter for the frozen ones, freeze/unfreeze, and
 * refunding breakage within the grace period after a card expired.
 */
interface OpsCard {
  id: string;
  livemode: boolean;
  kind: "gift_card" | "voucher";
  currency: string;
  balance: string;
  last4: string;
  status: "active" | "frozen" | "expired" | "closed";
  closed_loop: boolean;
  issuer: { type: "merchant" | "platform"; merchant: string | null };
  batch: string | null;
  expires_at: number | null;
  created: number;
  /** What went to breakage at expiry, when the API says. */
  breakage?: string | null;
}

/** One line of GET /v1/ops/stored_value/float. */
interface FloatLine {
  livemode: boolean;
  currency: string;
  float_balance: string;
  outstanding: string;
  breakage: string;
  cards?: number;
}

interface IssuedOne extends OpsCard {
  number: string;
  secret: string;
}

interface IssuedBatch {
  object: "stored_value_card_batch";
  id: string;
  count: number;
  cards_csv: string;
}

function OpsCardError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = useStoredValueT();
  if (!error) return null;
  const key = `error.${error.code}` as OpsStoredValueKey;
  const known = t(key);
  if (known === key) return <ErrorAlert error={error} />;
  return (
    <Alert kind="error">
      {known} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

export function StoredValuePage() {
  const { t } = useStoredValueT();
  const [issued, setIssued] = useState(0);
  return (
    <>
      <h1>{t("sv.title")}</h1>
      <p>{t("sv.intro")}</p>
      <FloatCard key={`float-${issued}`} />
      <IssueCard onIssued={() => setIssued((n) => n + 1)} />
      <CardsCard key={`cards-${issued}`} />
    </>
  );
}

function FloatCard() {
  const { t, locale } = useStoredValueT();
  const float = useAsync(() => api.get<ListPage<FloatLine>>("/v1/ops/stored_value/float"), []);
  const money = (amount: string, currency: string) => formatMoney(amount, currency, locale);
  return (
    <Card title={t("float.title")}>
      <p className="field-hint">{t("float.intro")}</p>
      <Loaded state={float}>
        {(page) => (
          <DataTable
            rows={page.data}
            rowKey={(line) => `${line.livemode}-${line.currency}`}
            caption={t("float.title")}
            empty={
              <Empty compact icon={WalletCards} title={t("float.none")}>
                {t("float.noneText")}
              </Empty>
            }
            columns={[
              { header: t("float.mode"), render: (line) => (line.livemode ? t("mode.live") : t("mode.test")) },
              { header: t("float.currency"), rowHeader: true, render: (line) => line.currency },
              {
                header: t("float.balance"),
                className: "amount",
                render: (line) => money(line.float_balance, line.currency),
              },
              {
                header: t("float.outstanding"),
                className: "amount",
                render: (line) => money(line.outstanding, line.currency),
              },
              {
                header: t("float.breakage"),
                className: "amount",
                render: (line) => money(line.breakage, line.currency),
              },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

/** The end of a local day ("2027-01-31") in Unix seconds. */
function endOfLocalDay(day: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return Math.floor(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000) - 1;
}

function IssueCard({ onIssued }: { onIssued(): void }) {
  const { t } = useStoredValueT();
  const [livemode, setLivemode] = useState(false);
  const [currency, setCurrency] = useState("USD");
  const [amount, setAmount] = useState("");
  const [count, setCount] = useState("1");
  const [expires, setExpires] = useState("");
  const [invalid, setInvalid] = useState<{ amount?: string; count?: string }>({});
  const [issued, setIssued] = useState<IssuedOne | IssuedBatch | null>(null);
  const issue = useAction(async () => {
    const parsed = parseMoney(amount, currency);
    const howMany = /^\d+$/.test(count.trim()) ? Number(count.trim()) : Number.NaN;
    const problems = {
      amount: parsed.ok ? undefined : t("issue.amountInvalid"),
      count: howMany >= 1 && howMany <= 1000 ? undefined : t("issue.countInvalid"),
    };
    setInvalid(problems);
    if (!parsed.ok || problems.count) return;
    const expiresAt = expires ? endOfLocalDay(expires) : undefined;
    setIssued(
      await api.post<IssuedOne | IssuedBatch>("/v1/ops/stored_value/cards", {
        livemode,
        currency,
        amount: parsed.minor,
        ...(howMany > 1 ? { count: howMany } : {}),
        ...(expiresAt ? { expires_at: expiresAt } : {}),
      }),
    );
    onIssued();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void issue.run();
  };
  return (
    <Card title={t("issue.title")}>
      {issued ? (
        <>
          {"cards_csv" in issued ? <BatchDownload batch={issued} /> : <OneIssued card={issued} />}
          <Button variant="secondary" onClick={() => setIssued(null)}>
            {t("issue.done")}
          </Button>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <div className="form-row">
            <SelectField
              label={t("issue.mode")}
              value={livemode ? "live" : "test"}
              onChange={(event) => setLivemode(event.target.value === "live")}
            >
              <option value="test">{t("mode.test")}</option>
              <option value="live">{t("mode.live")}</option>
            </SelectField>
            <TextField
              label={t("issue.currency")}
              value={currency}
              maxLength={10}
              onChange={(event) => setCurrency(event.target.value.toUpperCase())}
            />
            <TextField
              label={t("issue.amount")}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              error={invalid.amount}
              onChange={(event) => setAmount(event.target.value)}
            />
            <TextField
              label={t("issue.count")}
              inputMode="numeric"
              value={count}
              error={invalid.count}
              onChange={(event) => setCount(event.target.value)}
            />
            <DateField label={t("issue.expires")} value={expires} onChange={setExpires} />
          </div>
          <p className="field-hint">{t("issue.countHint")}</p>
          <OpsCardError error={issue.error} />
          <Button type="submit" pending={issue.pending}>
            {t("issue.submit")}
          </Button>
        </form>
      )}
    </Card>
  );
}

function OneIssued({ card }: { card: IssuedOne }) {
  const { t } = useStoredValueT();
  const id = useId();
  return (
    <Alert kind="warning">
      <p>{t("issue.one")}</p>
      <p>
        <label htmlFor={`${id}-number`}>{t("issue.number")}</label>{" "}
        <input id={`${id}-number`} className="secret-value" readOnly value={card.number} />
      </p>
      <p>
        <label htmlFor={`${id}-secret`}>{t("issue.secret")}</label>{" "}
        <input id={`${id}-secret`} className="secret-value" readOnly value={card.secret} />
      </p>
    </Alert>
  );
}

function BatchDownload({ batch }: { batch: IssuedBatch }) {
  const { t } = useStoredValueT();
  const url = useMemo(() => URL.createObjectURL(new Blob([batch.cards_csv], { type: "text/csv" })), [batch]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <>
      <Alert kind="warning">{t("issue.batch", { count: batch.count, batch: batch.id })}</Alert>
      <p>
        <a className="button button-primary button-with-icon" href={url} download={`coffer-cards-${batch.id}.csv`}>
          <Icon icon={Download} />
          {t("issue.download")}
        </a>
      </p>
    </>
  );
}

function CardsCard() {
  const { t, locale } = useStoredValueT();
  const [params, setParams] = useQueryParams();
  const [last4, setLast4] = useState(params.last4 ?? "");
  const [batch, setBatch] = useState(params.batch ?? "");
  const filters = { status: params.status, last4: params.last4, batch: params.batch };
  const cards = usePagedList<OpsCard>("/v1/ops/stored_value/cards", params, filters, 25);
  const [done, setDone] = useState<string | null>(null);
  const act = useAction(async (card: OpsCard, action: "freeze" | "unfreeze" | "breakage_refund") => {
    setDone(null);
    await api.post(`/v1/ops/stored_value/cards/${encodeURIComponent(card.id)}/${action}`, {});
    if (action === "breakage_refund") setDone(t("cards.refundDone", { last4: card.last4 }));
    cards.reload();
  });
  return (
    <Card title={t("cards.title")}>
      <form
        className="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          setParams({ status: params.status, last4: last4.trim(), batch: batch.trim() });
        }}
      >
        <SelectField
          label={t("cards.status")}
          value={params.status ?? ""}
          onChange={(event) => setParams({ ...filters, status: event.target.value })}
        >
          <option value="">{t("cards.all")}</option>
          <option value="frozen">{t("cards.frozenOnly")}</option>
          <option value="active">{t("status.active")}</option>
          <option value="expired">{t("status.expired")}</option>
          <option value="closed">{t("status.closed")}</option>
        </SelectField>
        <TextField
          label={t("cards.last4")}
          inputMode="numeric"
          maxLength={4}
          value={last4}
          onChange={(e) => setLast4(e.target.value)}
        />
        <TextField label={t("cards.batch")} value={batch} onChange={(e) => setBatch(e.target.value)} />
        <Button type="submit" variant="secondary">
          {t("cards.search")}
        </Button>
      </form>
      <OpsCardError error={act.error} />
      <div role="status" aria-live="polite">
        {done ? <Alert kind="success">{done}</Alert> : null}
      </div>
      <PagedTable
        state={cards}
        params={params}
        setParams={setParams}
        empty={
          params.status || params.last4 || params.batch ? (
            <NoMatch
              title={t("cards.empty")}
              clearLabel={t("cards.clear")}
              onClear={() => {
                setLast4("");
                setBatch("");
                setParams({});
              }}
            >
              {t("cards.emptyText")}
            </NoMatch>
          ) : (
            <Empty icon={WalletCards} title={t("cards.none")}>
              {t("cards.noneText")}
            </Empty>
          )
        }
        columns={[
          { header: t("cards.card"), render: (card) => <code>•••• {card.last4}</code> },
          {
            header: t("cards.issuer"),
            render: (card) => (card.issuer.type === "platform" ? t("cards.platform") : (card.issuer.merchant ?? "")),
          },
          { header: t("cards.mode"), render: (card) => (card.livemode ? t("mode.live") : t("mode.test")) },
          {
            header: t("cards.balance"),
            className: "amount",
            render: (card) => formatMoney(card.balance, card.currency, locale),
          },
          {
            header: t("cards.state"),
            render: (card) => (
              <Badge tone={statusTone(card.status)}>{t(`status.${card.status}` as OpsStoredValueKey)}</Badge>
            ),
          },
          {
            header: t("cards.expires"),
            render: (card) => (card.expires_at ? <When at={card.expires_at} /> : t("cards.never")),
          },
          {
            header: t("cards.actions"),
            render: (card) => (
              <span className="button-row">
                {card.status === "active" ? (
                  <Button variant="secondary" disabled={act.pending} onClick={() => act.run(card, "freeze")}>
                    {t("cards.freeze", { last4: card.last4 })}
                  </Button>
                ) : null}
                {card.status === "frozen" ? (
                  <Button variant="secondary" disabled={act.pending} onClick={() => act.run(card, "unfreeze")}>
                    {t("cards.unfreeze", { last4: card.last4 })}
                  </Button>
                ) : null}
                {card.status === "expired" ? (
                  <Button variant="secondary" disabled={act.pending} onClick={() => act.run(card, "breakage_refund")}>
                    {t("cards.refund", { last4: card.last4 })}
                  </Button>
                ) : null}
              </span>
            ),
          },
        ]}
      />
    </Card>
  );
}
