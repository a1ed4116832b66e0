import { LifeBuoy, MessageSquare } from "lucide-react";
import { type ReactNode, useId, useState } from "react";
import { ApiRequestError, type ListPage } from "../../shared/api";
import { readAsBase64, saveAttachment } from "../../shared/files";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, Empty, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { Problem } from "../components";
import { paths, useSession } from "../session";
import { useSupportT } from "./messages";

/**
 * The payer's after-sales pages (docs/support.md, docs/disputes.md): "Get help" and "Dispute" on a paid payment, and
 * the payer's conversations with merchants and coffer. Loaded on demand (./lazy.tsx).
 */
interface Attachment {
  id: string;
  filename: string | null;
}

interface Ticket {
  id: string;
  kind: "payment" | "wallet" | "merchant";
  subject: string;
  status: "open" | "waiting_on_customer" | "resolved";
  payment: string | null;
  merchant_name: string | null;
  first_response_due_at: number;
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
}

interface WalletDispute {
  id: string;
  status: "needs_response" | "under_review" | "won" | "lost";
  amount: string;
  currency: string;
  evidence_due_by: number;
  amount_returned: string;
}

const reasons = [
  "product_not_received",
  "product_unacceptable",
  "credit_not_processed",
  "duplicate",
  "fraudulent",
  "general",
] as const;

