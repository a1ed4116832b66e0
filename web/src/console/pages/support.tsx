import { Clock, LifeBuoy, MessageSquare } from "lucide-react";
import { type ReactNode, useState } from "react";
import type { ListPage } from "../../shared/api";
import { readAsBase64, saveAttachment } from "../../shared/files";
import { Link, navigate } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, NoMatch, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ActionForm, ConsoleError, type Cursor, LoadedTable, Pager, useFormat } from "../common";
import { useMe } from "../session";
import { type AfterSalesMessageKey, useAfterSalesT } from "./after-sales-messages";
import { TextArea } from "./disputes";

/**
 * Support (src/support, docs/support.md): the inbox of customers' tickets about payments and the merchant's own tickets
 * to coffer, with status and overdue deadlines; one ticket with its thread, files, the payment's timeline, replies
 * (with a file and the status after) and resolving or reopening; a form to ask coffer.
 */
interface Attachment {
  id: string;
  filename: string | null;
  content_type: string;
  size: number;
}

interface Message {
  id: string;
  author: { type: "payer" | "merchant" | "platform"; name: string | null; side: "customer" | "agent" };
  body: string;
  attachments: Attachment[];
  created: number;
}

export interface Ticket {
  id: string;
  kind: "payment" | "wallet" | "merchant";
  subject: string;
  status: "open" | "waiting_on_customer" | "resolved";
  payment: string | null;
  merchant_name: string | null;
  customer_name: string | null;
  first_response_due_at: number;
  first_responded_at: number | null;
  resolution_due_at: number;
  resolved_at: number | null;
  overdue: boolean;
  message_count: number;
  last_message_at: number;
  created: number;
  messages: Message[] | null;
  payment_timeline: {
    payment: { id: string; amount: string; currency: string; status: string; created: number };
    events: { type: string; created: number; object: string | null; amount: string | null }[];
  } | null;
}

export function TicketStatus({ ticket, mine }: { ticket: Pick<Ticket, "status" | "overdue">; mine?: boolean }) {
  const { t } = useAfterSalesT();
  const tone = ticket.status === "resolved" ? "good" : ticket.status === "open" ? "warn" : "info";
  const key =
    ticket.status === "waiting_on_customer" && mine ? "tstatus.waiting_on_customer.mine" : `tstatus.${ticket.status}`;
  return (
    <>
      <Badge tone={tone}>{t(key as AfterSalesMessageKey)}</Badge>
      {ticket.overdue ? (
        <>
          {" "}
          <Badge tone="bad">{t("support.overdue")}</Badge>
        </>
      ) : null}
    </>
  );
}

