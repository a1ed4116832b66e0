import { useId, useState } from "react";
import type { ListPage } from "../../shared/api";
import { readAsBase64, saveAttachment } from "../../shared/files";
import { Link } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConfirmButton, ConsoleError, type Cursor, LoadedTable, Pager, useFormat } from "../common";
import { canWrite, useMe } from "../session";
import { type AfterSalesMessageKey, useAfterSalesT } from "./after-sales-messages";

/**
 * Disputes (src/disputes, docs/disputes.md): the list by status, and one dispute with what the payer says, the held
 * amount, the due date, and the evidence form (texts and files, saved as drafts, then submitted) or the outcome.
 */
const evidenceFields = [
  "explanation",
  "product_description",
  "customer_communication",
  "refund_policy",
  "shipping_carrier",
  "shipping_tracking_number",
] as const;
type EvidenceField = (typeof evidenceFields)[number];
const longFields = new Set<EvidenceField>([
  "explanation",
  "product_description",
  "customer_communication",
  "refund_policy",
]);

interface Attachment {
  id: string;
  filename: string | null;
  content_type: string;
  size: number;
  created: number;
}

export interface Dispute {
  id: string;
  livemode: boolean;
  payment: string;
  amount: string;
  currency: string;
  reason: string;
  status: "needs_response" | "under_review" | "won" | "lost";
  payer_message: string | null;
  evidence: Record<EvidenceField, string | null> & { files: Attachment[] };
  evidence_details: { due_by: number; submitted_at: number | null; past_due: boolean };
  amount_held: string;
  amount_returned: string;
  closed_by: "operator" | "sandbox" | "no_response" | "accepted" | null;
  decision_note: string | null;
  closed: number | null;
  created: number;
}

const statuses = ["needs_response", "under_review", "won", "lost"] as const;

export function DisputeStatus({ status }: { status: Dispute["status"] }) {
  const { t } = useAfterSalesT();
  const tone = status === "won" ? "good" : status === "lost" ? "bad" : status === "needs_response" ? "warn" : "info";
  return <Badge tone={tone}>{t(`dstatus.${status}`)}</Badge>;
}