function TextArea({ label, value, onChange }: { label: string; value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function Form({ onSubmit, children }: { onSubmit(): void; children: ReactNode }) {
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** Runs one request of a form: pending, error, and the answer. */
function useSubmit<T>(send: () => Promise<T>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setPending(true);
    setError(null);
    try {
      return await send();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error };
}

/** On a paid payment's page: ask its merchant, or dispute it; a dispute already opened shows where it stands. */
export function PaymentHelp({
  payment,
}: {
  payment: { id: string; amount: string; currency: string; merchant: { name: string } };
}) {
  const { t, locale } = useSupportT();
  const { api } = useSession();
  const merchant = payment.merchant.name;
  const amount = formatMoney(payment.amount, payment.currency, locale);
  const dispute = useAsync(async () => {
    try {
      return await api.get<WalletDispute>(`/v1/wallet/payments/${encodeURIComponent(payment.id)}/dispute`);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }, [api, payment.id]);
  const [mode, setMode] = useState<"none" | "ask" | "dispute">("none");
  const [subject, setSubject] = useState(() => t("help.subjectDefault", { amount }));
  const [message, setMessage] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [reason, setReason] = useState<string>("product_not_received");
  const [sent, setSent] = useState<Ticket | null>(null);
  const ask = useSubmit(async () => {
    const attachments = file
      ? [{ filename: file.name, content_type: file.type, content_base64: await readAsBase64(file) }]
      : undefined;
    const ticket = await api.post<Ticket>("/v1/wallet/support/tickets", {
      subject,
      body: message,
      payment: payment.id,
      attachments,
    });
    setSent(ticket);
    setMode("none");
  });
  const open = useSubmit(async () => {
    await api.post(`/v1/wallet/payments/${encodeURIComponent(payment.id)}/dispute`, {
      reason,
      message: message || undefined,
    });
    setMode("none");
    dispute.reload();
  });
  if (dispute.data === undefined) return dispute.status === "error" ? <Problem error={dispute.error} /> : null;
  const d = dispute.data;
  return (
    <section className="payment-help" aria-label={t("help.title")}>
      {d ? (
        <Alert kind={d.status === "lost" ? "success" : "info"}>
          <strong>{t("dispute.status")}:</strong>{" "}
          {t(`dispute.status.${d.status}`, {
            merchant,
            date: formatDateTime(d.evidence_due_by, locale),
            amount: formatMoney(d.amount_returned, d.currency, locale),
          })}
        </Alert>
      ) : null}
      {sent ? (
        <Alert kind="success">
          {t("help.sent", { merchant })} <Link to={paths.ticket(sent.id)}>{t("help.open")}</Link>
        </Alert>
      ) : null}
      {mode === "none" ? (
        <>
          <h2>{t("help.title")}</h2>
          <p>{t("help.intro", { merchant })}</p>
          <div className="button-row">
            <Button variant="secondary" onClick={() => setMode("ask")}>
              {t("help.ask")}
            </Button>
            {d ? null : (
              <Button variant="secondary" onClick={() => setMode("dispute")}>
                {t("help.dispute")}
              </Button>
            )}
          </div>
        </>
      ) : null}
      {mode === "ask" ? (
        <Card title={t("help.ask")}>
          <Form onSubmit={() => ask.run()}>
            <TextField label={t("help.subject")} value={subject} onChange={(e) => setSubject(e.target.value)} />
            <TextArea label={t("help.message")} value={message} onChange={setMessage} />
            <TextField
              label={t("help.attach")}
              type="file"
              accept="application/pdf,image/png,image/jpeg"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
            <Problem error={ask.error} />
            <div className="button-row">
              <Button type="submit" pending={ask.pending}>
                {t("help.send", { merchant })}
              </Button>
              <Button variant="link" onClick={() => setMode("none")}>
                {t("dispute.cancel")}
              </Button>
            </div>
          </Form>
        </Card>
      ) : null}
      {mode === "dispute" ? (
        <Card title={t("dispute.title")}>
          <p>{t("dispute.intro", { merchant })}</p>
          <Form onSubmit={() => open.run()}>
            <SelectField label={t("dispute.reason")} value={reason} onChange={(e) => setReason(e.target.value)}>
              {reasons.map((r) => (
                <option key={r} value={r}>
                  {t(`dispute.reason.${r}`)}
                </option>
              ))}
            </SelectField>
            <TextArea label={t("dispute.message")} value={message} onChange={setMessage} />
            <Problem error={open.error} />
            <div className="button-row">
              <Button type="submit" variant="danger" pending={open.pending}>
                {t("dispute.submit")}
              </Button>
              <Button variant="link" onClick={() => setMode("none")}>
                {t("dispute.cancel")}
              </Button>
            </div>
          </Form>
        </Card>
      ) : null}
    </section>
  );
}

function TicketBadge({ status }: { status: Ticket["status"] }) {
  const { t } = useSupportT();
  return (
    <Badge tone={status === "resolved" ? "good" : status === "waiting_on_customer" ? "info" : "warn"}>
      {t(`tstatus.${status}`)}
    </Badge>
  );
}

/** The payer's conversations, newest first, and a form to ask coffer. */
export function SupportPage() {
  const { t, locale } = useSupportT();
  const { api } = useSession();
  const list = useAsync(() => api.get<ListPage<Ticket>>("/v1/wallet/support/tickets", { limit: 50 }), [api]);
  const [asking, setAsking] = useState(false);
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const create = useSubmit(async () => {
    const ticket = await api.post<Ticket>("/v1/wallet/support/tickets", { subject, body: message });
    navigate(paths.ticket(ticket.id));
  });
  return (
    <>
      <h1>{t("support.title")}</h1>
      <p>{t("support.intro")}</p>
      {asking ? (
        <Card title={t("support.newTitle")}>
          <Form onSubmit={() => create.run()}>
            <TextField label={t("support.subject")} value={subject} onChange={(e) => setSubject(e.target.value)} />
            <TextArea label={t("support.message")} value={message} onChange={setMessage} />
            <Problem error={create.error} />
            <Button type="submit" pending={create.pending}>
              {t("support.send")}
            </Button>
          </Form>
        </Card>
      ) : (
        <p>
          <Button variant="secondary" icon={MessageSquare} onClick={() => setAsking(true)}>
            {t("support.new")}
          </Button>
        </p>
      )}
      {list.data ? (
        list.data.data.length === 0 ? (
          <Empty
            icon={LifeBuoy}
            title={t("support.empty")}
            action={
              asking ? undefined : (
                <Button icon={MessageSquare} onClick={() => setAsking(true)}>
                  {t("support.askFirst")}
                </Button>
              )
            }
          >
            {t("support.empty.text")}
          </Empty>
        ) : (
          <ul className="plain-list">
            {list.data.data.map((ticket) => (
              <li key={ticket.id} className="card">
                <Link to={paths.ticket(ticket.id)}>{ticket.subject}</Link> <TicketBadge status={ticket.status} />
                <p className="field-hint">
                  {ticket.kind === "payment"
                    ? t("support.to.merchant", { merchant: ticket.merchant_name ?? "" })
                    : t("support.to.platform")}{" "}
                  · {formatDateTime(ticket.last_message_at, locale)}
                </p>
              </li>
            ))}
          </ul>
        )
      ) : list.status === "error" ? (
        <Problem error={list.error} />
      ) : (
        <Spinner label="…" />
      )}
    </>
  );
}

/** One conversation: the thread with files, a reply, and marking it solved (or reopening it). */
export function TicketPage({ id }: { id: string }) {
  const { t, locale } = useSupportT();
  const { api } = useSession();
  const ticket = useAsync(() => api.get<Ticket>(`/v1/wallet/support/tickets/${encodeURIComponent(id)}`), [api, id]);
  const [message, setMessage] = useState("");
  const reply = useSubmit(async () => {
    await api.post(`/v1/wallet/support/tickets/${encodeURIComponent(id)}/messages`, { body: message });
    setMessage("");
    ticket.reload();
  });
  const status = useSubmit(async () => {
    const next = ticket.data?.status === "resolved" ? "open" : "resolved";
    await api.post(`/v1/wallet/support/tickets/${encodeURIComponent(id)}`, { status: next });
    ticket.reload();
  });
  const data = ticket.data;
  if (!data) return ticket.status === "error" ? <Problem error={ticket.error} /> : <Spinner label="…" />;
  const other = data.kind === "payment" ? (data.merchant_name ?? "") : t("support.platform");
  return (
    <>
      <p>
        <Link to={paths.support}>{t("support.back")}</Link>
      </p>
      <h1>{data.subject}</h1>
      <p>
        <TicketBadge status={data.status} />{" "}
        {data.kind === "payment" ? t("support.to.merchant", { merchant: other }) : t("support.to.platform")}
      </p>
      {data.status === "open" ? (
        <p className="field-hint">
          {t("support.answerBy", { date: formatDateTime(data.first_response_due_at, locale) })}
        </p>
      ) : null}
      <ol className="thread">
        {(data.messages ?? []).map((m) => (
          <li key={m.id} className={`message message-${m.author.side}`}>
            <p className="message-meta">
              <strong>
                {m.author.type === "payer"
                  ? t("support.you")
                  : m.author.type === "platform"
                    ? t("support.platform")
                    : (m.author.name ?? other)}
              </strong>{" "}
              <span className="muted">{formatDateTime(m.created, locale)}</span>
            </p>
            <p className="preserve-lines">{m.body}</p>
            {m.attachments.length > 0 ? (
              <ul className="attachments">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    <Button
                      variant="link"
                      onClick={async () =>
                        saveAttachment(
                          await api.get<{ filename: string | null; content_type: string; content_base64: string }>(
                            `/v1/wallet/support/attachments/${encodeURIComponent(a.id)}`,
                          ),
                        )
                      }
                    >
                      {a.filename ?? a.id}
                    </Button>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      <Form onSubmit={() => reply.run()}>
        <TextArea label={t("support.reply")} value={message} onChange={setMessage} />
        <Problem error={reply.error ?? status.error} />
        <div className="button-row">
          <Button type="submit" pending={reply.pending}>
            {t("support.sendReply")}
          </Button>
          <Button variant="secondary" pending={status.pending} onClick={() => status.run()}>
            {data.status === "resolved" ? t("support.reopen") : t("support.resolve")}
          </Button>
        </div>
      </Form>
    </>
  );
}
