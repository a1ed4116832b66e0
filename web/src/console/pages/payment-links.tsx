import { CreditCard, Link as LinkIcon, Plus } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import type { ListPage } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { Link, navigate } from "../../shared/router";
import {
  Alert,
  Badge,
  Button,
  Card,
  DataTable,
  DefinitionList,
  Empty,
  NoMatch,
  SelectField,
  Spinner,
  TextField,
} from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type Payment } from "../api";
import { ConfirmButton, ConsoleError, type Cursor, LoadedTable, Pager, StatusBadge, useFormat } from "../common";
import { useT } from "../messages";
import { canWrite, useMe } from "../session";
import { useLinksT } from "./payment-links-messages";

/** Payment links: the list with uses and totals, a form for a new one, and one link with its QR code, sending and payments. */
export interface PaymentLink {
  id: string;
  livemode: boolean;
  active: boolean;
  url: string;
  qr_svg: string | null;
  currency: string;
  amount_type: "fixed" | "customer_chooses";
  unit_amount: string | null;
  quantity_max: number | null;
  amount_min: string | null;
  amount_max: string | null;
  description: string | null;
  return_url: string | null;
  max_uses: number | null;
  expires_at: number | null;
  uses: { succeeded: number; open: number };
  amount_received: string;
  amount_refunded: string;
  deactivated_at: number | null;
  created: number;
}

/** The form comes with the form layer in a chunk of its own, fetched when the owner asks for a new link. */
const CreateLinkForm = lazy(() => import("./payment-link-form"));

function useAmountText() {
  const format = useFormat();
  const { t } = useLinksT();
  return (link: PaymentLink) => {
    if (link.unit_amount !== null) {
      const price = format.money(link.unit_amount, link.currency);
      return link.quantity_max === null ? price : t("links.each", { price, max: link.quantity_max });
    }
    return t("links.range", {
      min: format.money(link.amount_min!, link.currency),
      max: format.money(link.amount_max!, link.currency),
    });
  };
}

function LinkStatus({ link }: { link: PaymentLink }) {
  const { t } = useLinksT();
  return link.active ? (
    <Badge tone="good">{t("links.active")}</Badge>
  ) : (
    <Badge tone="neutral">{t("links.inactive")}</Badge>
  );
}

export function PaymentLinksPage() {
  const { t } = useLinksT();
  const format = useFormat();
  const me = useMe();
  const amountText = useAmountText();
  const [show, setShow] = useState("");
  const [cursor, setCursor] = useState<Cursor>({});
  const [creating, setCreating] = useState(false);
  const common = useT().t;
  const links = useAsync(
    () =>
      api.get<ListPage<PaymentLink>>("/v1/payment_links", {
        active: show === "" ? undefined : show === "active",
        limit: 20,
        ...cursor,
      }),
    [show, cursor],
  );
  return (
    <>
      <h1>{t("links.title")}</h1>
      <p>{t("links.intro")}</p>
      {canWrite(me) && !creating ? (
        <p>
          <Button icon={Plus} onClick={() => setCreating(true)}>
            {t("links.new")}
          </Button>
        </p>
      ) : null}
      {creating ? (
        <Card title={t("create.title")} actions={<HelpButton slug="payment-links" />}>
          <Suspense fallback={<Spinner label={common("common.loading")} />}>
            <CreateLinkForm onCreated={(link) => navigate(`/payment-links/${link.id}`)} />
          </Suspense>
        </Card>
      ) : null}
      <div className="form-row">
        <SelectField
          label={t("links.show")}
          value={show}
          onChange={(e) => {
            setCursor({});
            setShow(e.target.value);
          }}
        >
          <option value="">{common("common.all")}</option>
          <option value="active">{t("links.show.active")}</option>
          <option value="inactive">{t("links.show.inactive")}</option>
        </SelectField>
      </div>
      <LoadedTable
        state={links}
        rows={(page) => page.data}
        rowKey={(l) => l.id}
        caption={t("links.title")}
        empty={
          show ? (
            <NoMatch
              title={t("links.noMatch")}
              clearLabel={t("links.showAll")}
              onClear={() => {
                setCursor({});
                setShow("");
              }}
            >
              {t("links.noMatchText")}
            </NoMatch>
          ) : (
            <Empty
              icon={LinkIcon}
              title={t("links.empty")}
              action={
                canWrite(me) && !creating ? (
                  <Button icon={Plus} onClick={() => setCreating(true)}>
                    {t("links.createFirst")}
                  </Button>
                ) : undefined
              }
            >
              {t("links.emptyText")}
            </Empty>
          )
        }
        columns={[
          {
            header: t("links.col.link"),
            render: (l) => (
              <Link
                to={`/payment-links/${l.id}`}
                aria-label={t("links.open", { id: l.id, description: l.description ?? t("links.noDescription") })}
              >
                {l.description ?? t("links.noDescription")}
              </Link>
            ),
          },
          { header: t("links.col.amount"), render: (l) => amountText(l) },
          {
            header: t("links.col.uses"),
            render: (l) =>
              l.max_uses === null
                ? String(l.uses.succeeded)
                : t("links.usesOf", { used: l.uses.succeeded, max: l.max_uses }),
          },
          {
            header: t("links.col.received"),
            className: "amount",
            render: (l) => format.money(l.amount_received, l.currency),
          },
          { header: t("links.col.status"), render: (l) => <LinkStatus link={l} /> },
          { header: t("links.col.created"), render: (l) => format.date(l.created) },
        ]}
      />
      <Pager page={links.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function CopyLink({ url }: { url: string }) {
  const { t } = useLinksT();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        await navigator.clipboard?.writeText(url).catch(() => undefined);
        setCopied(true);
      }}
    >
      {copied ? t("detail.copied") : t("detail.copy")}
    </Button>
  );
}