export function DisputesPage() {
  const { t } = useAfterSalesT();
  const format = useFormat();
  const [status, setStatus] = useState("");
  const [cursor, setCursor] = useState<Cursor>({});
  const disputes = useAsync(
    () => api.get<ListPage<Dispute>>("/v1/disputes", { status: status || undefined, limit: 20, ...cursor }),
    [status, cursor],
  );
  return (
    <>
      <h1>{t("disputes.title")}</h1>
      <p>{t("disputes.intro")}</p>
      <div className="form-row">
        <SelectField
          label={t("disputes.filter")}
          value={status}
          onChange={(e) => {
            setCursor({});
            setStatus(e.target.value);
          }}
        >
          <option value="">{t("support.all")}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`dstatus.${s}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <LoadedTable
        state={disputes}
        rows={(page) => page.data}
        rowKey={(d) => d.id}
        caption={t("disputes.title")}
        empty={t("disputes.empty")}
        columns={[
          {
            header: t("disputes.col.amount"),
            className: "amount",
            render: (d) => (
              <Link
                to={`/disputes/${d.id}`}
                aria-label={t("disputes.open", {
                  amount: format.money(d.amount, d.currency),
                  date: format.date(d.created),
                })}
              >
                {format.money(d.amount, d.currency)}
              </Link>
            ),
          },
          { header: t("disputes.col.reason"), render: (d) => t(`reason.${d.reason}` as AfterSalesMessageKey) },
          { header: t("disputes.col.status"), render: (d) => <DisputeStatus status={d.status} /> },
          {
            header: t("disputes.col.due"),
            render: (d) => (d.status === "needs_response" ? format.date(d.evidence_details.due_by) : "—"),
          },
          {
            header: t("disputes.col.payment"),
            render: (d) => (
              <Link to={`/payments/${d.payment}`}>
                <code>{d.payment}</code>
              </Link>
            ),
          },
          { header: t("disputes.col.created"), render: (d) => format.date(d.created) },
        ]}
      />
      <Pager page={disputes.data} cursor={cursor} onChange={setCursor} />
    </>
  );
}

export function DisputePage({ id }: { id: string }) {
  const { t } = useAfterSalesT();
  const format = useFormat();
  const dispute = useAsync(() => api.get<Dispute>(`/v1/disputes/${encodeURIComponent(id)}`), [id]);
  const d = dispute.data;
  return (
    <>
      <p>
        <Link to="/disputes">{t("disputes.back")}</Link>
      </p>
      <h1>
        {t("dispute.title")} <code>{id}</code>
      </h1>
      <ConsoleError error={dispute.error} />
      {d ? (
        <>
          <Card
            title={<span className="big-amount">{format.money(d.amount, d.currency)}</span>}
            actions={<DisputeStatus status={d.status} />}
          >
            <DefinitionList
              items={[
                [
                  t("dispute.payment"),
                  <Link key="p" to={`/payments/${d.payment}`}>
                    <code>{d.payment}</code>
                  </Link>,
                ],
                [t("dispute.reason"), t(`reason.${d.reason}` as AfterSalesMessageKey)],
                [t("dispute.payerSays"), d.payer_message ?? t("dispute.noMessage")],
                ...(d.status === "needs_response" || d.status === "under_review"
                  ? [[t("dispute.held"), format.money(d.amount_held, d.currency)] as [string, string]]
                  : []),
                ...(d.status === "lost"
                  ? [[t("dispute.returned"), format.money(d.amount_returned, d.currency)] as [string, string]]
                  : []),
                [t("dispute.due"), format.date(d.evidence_details.due_by)],
                ...(d.evidence_details.submitted_at
                  ? [[t("dispute.submitted"), format.date(d.evidence_details.submitted_at)] as [string, string]]
                  : []),
                ...(d.closed
                  ? [
                      [t("dispute.closed"), format.date(d.closed)] as [string, string],
                      [t("dispute.outcome"), t(`dispute.closedBy.${d.closed_by}` as AfterSalesMessageKey)] as [
                        string,
                        string,
                      ],
                    ]
                  : []),
                ...(d.decision_note ? [[t("dispute.note"), d.decision_note] as [string, string]] : []),
              ]}
            />
            {d.evidence_details.past_due ? <Alert kind="warning">{t("dispute.pastDue")}</Alert> : null}
            {d.status === "won" ? <Alert kind="success">{t("dispute.won")}</Alert> : null}
            {d.status === "lost" ? <Alert kind="error">{t("dispute.lost")}</Alert> : null}
            {d.status === "under_review" ? <Alert kind="info">{t("dispute.review")}</Alert> : null}
          </Card>
          <EvidenceCard dispute={d} onChange={dispute.reload} />
        </>
      ) : null}
    </>
  );
}

function EvidenceCard({ dispute, onChange }: { dispute: Dispute; onChange(): void }) {
  const { t } = useAfterSalesT();
  const me = useMe();
  const editable = dispute.status === "needs_response" && !dispute.evidence_details.past_due && canWrite(me);
  const [texts, setTexts] = useState<Record<EvidenceField, string>>(
    () =>
      Object.fromEntries(evidenceFields.map((f) => [f, dispute.evidence[f] ?? ""])) as Record<EvidenceField, string>,
  );
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [saved, setSaved] = useState(false);
  const save = useAction(async (submit: boolean) => {
    setSaved(false);
    const attachments = file
      ? [{ filename: file.name, content_type: file.type, content_base64: await readAsBase64(file) }]
      : undefined;
    await api.post(`/v1/disputes/${encodeURIComponent(dispute.id)}/evidence`, { ...texts, attachments, submit });
    setFile(null);
    setInputKey((k) => k + 1);
    setSaved(!submit);
    onChange();
  });
  const accept = useAction(async () => {
    await api.post(`/v1/disputes/${encodeURIComponent(dispute.id)}/close`, {});
    onChange();
  });
  const download = useAction(async (attachmentId: string) => {
    saveAttachment(
      await api.get<{ filename: string | null; content_type: string; content_base64: string }>(
        `/v1/support/attachments/${encodeURIComponent(attachmentId)}`,
      ),
    );
  });
  return (
    <Card title={t("evidence.title")}>
      {editable ? <p>{t("evidence.hint")}</p> : null}
      {evidenceFields.map((field) =>
        editable ? (
          longFields.has(field) ? (
            <TextArea
              key={field}
              label={t(`evidence.${field}`)}
              value={texts[field]}
              onChange={(value) => setTexts({ ...texts, [field]: value })}
            />
          ) : (
            <TextField
              key={field}
              label={t(`evidence.${field}`)}
              value={texts[field]}
              onChange={(e) => setTexts({ ...texts, [field]: e.target.value })}
            />
          )
        ) : dispute.evidence[field] ? (
          <div key={field} className="field">
            <strong>{t(`evidence.${field}`)}</strong>
            <p className="preserve-lines">{dispute.evidence[field]}</p>
          </div>
        ) : null,
      )}
      <h3>{t("evidence.files")}</h3>
      {dispute.evidence.files.length === 0 ? (
        <Empty>{t("evidence.noFiles")}</Empty>
      ) : (
        <ul className="attachments">
          {dispute.evidence.files.map((f) => (
            <li key={f.id}>
              {f.filename ?? f.id}{" "}
              <Button variant="link" onClick={() => download.run(f.id)}>
                {t("evidence.download")}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConsoleError error={download.error} />
      {editable ? (
        <>
          <TextField
            key={inputKey}
            label={t("evidence.addFile")}
            type="file"
            accept="application/pdf,image/png,image/jpeg"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <ConsoleError error={save.error ?? accept.error} />
          {saved ? <Alert kind="success">{t("evidence.saved")}</Alert> : null}
          <div className="button-row">
            <Button variant="secondary" pending={save.pending} onClick={() => save.run(false)}>
              {t("evidence.save")}
            </Button>
            <Button pending={save.pending} onClick={() => save.run(true)}>
              {t("evidence.submit")}
            </Button>
            <ConfirmButton
              label={t("evidence.accept")}
              confirmLabel={t("evidence.acceptConfirm")}
              pending={accept.pending}
              onConfirm={() => accept.run()}
            />
          </div>
        </>
      ) : null}
    </Card>
  );
}

/** A labelled multi-line text field. */
export function TextArea({ label, value, onChange }: { label: string; value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
