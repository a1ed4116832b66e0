import { ArrowLeftRight, Plus, WalletCards } from "lucide-react";
import { type ReactNode, useEffect, useId, useMemo, useState } from "react";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { DateField } from "../../shared/date-picker-lazy";
import { parseMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import {
  Alert,
  Badge,
  Button,
  Card,
  DefinitionList,
  Empty,
  NoMatch,
  SelectField,
  statusTone,
  TextField,
} from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ActionForm, ConfirmButton, ConsoleError, type Cursor, LoadedTable, Pager, useFormat } from "../common";
import { useT } from "../messages";
import { canWrite, useMe } from "../session";
import { type StoredValueMessageKey, useStoredValueT } from "./stored-value-messages";

/**
 * Prepaid cards (src/stored-value): the merchant's gift cards and vouchers, found by status, batch or last four
 * digits; issuing one card (its number and secret shown once) or a batch (its CSV of numbers and secrets made once,
 * downloaded from this page); a card's balance and history, cash-in at the counter, freeze and unfreeze.
 */
export interface StoredValueCard {
  id: string;
  object: "stored_value_card";
  livemode: boolean;
  kind: "gift_card" | "voucher";
  currency: string;
  balance: string;
  initial_value: string;
  last4: string;
  status: "active" | "frozen" | "expired" | "closed";
  closed_loop: boolean;
  issuer: { type: "merchant" | "platform"; merchant: string | null };
  batch: string | null;
  expires_at: number | null;
  metadata: Record<string, string>;
  created: number;
}

export interface IssuedCard extends StoredValueCard {
  number: string;
  secret: string;
}

export interface IssuedBatch {
  object: "stored_value_card_batch";
  id: string;
  count: number;
  currency: string;
  amount: string;
  cards_csv: string;
}

export interface CardMovement {
  id: string;
  type: "issue" | "load" | "payment" | "refund" | "claim" | "breakage" | "breakage_return" | "redeem" | "other";
  amount: string;
  reference: string | null;
  created: number;
}

/** Issue and list forms are the same for the console and the ops console; each passes its API path. */
export const cardStatuses = ["active", "frozen", "expired", "closed"] as const;