function SendForm({ link }: { link: PaymentLink }) {
  const { t, locale } = useLinksT();
  const [to, setTo] = useState("");
  const [language, setLanguage] = useState<"en" | "zh-CN">(locale);
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const send = useAction(async () => {
    const contact = to.trim();
    const body = contact.includes("@") ? { email: contact } : { phone: contact };
    const answer = await api.post<{ to: string }>(`/v1/payment_links/${encodeURIComponent(link.id)}/send`, {
      ...body,
      locale: language,
    });
    setSent(answer.to);
    setTo("");
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setSent(null);
        if (!to.trim()) return setMissing(true);
        setMissing(false);
        send.run();
      }}
      noValidate
    >
      <p className="field-hint">{t("send.hint")}</p>
      <div className="form-row">
        <TextField
          label={t("send.to")}
          value={to}
          autoComplete="off"
          error={missing ? t("send.missing") : null}
          onChange={(e) => setTo(e.target.value)}
        />
        <SelectField
          label={t("send.language")}
          value={language}
          onChange={(e) => setLanguage(e.target.value as "en" | "zh-CN")}
        >
          <option value="en" lang="en">
            English
          </option>
          <option value="zh-CN" lang="zh-CN">
            简体中文
          </option>
        </SelectField>
      </div>
      <ConsoleError error={send.error} />
      {sent ? <Alert kind="success">{t("send.sent", { to: sent })}</Alert> : null}
      <Button type="submit" pending={send.pending}>
        {t("send.submit")}
      </Button>
    </form>
  );
}

export function PaymentLinkDetailPage({ id }: { id: string }) {
  const { t } = useLinksT();
  const common = useT().t;
  const format = useFormat();
  const me = useMe();
  const amountText = useAmountText();
  const link = useAsync(() => api.get<PaymentLink>(`/v1/payment_links/${encodeURIComponent(id)}`), [id]);
  const payments = useAsync(() => api.get<ListPage<Payment>>("/v1/payments", { payment_link: id, limit: 20 }), [id]);
  const deactivate = useAction(async () => {
    await api.post(`/v1/payment_links/${encodeURIComponent(id)}/deactivate`, {});
    link.reload();
  });
  const l = link.data;
  return (
    <>
      <p>
        <Link to="/payment-links">{t("detail.back")}</Link>
      </p>
      <h1>
        {t("detail.title")} <code>{id}</code>
      </h1>
      <ConsoleError error={link.error} />
      {l ? (
        <>
          <Card title={l.description ?? t("links.noDescription")} actions={<LinkStatus link={l} />}>
            <DefinitionList
              items={[
                [t("detail.amount"), amountText(l)],
                [t("detail.uses"), String(l.uses.succeeded)],
                [t("detail.open"), String(l.uses.open)],
                [t("detail.maxUses"), l.max_uses === null ? t("detail.unlimited") : String(l.max_uses)],
                [t("detail.received"), format.money(l.amount_received, l.currency)],
                [t("detail.refunded"), format.money(l.amount_refunded, l.currency)],
                [t("detail.expires"), l.expires_at === null ? t("detail.never") : format.date(l.expires_at)],
                [t("detail.returnUrl"), l.return_url ?? "—"],
                [t("detail.created"), format.date(l.created)],
              ]}
            />
            {!l.active ? <Alert kind="info">{t("detail.deactivated")}</Alert> : null}
            {l.active && canWrite(me) ? (
              <>
                <ConsoleError error={deactivate.error} />
                <ConfirmButton
                  label={t("detail.deactivate")}
                  confirmLabel={t("detail.deactivateConfirm")}
                  pending={deactivate.pending}
                  onConfirm={() => deactivate.run()}
                />
              </>
            ) : null}
          </Card>
          {l.active ? (
            <Card title={t("detail.share")}>
              <p>
                {t("detail.url")}:{" "}
                <a href={l.url} className="long-url">
                  {l.url}
                </a>{" "}
                <CopyLink url={l.url} />
              </p>
              {l.qr_svg ? (
                <figure className="qr">
                  <img src={svgDataUrl(l.qr_svg)} alt={t("detail.qrAlt")} width={200} height={200} />
                  <figcaption>
                    <a href={svgDataUrl(l.qr_svg)} download={`payment-link-${l.id}.svg`}>
                      {t("detail.downloadQr")}
                    </a>
                  </figcaption>
                </figure>
              ) : null}
            </Card>
          ) : null}
          {l.active && canWrite(me) ? (
            <Card title={t("send.title")}>
              <SendForm link={l} />
            </Card>
          ) : null}
        </>
      ) : null}
      <Card title={t("detail.payments")}>
        <ConsoleError error={payments.error} />
        {payments.data && payments.data.data.length === 0 ? (
          <Empty compact icon={CreditCard} title={t("detail.noPayments")}>
            {t("detail.noPaymentsText")}
          </Empty>
        ) : null}
        {payments.data && payments.data.data.length > 0 ? (
          <DataTable
            rows={payments.data.data}
            rowKey={(p) => p.id}
            caption={t("detail.payments")}
            columns={[
              {
                header: common("payments.amount"),
                className: "amount",
                render: (p) => (
                  <Link
                    to={`/payments/${p.id}`}
                    aria-label={common("payments.open", { id: p.id, amount: format.money(p.amount, p.currency) })}
                  >
                    {format.money(p.amount, p.currency)}
                  </Link>
                ),
              },
              { header: common("payments.status"), render: (p) => <StatusBadge status={p.status} /> },
              { header: common("payments.created"), render: (p) => format.date(p.created) },
            ]}
          />
        ) : null}
      </Card>
    </>
  );
}
