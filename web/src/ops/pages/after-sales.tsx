import { LifeBuoy, MessageSquare, Scale } from "lucide-react";
import { type ReactNode, useId, useState } from "react";
import type { ListPage } from "../../shared/api";
import { readAsBase64, saveAttachment } from "../../shared/files";
import { statusIcon } from "../../shared/icons";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Link } from "../../shared/router";
import {
  Alert,
  Badge,
  Button,
  Card,
  DataTable,
  DefinitionList,
  Empty,
  ErrorAlert,
  NoMatch,
  SelectField,
  Spinner,
  TextField,
} from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { useOperator } from "../session";
import { type OpsAfterSalesKey, useOpsAfterSalesT } from "./after-sales-messages";

/**
 * The operators' after-sales pages (src/disputes, src/support): the disputes of every merchant with the review queue
 * and the decision, and the queue of support tickets to the platform with their threads and replies.
 */
interface Attachment {
  id: string;
  filename: string | null;
}

interface OpsDispute {
  id: string;
  livemode: boolean;
  payment: string;
  amount: string;
  currency: string;
  reason: string;
  status: "needs_response" | "under_review" | "won" | "lost";
  payer_message: string | null;
  evidence: Record<string, string | null> & { files: Attachment[] };
  evidence_details: { due_by: number; submitted_at: number | null; past_due: boolean };
  amount_held: string;
  amount_returned: string;
  amount_uncovered: string;
  closed_by: string | null;
  decision_note: string | null;
  closed: number | null;
  created: number;
  merchant: { id: string; name: string };
  payer: string;
}

interface OpsTicket {
  id: string;
  livemode: boolean;
  kind: "payment" | "wallet" | "merchant";
  subject: string;
  status: "open" | "waiting_on_customer" | "resolved";
  payment: string | null;
  merchant_name: string | null;
  customer_name: string | null;
  first_response_due_at: number;
  first_responded_at: number | null;
  resolution_due_at: number;
  overdue: boolean;
  last_message_at: number;
  messages:
    | {
        id: string;
        author: { type: "payer" | "merchant" | "platform"; name: string | null; side: "customer" | "agent" };
        body: string;
        attachments: Attachment[];
        created: number;
      }[]
    | null;
  payment_timeline: {
    payment: { id: string; amount: string; currency: string };
    events: { type: string; created: number; amount: string | null }[];
  } | null;
}

const evidenceFields = [
  "explanation",
  "product_description",
  "customer_communication",
  "refund_policy",
  "shipping_carrier",
  "shipping_tracking_number",
] as const;

function useFormat() {
  const { locale } = useOpsAfterSalesT();
  return {
    money: (amount: string, currency: string) => formatMoney(amount, currency, locale),
    date: (seconds: number | null | undefined) => (seconds ? formatDateTime(seconds, locale) : "—"),
  };
}