export function SupportPage() {
  const { t } = useAfterSalesT();
  const format = useFormat();
  const [kind, setKind] = useState("payment");
  const [status, setStatus] = useState("");
  const [cursor, setCursor] = useState<Cursor>({});
  const [asking, setAsking] = useState(false);
  const tickets = useAsync(
    () =>
      api.get<ListPage<Ticket>>("/v1/support/tickets", {
        kind: kind || undefined,
        status: status || undefined,
        limit: 20,
        ...cursor,
      }),
    [kind, status, cursor],
  );
  return (
    <>
      <h1>{t("support.title")}</h1>
      <p>{t("support.intro")}</p>
      {asking ? (
        <Card title={t("support.newTitle")}>
          <NewTicketForm onCreated={(id) => navigate(`/support/${id}`)} />
        </Card>
      ) : (
        <p>
          <Button icon={MessageSquare} onClick={() => setAsking(true)}>
            {t("support.new")}
          </Button>
        </p>
      )}
      <div className="form-row">
        <SelectField
          label={t("support.col.from")}
          value={kind}
          onChange={(e) => {
            setCursor({});
            setKind(e.target.value);
          }}
        >
          <option value="payment">{t("support.inbox")}</option>
          <option value="merchant">{t("support.mine")}</option>
          <option value="">{t("support.all")}</option>
        </SelectField>
        <SelectField
          label={t("support.status")}
          value={status}
          onChange={(e) => {
            setCursor({});
            setStatus(e.target.value);
          }}
        >
          <option value="">{t("support.all")}</option>
          {(["open", "waiting_on_customer", "resolved"] as const).map((s) => (
            <option key={s} value={s}>
              {t(`tstatus.${s}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <LoadedTable
        state={tickets}
        rows={(page) => page.data}
        rowKey={(ticket) => ticket.id}
        caption={t("support.title")}
        empty={
          status ? (
            <NoMatch
              title={t("support.noMatch")}
              clearLabel={t("support.showAll")}
              onClear={() => {
                setCursor({});
                setStatus("");
              }}
            >
              {t("support.noMatchText")}
            </NoMatch>
          ) : kind === "payment" ? (
            <Empty icon={LifeBuoy} title={t("support.empty")}>
              {t("support.emptyText")}
            </Empty>
          ) : kind === "" ? (
            <Empty icon={LifeBuoy} title={t("support.emptyAll")}>
              {t("support.emptyAllText")}
            </Empty>
          ) : (
            <Empty
              icon={LifeBuoy}
              title={t("support.emptyMine")}
              action={
                asking ? undefined : (
                  <Button icon={MessageSquare} onClick={() => setAsking(true)}>
                    {t("support.askFirst")}
                  </Button>
                )
              }
            >
              {t("support.emptyMineText")}
            </Empty>
          )
        }
        columns={[
          {
            header: t("support.col.subject"),
            render: (ticket) => (
              <Link to={`/support/${ticket.id}`} aria-label={t("support.open", { subject: ticket.subject })}>
                {ticket.subject}
              </Link>
            ),
          },
          {
            header: t("support.col.from"),
            render: (ticket) =>
              ticket.kind === "payment" ? (ticket.customer_name ?? t("ticket.customer")) : t("ticket.kind.merchant"),
          },
          {
            header: t("support.col.status"),
            render: (ticket) => <TicketStatus ticket={ticket} mine={ticket.kind === "merchant"} />,
          },
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
      <Pager page={tickets.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}

function NewTicketForm({ onCreated }: { onCreated(id: string): void }) {
  const { t } = useAfterSalesT();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [payment, setPayment] = useState("");
  const create = useAction(async () => {
    const ticket = await api.post<Ticket>("/v1/support/tickets", {
      subject,
      body,
      payment: payment.trim() || undefined,
    });
    onCreated(ticket.id);
  });
  return (
    <ActionForm action={create} submitLabel={t("support.send")}>
      <TextField label={t("support.subject")} value={subject} onChange={(e) => setSubject(e.target.value)} />
      <TextArea label={t("support.body")} value={body} onChange={setBody} />
      <TextField
        label={t("support.payment")}
        placeholder={t("support.paymentHint")}
        value={payment}
        onChange={(e) => setPayment(e.target.value)}
      />
    </ActionForm>
  );
}

export function TicketPage({ id }: { id: string }) {
  const { t } = useAfterSalesT();
  const format = useFormat();
  const ticket = useAsync(() => api.get<Ticket>(`/v1/support/tickets/${encodeURIComponent(id)}`), [id]);
  const data = ticket.data;
  return (
    <>
      <p>
        <Link to="/support">{t("support.back")}</Link>
      </p>
      <ConsoleError error={ticket.error} />
      {data ? (
        <>
          <h1>{data.subject}</h1>
          <Card actions={<TicketStatus ticket={data} mine={data.kind === "merchant"} />}>
            <DefinitionList
              items={[
                [
                  t("ticket.from"),
                  data.kind === "payment" ? (data.customer_name ?? t("ticket.customer")) : t("ticket.kind.merchant"),
                ],
                ...(data.payment
                  ? [
                      [
                        t("dispute.payment"),
                        <Link key="p" to={`/payments/${data.payment}`}>
                          <code>{data.payment}</code>
                        </Link>,
                      ] as [string, ReactNode],
                    ]
                  : []),
                [
                  t("ticket.firstResponse"),
                  data.first_responded_at
                    ? `${t("ticket.answered")} ${format.date(data.first_responded_at)}`
                    : format.date(data.first_response_due_at),
                ],
                [t("ticket.resolveBy"), format.date(data.resolution_due_at)],
              ]}
            />
          </Card>
          {data.payment_timeline ? <Timeline timeline={data.payment_timeline} /> : null}
          <Thread ticket={data} />
          <ReplyCard ticket={data} onChange={ticket.reload} />
        </>
      ) : null}
    </>
  );
}

function Timeline({ timeline }: { timeline: NonNullable<Ticket["payment_timeline"]> }) {
  const { t } = useAfterSalesT();
  const format = useFormat();
  return (
    <Card title={t("ticket.timeline")}>
      <p>
        {format.money(timeline.payment.amount, timeline.payment.currency)} · <code>{timeline.payment.id}</code>
      </p>
      {timeline.events.length === 0 ? (
        <Empty compact icon={Clock} title={t("ticket.noTimeline")}>
          {t("ticket.noTimelineText")}
        </Empty>
      ) : (
        <ol className="timeline">
          {timeline.events.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: events of one payment, in order, never reordered.
            <li key={i}>
              <code>{e.type}</code> {e.amount ? format.money(e.amount, timeline.payment.currency) : null}{" "}
              <span className="muted">{format.date(e.created)}</span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

function Thread({ ticket }: { ticket: Ticket }) {
  const { t } = useAfterSalesT();
  const format = useFormat();
  const me = useMe();
  const download = useAction(async (attachmentId: string) => {
    saveAttachment(
      await api.get<{ filename: string | null; content_type: string; content_base64: string }>(
        `/v1/support/attachments/${encodeURIComponent(attachmentId)}`,
      ),
    );
  });
  const authorOf = (m: Message) =>
    m.author.type === "platform"
      ? t("ticket.platform")
      : m.author.type === "merchant"
        ? (m.author.name ?? me.business_name)
        : (m.author.name ?? t("ticket.customer"));
  return (
    <Card title={t("ticket.thread")}>
      <ol className="thread">
        {(ticket.messages ?? []).map((m) => (
          <li key={m.id} className={`message message-${m.author.side}`}>
            <p className="message-meta">
              <strong>{authorOf(m)}</strong> <span className="muted">{format.date(m.created)}</span>
            </p>
            <p className="preserve-lines">{m.body}</p>
            {m.attachments.length > 0 ? (
              <ul className="attachments">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    <Button variant="link" onClick={() => download.run(a.id)}>
                      {a.filename ?? a.id}
                    </Button>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      <ConsoleError error={download.error} />
    </Card>
  );
}

function ReplyCard({ ticket, onChange }: { ticket: Ticket; onChange(): void }) {
  const { t } = useAfterSalesT();
  const me = useMe();
  const agent = ticket.kind === "payment";
  const [body, setBody] = useState("");
  const [after, setAfter] = useState(agent ? "waiting_on_customer" : "open");
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const send = useAction(async () => {
    const attachments = file
      ? [{ filename: file.name, content_type: file.type, content_base64: await readAsBase64(file) }]
      : undefined;
    await api.post(`/v1/support/tickets/${encodeURIComponent(ticket.id)}/messages`, {
      body,
      attachments,
      ...(agent ? { status: after } : {}),
    });
    setBody("");
    setFile(null);
    setInputKey((k) => k + 1);
    onChange();
  });
  const setStatus = useAction(async (status: string) => {
    await api.post(`/v1/support/tickets/${encodeURIComponent(ticket.id)}`, { status });
    onChange();
  });
  if (me.role === "viewer") return null;
  return (
    <Card title={t("ticket.reply")}>
      <p>{t("ticket.replyHint")}</p>
      <ActionForm action={send} submitLabel={t("ticket.send")}>
        <TextArea label={t("ticket.reply")} value={body} onChange={setBody} />
        <TextField
          key={inputKey}
          label={t("ticket.attach")}
          type="file"
          accept="application/pdf,image/png,image/jpeg"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        {agent ? (
          <SelectField label={t("ticket.after")} value={after} onChange={(e) => setAfter(e.target.value)}>
            <option value="waiting_on_customer">{t("tstatus.waiting_on_customer")}</option>
            <option value="open">{t("tstatus.open")}</option>
            <option value="resolved">{t("tstatus.resolved")}</option>
          </SelectField>
        ) : null}
      </ActionForm>
      <ConsoleError error={setStatus.error} />
      <p className="button-row">
        {ticket.status === "resolved" ? (
          <Button variant="secondary" pending={setStatus.pending} onClick={() => setStatus.run("open")}>
            {t("ticket.reopen")}
          </Button>
        ) : (
          <Button variant="secondary" pending={setStatus.pending} onClick={() => setStatus.run("resolved")}>
            {t("ticket.resolve")}
          </Button>
        )}
      </p>
      {ticket.status === "resolved" ? <Alert kind="success">{t("tstatus.resolved")}</Alert> : null}
    </Card>
  );
}