/** An API error in the page's words when it has them, else the console's. */
export function CardError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = useStoredValueT();
  if (!error) return null;
  const key = `error.${error.code}` as StoredValueMessageKey;
  const known = t(key);
  if (known === key) return <ConsoleError error={error} />;
  return (
    <Alert kind="error">
      {known} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

export function CardStatus({ status }: { status: string }) {
  const { t } = useStoredValueT();
  const key = `status.${status}` as StoredValueMessageKey;
  const text = t(key);
  return <Badge tone={statusTone(status)}>{text === key ? status : text}</Badge>;
}

/** The end of a local day ("2027-01-31") in Unix seconds: a card "until" a day works all that day. */
function endOfLocalDay(day: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return Math.floor(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000) - 1;
}

export function StoredValueCardsPage() {
  const { t } = useStoredValueT();
  const me = useMe();
  const [issuing, setIssuing] = useState<"one" | "batch" | null>(null);
  // Each issue remounts the list, so the new cards show under the answer.
  const [issued, setIssued] = useState(0);
  return (
    <>
      <h1>{t("cards.title")}</h1>
      <p>{t("cards.intro")}</p>
      {canWrite(me) && !issuing ? (
        <p className="button-row">
          <Button onClick={() => setIssuing("one")}>{t("cards.issueOne")}</Button>
          <Button variant="secondary" onClick={() => setIssuing("batch")}>
            {t("cards.issueBatch")}
          </Button>
        </p>
      ) : null}
      {issuing ? (
        <IssueCards
          key={issuing}
          path="/v1/stored_value/cards"
          batch={issuing === "batch"}
          cardLink={(card) => `/prepaid-cards/${encodeURIComponent(card.id)}`}
          onIssued={() => setIssued((count) => count + 1)}
          onClose={() => setIssuing(null)}
        />
      ) : null}
      <CardList
        key={issued}
        path="/v1/stored_value/cards"
        cardLink={(card) => `/prepaid-cards/${encodeURIComponent(card.id)}`}
        emptyAction={
          canWrite(me) && !issuing ? (
            <Button icon={Plus} onClick={() => setIssuing("one")}>
              {t("cards.issueFirst")}
            </Button>
          ) : undefined
        }
      />
    </>
  );
}

/** The list with its filters (status, batch, last four digits) and cursor paging. */
export function CardList({
  path,
  cardLink,
  initialStatus = "",
  showIssuer = false,
  emptyAction,
}: {
  path: string;
  cardLink(card: StoredValueCard): string;
  initialStatus?: string;
  showIssuer?: boolean;
  /** The next step when there are no cards at all (issuing one). */
  emptyAction?: ReactNode;
}) {
  const { t } = useStoredValueT();
  const common = useT().t;
  const format = useFormat();
  const [status, setStatus] = useState(initialStatus);
  const [batch, setBatch] = useState("");
  const [last4, setLast4] = useState("");
  const [query, setQuery] = useState({ batch: "", last4: "" });
  const [cursor, setCursor] = useState<Cursor>({});
  const cards = useAsync(
    () =>
      api.get<ListPage<StoredValueCard>>(path, {
        status: status || undefined,
        batch: query.batch || undefined,
        last4: query.last4 || undefined,
        limit: 20,
        ...cursor,
      }),
    [path, status, query, cursor],
  );
  return (
    <>
      <form
        className="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          setCursor({});
          setQuery({ batch: batch.trim(), last4: last4.trim() });
        }}
      >
        <SelectField
          label={t("cards.filter.status")}
          value={status}
          onChange={(event) => {
            setCursor({});
            setStatus(event.target.value);
          }}
        >
          <option value="">{common("common.all")}</option>
          {cardStatuses.map((value) => (
            <option key={value} value={value}>
              {t(`status.${value}`)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("cards.filter.batch")}
          placeholder={t("cards.filter.batchHint")}
          value={batch}
          onChange={(event) => setBatch(event.target.value)}
        />
        <TextField
          label={t("cards.filter.last4")}
          inputMode="numeric"
          maxLength={4}
          value={last4}
          onChange={(event) => setLast4(event.target.value)}
        />
        <Button type="submit" variant="secondary">
          {t("cards.filter.apply")}
        </Button>
      </form>
      <LoadedTable
        state={cards}
        rows={(page) => page.data}
        rowKey={(card) => card.id}
        caption={t("cards.title")}
        empty={
          status || query.batch || query.last4 ? (
            <NoMatch
              title={t("cards.empty")}
              clearLabel={common("common.clearFilters")}
              onClear={() => {
                setStatus("");
                setBatch("");
                setLast4("");
                setQuery({ batch: "", last4: "" });
                setCursor({});
              }}
            >
              {t("cards.emptyText")}
            </NoMatch>
          ) : (
            <Empty icon={WalletCards} title={t("cards.none")} action={emptyAction}>
              {t("cards.noneText")}
            </Empty>
          )
        }
        columns={[
          {
            header: t("cards.col.card"),
            render: (card) => (
              <Link to={cardLink(card)} aria-label={t("cards.open", { last4: card.last4 })}>
                •••• {card.last4}
              </Link>
            ),
          },
          { header: t("cards.col.kind"), render: (card) => t(`kind.${card.kind}`) },
          ...(showIssuer
            ? [
                {
                  header: t("card.where"),
                  render: (card: StoredValueCard) =>
                    card.closed_loop ? (card.issuer.merchant ?? "") : t("card.openLoop"),
                },
              ]
            : []),
          {
            header: t("cards.col.balance"),
            className: "amount",
            render: (card) => format.money(card.balance, card.currency),
          },
          { header: t("cards.col.status"), render: (card) => <CardStatus status={card.status} /> },
          { header: t("cards.col.batch"), render: (card) => (card.batch ? <code>{card.batch}</code> : "") },
          {
            header: t("cards.col.expires"),
            render: (card) => (card.expires_at ? format.date(card.expires_at) : t("cards.noExpiry")),
          },
          { header: t("cards.col.created"), render: (card) => format.date(card.created) },
        ]}
      />
      <Pager page={cards.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}

/**
 * Issuing: one card answers its number and secret, a batch a CSV of them — the only time either exists in clear
 * (coffer keeps a hash). Both stay on this page until it is closed; the CSV becomes a file the browser saves.
 */
export function IssueCards({
  path,
  batch,
  cardLink,
  onIssued,
  onClose,
  kinds = ["gift_card", "voucher"],
}: {
  path: string;
  batch: boolean;
  cardLink(card: StoredValueCard): string;
  onIssued(): void;
  onClose(): void;
  kinds?: readonly ("gift_card" | "voucher")[];
}) {
  const { t } = useStoredValueT();
  const [kind, setKind] = useState<"gift_card" | "voucher">(kinds[0] ?? "gift_card");
  const [currency, setCurrency] = useState("USD");
  const [amount, setAmount] = useState("");
  const [count, setCount] = useState(batch ? "10" : "1");
  const [expires, setExpires] = useState("");
  const [invalid, setInvalid] = useState<{ amount?: string; count?: string }>({});
  const [issued, setIssued] = useState<IssuedCard | IssuedBatch | null>(null);
  const issue = useAction(async () => {
    const parsed = parseMoney(amount, currency);
    const minor = parsed.ok ? parsed.minor : parsed.reason === "zero" ? "0" : null;
    const howMany = /^\d+$/.test(count.trim()) ? Number(count.trim()) : Number.NaN;
    const problems = {
      amount: minor === null ? t("issue.amountInvalid") : undefined,
      count: batch && !(howMany >= 1 && howMany <= 1000) ? t("issue.countInvalid") : undefined,
    };
    setInvalid(problems);
    if (problems.amount || problems.count) return;
    const expiresAt = expires ? endOfLocalDay(expires) : undefined;
    setIssued(
      await api.post<IssuedCard | IssuedBatch>(path, {
        currency,
        amount: minor,
        kind,
        ...(batch ? { count: howMany } : {}),
        ...(expiresAt ? { expires_at: expiresAt } : {}),
      }),
    );
    onIssued();
  });
  if (issued) {
    return (
      <Card title={batch ? t("issue.titleBatch") : t("issue.titleOne")}>
        {issued.object === "stored_value_card_batch" ? (
          <BatchIssued batch={issued} />
        ) : (
          <CardIssued card={issued} link={cardLink(issued)} />
        )}
        <Button variant="secondary" onClick={onClose}>
          {t("issue.close")}
        </Button>
      </Card>
    );
  }
  return (
    <Card title={batch ? t("issue.titleBatch") : t("issue.titleOne")}>
      <ActionForm
        action={{ ...issue, error: null }}
        submitLabel={batch ? t("issue.submitBatch") : t("issue.submitOne")}
      >
        <div className="form-row">
          {kinds.length > 1 ? (
            <SelectField
              label={t("issue.kind")}
              value={kind}
              onChange={(event) => setKind(event.target.value as "gift_card" | "voucher")}
            >
              {kinds.map((value) => (
                <option key={value} value={value}>
                  {t(`kind.${value}`)}
                </option>
              ))}
            </SelectField>
          ) : null}
          <TextField
            label={t("issue.currency")}
            value={currency}
            maxLength={10}
            onChange={(event) => setCurrency(event.target.value.toUpperCase())}
          />
          <TextField
            label={t("issue.amount")}
            hint={t("issue.amountHint")}
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            error={invalid.amount}
            onChange={(event) => setAmount(event.target.value)}
          />
          {batch ? (
            <TextField
              label={t("issue.count")}
              hint={t("issue.countHint")}
              inputMode="numeric"
              value={count}
              error={invalid.count}
              onChange={(event) => setCount(event.target.value)}
            />
          ) : null}
        </div>
        <DateField label={t("issue.expires")} hint={t("issue.expiresHint")} value={expires} onChange={setExpires} />
        {kinds.length === 1 ? null : <p className="field-hint">{t("issue.kindHint")}</p>}
      </ActionForm>
      <CardError error={issue.error} />
    </Card>
  );
}

function CopyBox({ label, value }: { label: string; value: string }) {
  const { t } = useStoredValueT();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="secret-value" readOnly value={value} onFocus={(event) => event.target.select()} />
      <Button
        variant="secondary"
        onClick={() => {
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? t("issued.copied") : t("issued.copy")}
      </Button>
    </div>
  );
}

function CardIssued({ card, link }: { card: IssuedCard; link: string }) {
  const { t } = useStoredValueT();
  const format = useFormat();
  const qrLink = `${location.origin}/wallet/card#number=${card.number}&secret=${encodeURIComponent(card.secret)}`;
  return (
    <>
      <Alert kind="warning">{t("issued.one")}</Alert>
      <p className="big-amount">{format.money(card.balance, card.currency)}</p>
      <CopyBox label={t("issued.number")} value={card.number.replace(/(\d{4})(?=\d)/g, "$1 ")} />
      <CopyBox label={t("issued.secret")} value={card.secret} />
      <CopyBox label={t("issued.qr")} value={qrLink} />
      <p>
        <Link to={link}>{t("issued.open")}</Link>
      </p>
    </>
  );
}

function BatchIssued({ batch }: { batch: IssuedBatch }) {
  const { t } = useStoredValueT();
  const [downloaded, setDownloaded] = useState(false);
  // The CSV lives only in this page's memory: the object URL is revoked when the page closes.
  const url = useMemo(() => URL.createObjectURL(new Blob([batch.cards_csv], { type: "text/csv" })), [batch]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <>
      <Alert kind="warning">{t("issued.batch", { count: batch.count, batch: batch.id })}</Alert>
      <p>
        <a
          className="button button-primary"
          href={url}
          download={`coffer-cards-${batch.id}.csv`}
          onClick={() => setDownloaded(true)}
        >
          {t("issued.download")}
        </a>
      </p>
      <div role="status" aria-live="polite">
        {downloaded ? <Alert kind="info">{t("issued.downloaded")}</Alert> : null}
      </div>
    </>
  );
}

/** One card: balance and what it is, cash-in at the counter, freeze/unfreeze, and its movements. */
export function StoredValueCardPage({ id }: { id: string }) {
  const { t } = useStoredValueT();
  const me = useMe();
  const format = useFormat();
  const path = `/v1/stored_value/cards/${encodeURIComponent(id)}`;
  const card = useAsync(() => api.get<StoredValueCard>(path), [path]);
  const history = useAsync(() => api.get<ListPage<CardMovement>>(`${path}/transactions`, { limit: 100 }), [path]);
  const reload = () => {
    card.reload();
    history.reload();
  };
  const [amount, setAmount] = useState("");
  const [loaded, setLoaded] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | undefined>();
  const load = useAction(async () => {
    if (!card.data) return;
    const parsed = parseMoney(amount, card.data.currency);
    if (!parsed.ok) {
      setInvalid(t("issue.amountInvalid"));
      return;
    }
    setInvalid(undefined);
    setLoaded(null);
    await api.post(`${path}/load`, { amount: parsed.minor });
    setLoaded(format.money(parsed.minor, card.data.currency));
    setAmount("");
    reload();
  });
  const toggle = useAction(async (action: "freeze" | "unfreeze") => {
    await api.post(`${path}/${action}`, {});
    reload();
  });
  if (!card.data) {
    return (
      <>
        <p>
          <Link to="/prepaid-cards">← {t("card.back")}</Link>
        </p>
        <ConsoleError error={card.error} />
      </>
    );
  }
  const c = card.data;
  return (
    <>
      <p>
        <Link to="/prepaid-cards">← {t("card.back")}</Link>
      </p>
      <h1>
        {t("card.title", { last4: c.last4 })} <CardStatus status={c.status} />
      </h1>
      <Card>
        <p className="big-amount">
          <span className="visually-hidden">{t("card.balance")}: </span>
          {format.money(c.balance, c.currency)}
        </p>
        <DefinitionList
          items={[
            [t("card.id"), <code key="id">{c.id}</code>],
            [t("card.kind"), t(`kind.${c.kind}`)],
            [t("card.initial"), format.money(c.initial_value, c.currency)],
            [t("card.where"), c.closed_loop ? t("card.closedLoop") : t("card.openLoop")],
            [t("card.batch"), c.batch ? <code key="batch">{c.batch}</code> : "—"],
            [t("card.expires"), c.expires_at ? format.date(c.expires_at) : t("cards.noExpiry")],
            [t("card.created"), format.date(c.created)],
          ]}
        />
        {c.status === "frozen" ? <Alert kind="warning">{t("card.frozenHint")}</Alert> : null}
        {canWrite(me) && (c.status === "active" || c.status === "frozen") ? (
          <div className="button-row">
            {c.status === "active" ? (
              <ConfirmButton
                label={t("card.freeze")}
                confirmLabel={t("card.freezeConfirm")}
                pending={toggle.pending}
                onConfirm={() => toggle.run("freeze")}
              />
            ) : (
              <Button variant="secondary" pending={toggle.pending} onClick={() => toggle.run("unfreeze")}>
                {t("card.unfreeze")}
              </Button>
            )}
          </div>
        ) : null}
        <CardError error={toggle.error} />
      </Card>
      {canWrite(me) && c.status === "active" && c.kind === "gift_card" ? (
        <Card title={t("card.load")}>
          <p className="field-hint">{t("card.loadHint")}</p>
          <ActionForm action={{ ...load, error: null }} submitLabel={t("card.loadSubmit")}>
            <TextField
              label={`${t("card.loadAmount")} (${c.currency})`}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              error={invalid}
              onChange={(event) => setAmount(event.target.value)}
            />
          </ActionForm>
          <CardError error={load.error} />
          <div role="status" aria-live="polite">
            {loaded ? <Alert kind="success">{t("card.loaded", { amount: loaded })}</Alert> : null}
          </div>
        </Card>
      ) : null}
      <Card title={t("card.history")}>
        <CardHistory state={history} currency={c.currency} />
      </Card>
    </>
  );
}

export function CardHistory({
  state,
  currency,
}: {
  state: ReturnType<typeof useAsync<ListPage<CardMovement>>>;
  currency: string;
}) {
  const { t } = useStoredValueT();
  const format = useFormat();
  return (
    <LoadedTable
      state={state}
      rows={(page) => page.data}
      rowKey={(row) => row.id}
      caption={t("card.history")}
      empty={
        <Empty compact icon={ArrowLeftRight} title={t("card.noHistory")}>
          {t("card.noHistoryText")}
        </Empty>
      }
      columns={[
        { header: t("history.date"), render: (row) => format.date(row.created) },
        { header: t("history.what"), render: (row) => t(`history.type.${row.type}`) },
        { header: t("history.amount"), className: "amount", render: (row) => format.money(row.amount, currency) },
        { header: t("history.reference"), render: (row) => (row.reference ? <code>{row.reference}</code> : "") },
      ]}
    />
  );
}