function TextArea({ label, value, onChange }: { label: string; value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function Files({ files }: { files: Attachment[] }) {
  const download = useAction(async (id: string) => {
    saveAttachment(
      await api.get<{ filename: string | null; content_type: string; content_base64: string }>(
        `/v1/ops/support/attachments/${encodeURIComponent(id)}`,
      ),
    );
  });
  if (files.length === 0) return null;
  return (
    <>
      <ul className="attachments">
        {files.map((f) => (
          <li key={f.id}>
            <Button variant="link" onClick={() => download.run(f.id)}>
              {f.filename ?? f.id}
            </Button>
          </li>
        ))}
      </ul>
      <ErrorAlert error={download.error} />
    </>
  );
}

function DisputeBadge({ status }: { status: OpsDispute["status"] }) {
  const { t } = useOpsAfterSalesT();
  const tone = status === "won" ? "good" : status === "lost" ? "bad" : status === "under_review" ? "warn" : "info";
  return (
    <Badge tone={tone} icon={statusIcon(status)}>
      {t(`dstatus.${status}`)}
    </Badge>
  );
}

export function OpsDisputesPage() {
  const { t } = useOpsAfterSalesT();
  const format = useFormat();
  const [status, setStatus] = useState("under_review");
  const disputes = useAsync(
    () => api.get<ListPage<OpsDispute>>("/v1/ops/disputes", { status: status || undefined, limit: 50 }),
    [status],
  );
  return (
    <>
      <h1>{t("disputes.title")}</h1>
      <p>{t("disputes.intro")}</p>
      <SelectField label={t("disputes.show")} value={status} onChange={(e) => setStatus(e.target.value)}>
        {(["under_review", "needs_response", "won", "lost"] as const).map((s) => (
          <option key={s} value={s}>
            {t(`dstatus.${s}`)}
          </option>
        ))}
        <option value="">{t("support.all")}</option>
      </SelectField>
      {disputes.data === undefined ? <Spinner label="…" /> : null}
      <ErrorAlert error={disputes.error} />
      {disputes.data ? (
        <DataTable
          rows={disputes.data.data}
          rowKey={(d) => d.id}
          caption={t("disputes.title")}
          empty={
            status === "under_review" ? (
              <Empty icon={Scale} title={t("disputes.queueEmpty")}>
                {t("disputes.queueEmptyText")}
              </Empty>
            ) : status === "" ? (
              <Empty icon={Scale} title={t("disputes.none")}>
                {t("disputes.noneText")}
              </Empty>
            ) : (
              <NoMatch title={t("disputes.empty")} clearLabel={t("disputes.showAll")} onClear={() => setStatus("")}>
                {t("disputes.emptyText")}
              </NoMatch>
            )
          }
          columns={[
            {
              header: t("disputes.col.amount"),
              className: "amount",
              render: (d) => (
                <Link
                  to={`/ops/disputes/${d.id}`}
                  aria-label={t("disputes.open", {
                    amount: format.money(d.amount, d.currency),
                    merchant: d.merchant.name,
                  })}
                >
                  {format.money(d.amount, d.currency)}
                </Link>
              ),
            },
            {
              header: t("disputes.col.merchant"),
              render: (d) => (
                <>
                  {d.merchant.name} {d.livemode ? null : <Badge tone="neutral">{t("disputes.test")}</Badge>}
                </>
              ),
            },
            { header: t("disputes.col.reason"), render: (d) => t(`reason.${d.reason}` as OpsAfterSalesKey) },
            { header: t("disputes.col.status"), render: (d) => <DisputeBadge status={d.status} /> },
            { header: t("disputes.col.submitted"), render: (d) => format.date(d.evidence_details.submitted_at) },
            {
              header: t("disputes.col.uncovered"),
              className: "amount",
              render: (d) => format.money(d.amount_uncovered, d.currency),
            },
          ]}
        />
      ) : null}
    </>
  );
}

export function OpsDisputePage({ id }: { id: string }) {
  const { t } = useOpsAfterSalesT();
  const format = useFormat();
  const operator = useOperator();
  const dispute = useAsync(() => api.get<OpsDispute>(`/v1/ops/disputes/${encodeURIComponent(id)}`), [id]);
  const [outcome, setOutcome] = useState<"won" | "lost">("won");
  const [note, setNote] = useState("");
  const decide = useAction(async () => {
    await api.post(`/v1/ops/disputes/${encodeURIComponent(id)}/decide`, { outcome, note: note || undefined });
    dispute.reload();
  });
  const d = dispute.data;
  const mayDecide = operator.role === "admin" || operator.role === "reviewer";
  return (
    <>
      <p>
        <Link to="/ops/disputes">{t("disputes.back")}</Link>
      </p>
      <h1>
        {t("dispute.title")} <code>{id}</code>
      </h1>
      <ErrorAlert error={dispute.error} />
      {d ? (
        <>
          <Card title={format.money(d.amount, d.currency)} actions={<DisputeBadge status={d.status} />}>
            <DefinitionList
              items={
                [
                  [t("dispute.merchant"), `${d.merchant.name} (${d.merchant.id})`],
                  [t("dispute.payer"), <code key="payer">{d.payer}</code>],
                  [t("dispute.payment"), <code key="payment">{d.payment}</code>],
                  [t("dispute.reason"), t(`reason.${d.reason}` as OpsAfterSalesKey)],
                  [t("dispute.payerSays"), d.payer_message ?? t("dispute.noMessage")],
                  [t("dispute.held"), format.money(d.amount_held, d.currency)],
                  [t("dispute.returned"), format.money(d.amount_returned, d.currency)],
                  [t("dispute.uncovered"), format.money(d.amount_uncovered, d.currency)],
                  [t("dispute.due"), format.date(d.evidence_details.due_by)],
                  [t("dispute.submitted"), format.date(d.evidence_details.submitted_at)],
                  [t("dispute.closed"), format.date(d.closed)],
                ] as [string, ReactNode][]
              }
            />
          </Card>
          <Card title={t("dispute.evidence")}>
            {d.evidence_details.submitted_at === null ? <p>{t("dispute.noEvidence")}</p> : null}
            {evidenceFields.map((field) =>
              d.evidence[field] ? (
                <div key={field} className="field">
                  <strong>{t(`evidence.${field}`)}</strong>
                  <p className="preserve-lines">{d.evidence[field]}</p>
                </div>
              ) : null,
            )}
            {d.evidence.files.length > 0 ? <h3>{t("dispute.files")}</h3> : null}
            <Files files={d.evidence.files} />
          </Card>
          {d.status === "under_review" && mayDecide ? (
            <Card title={t("dispute.decide")}>
              <p>{t("dispute.decideHint")}</p>
              <form
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  decide.run();
                }}
              >
                <SelectField
                  label={t("dispute.outcome")}
                  value={outcome}
                  onChange={(e) => setOutcome(e.target.value as "won" | "lost")}
                >
                  <option value="won">{t("dispute.outcome.won")}</option>
                  <option value="lost">{t("dispute.outcome.lost")}</option>
                </SelectField>
                <TextArea label={t("dispute.note")} value={note} onChange={setNote} />
                <ErrorAlert error={decide.error} />
                <Button type="submit" pending={decide.pending}>
                  {t("dispute.submit")}
                </Button>
              </form>
            </Card>
          ) : null}
          {d.status === "needs_response" ? <Alert kind="info">{t("dispute.notYet")}</Alert> : null}
          {d.status === "won" || d.status === "lost" ? (
            <Alert kind="success">{t("dispute.decided", { status: t(`dstatus.${d.status}`) })}</Alert>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function TicketBadge({ ticket }: { ticket: Pick<OpsTicket, "status" | "overdue"> }) {
  const { t } = useOpsAfterSalesT();
  const tone = ticket.status === "resolved" ? "good" : ticket.status === "open" ? "warn" : "info";
  return (
    <>
      <Badge tone={tone}>{t(`tstatus.${ticket.status}`)}</Badge>
      {ticket.overdue ? (
        <>
          {" "}
          <Badge tone="bad">{t("support.overdue")}</Badge>
        </>
      ) : null}
    </>
  );
}

export function OpsSupportPage() {
  const { t } = useOpsAfterSalesT();
  const format = useFormat();
  const [status, setStatus] = useState("open");
  const [overdue, setOverdue] = useState(false);
  const tickets = useAsync(
    () =>
      api.get<ListPage<OpsTicket>>("/v1/ops/support/tickets", {
        status: status || undefined,
        overdue: overdue || undefined,
        limit: 50,
      }),
    [status, overdue],
  );
  return (
    <>
      <h1>{t("support.title")}</h1>
      <p>{t("support.intro")}</p>
      <div className="form-row">
        <SelectField label={t("support.status")} value={status} onChange={(e) => setStatus(e.target.value)}>
          {(["open", "waiting_on_customer", "resolved"] as const).map((s) => (
            <option key={s} value={s}>
              {t(`tstatus.${s}`)}
            </option>
          ))}
          <option value="">{t("support.all")}</option>
        </SelectField>
        <label className="checkbox">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />{" "}
          {t("support.overdueOnly")}
        </label>
      </div>
      <ErrorAlert error={tickets.error} />
      {tickets.data ? (
        <DataTable
          rows={tickets.data.data}
          rowKey={(ticket) => ticket.id}
          caption={t("support.title")}
          empty={
            status === "open" && !overdue ? (
              <Empty icon={LifeBuoy} title={t("support.queueEmpty")}>
                {t("support.queueEmptyText")}
              </Empty>
            ) : status === "" && !overdue ? (
              <Empty icon={LifeBuoy} title={t("support.none")}>
                {t("support.noneText")}
              </Empty>
            ) : (
              <NoMatch
                title={t("support.empty")}
                clearLabel={t("support.showAll")}
                onClear={() => {
                  setStatus("");
                  setOverdue(false);
                }}
              >
                {t("support.emptyText")}
              </NoMatch>
            )
          }
          columns={[
            {
              header: t("support.col.subject"),
              render: (ticket) => (
                <Link to={`/ops/support/${ticket.id}`} aria-label={t("support.open", { subject: ticket.subject })}>
                  {ticket.subject}
                </Link>
              ),
            },
            {
              header: t("support.col.from"),
              render: (ticket) => `${t(`support.kind.${ticket.kind}`)}: ${ticket.customer_name ?? "—"}`,
            },
            { header: t("support.col.status"), render: (ticket) => <TicketBadge ticket={ticket} /> },
            {
              header: t("support.col.due"),
              render: (ticket) =>
                ticket.status === "resolved"
                  ? "—"
                  : format.date(ticket.first_responded_at ? ticket.resolution_due_at : ticket.first_response_due_at),
            },
            { header: t("support.col.updated"), render: (ticket) => format.date(ticket.last_message_at) },
          ]}
        />
      ) : (
        <Spinner label="…" />
      )}
    </>
  );
}

export function OpsTicketPage({ id }: { id: string }) {
  const { t } = useOpsAfterSalesT();
  const format = useFormat();
  const operator = useOperator();
  const ticket = useAsync(() => api.get<OpsTicket>(`/v1/ops/support/tickets/${encodeURIComponent(id)}`), [id]);
  const [body, setBody] = useState("");
  const [after, setAfter] = useState("waiting_on_customer");
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const reply = useAction(async () => {
    const attachments = file
      ? [{ filename: file.name, content_type: file.type, content_base64: await readAsBase64(file) }]
      : undefined;
    await api.post(`/v1/ops/support/tickets/${encodeURIComponent(id)}/messages`, { body, attachments, status: after });
    setBody("");
    setFile(null);
    setInputKey((k) => k + 1);
    ticket.reload();
  });
  const setStatus = useAction(async (status: string) => {
    await api.post(`/v1/ops/support/tickets/${encodeURIComponent(id)}`, { status });
    ticket.reload();
  });
  const data = ticket.data;
  const mayAnswer = operator.role === "admin" || operator.role === "support";
  return (
    <>
      <p>
        <Link to="/ops/support">{t("support.back")}</Link>
      </p>
      <ErrorAlert error={ticket.error} />
      {data ? (
        <>
          <h1>{data.subject}</h1>
          <Card actions={<TicketBadge ticket={data} />}>
            <DefinitionList
              items={
                [
                  [t("ticket.from"), `${t(`support.kind.${data.kind}`)}: ${data.customer_name ?? "—"}`],
                  ...(data.payment ? [[t("ticket.payment"), <code key="p">{data.payment}</code>]] : []),
                  [
                    t("ticket.firstResponse"),
                    data.first_responded_at
                      ? `${t("ticket.answered")} ${format.date(data.first_responded_at)}`
                      : format.date(data.first_response_due_at),
                  ],
                  [t("ticket.resolveBy"), format.date(data.resolution_due_at)],
                ] as [string, ReactNode][]
              }
            />
          </Card>
          {data.payment_timeline ? (
            <Card title={t("ticket.timeline")}>
              <ol className="timeline">
                {data.payment_timeline.events.map((e, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: one payment's events in order.
                  <li key={i}>
                    <code>{e.type}</code>{" "}
                    {e.amount ? format.money(e.amount, data.payment_timeline!.payment.currency) : null}{" "}
                    <span className="muted">{format.date(e.created)}</span>
                  </li>
                ))}
              </ol>
            </Card>
          ) : null}
          <Card title={t("ticket.thread")}>
            {(data.messages ?? []).length === 0 ? (
              <Empty compact icon={MessageSquare} title={t("ticket.noMessages")}>
                {t("ticket.noMessagesText")}
              </Empty>
            ) : null}
            <ol className="thread">
              {(data.messages ?? []).map((m) => (
                <li key={m.id} className={`message message-${m.author.side}`}>
                  <p className="message-meta">
                    <strong>
                      {m.author.type === "platform" ? t("ticket.you") : (m.author.name ?? t("ticket.customer"))}
                    </strong>{" "}
                    <span className="muted">{format.date(m.created)}</span>
                  </p>
                  <p className="preserve-lines">{m.body}</p>
                  <Files files={m.attachments} />
                </li>
              ))}
            </ol>
          </Card>
          {mayAnswer ? (
            <Card title={t("ticket.reply")}>
              <form
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  reply.run();
                }}
              >
                <TextArea label={t("ticket.reply")} value={body} onChange={setBody} />
                <TextField
                  key={inputKey}
                  label={t("ticket.attach")}
                  type="file"
                  accept="application/pdf,image/png,image/jpeg"
                  onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                />
                <SelectField label={t("ticket.after")} value={after} onChange={(e) => setAfter(e.target.value)}>
                  <option value="waiting_on_customer">{t("tstatus.waiting_on_customer")}</option>
                  <option value="open">{t("tstatus.open")}</option>
                  <option value="resolved">{t("tstatus.resolved")}</option>
                </SelectField>
                <ErrorAlert error={reply.error ?? setStatus.error} />
                <div className="button-row">
                  <Button type="submit" pending={reply.pending}>
                    {t("ticket.send")}
                  </Button>
                  <Button
                    variant="secondary"
                    pending={setStatus.pending}
                    onClick={() => setStatus.run(data.status === "resolved" ? "open" : "resolved")}
                  >
                    {data.status === "resolved" ? t("ticket.reopen") : t("ticket.resolve")}
                  </Button>
                </div>
              </form>
            </Card>
          ) : null}
        </>
      ) : null}
    </>
  );
}
