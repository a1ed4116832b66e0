import { Paperclip, Scale } from "lucide-react";
import { useId, useRef, useState } from "react";
import type { ListPage } from "../../shared/api";
import { readAsBase64, saveAttachment } from "../../shared/files";
import { allRules, apiLimits, Field, useApiForm, useRules } from "../../shared/form";
import { statusIcon } from "../../shared/icons";
import { Link } from "../../shared/router";
import { Alert, Badge, Button, Card, DefinitionList, Empty, NoMatch, SelectField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConfirmButton, ConsoleError, type Cursor, LoadedTable, Pager, useConsoleDescribe, useFormat } from "../common";
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
  return (
    <Badge tone={tone} icon={statusIcon(status)}>
      {t(`dstatus.${status}`)}
    </Badge>
  );
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
        empty={
          status ? (
            <NoMatch
              title={t("disputes.noMatch")}
              clearLabel={t("disputes.showAll")}
              onClear={() => {
                setCursor({});
                setStatus("");
              }}
            >
              {t("disputes.noMatchText")}
            </NoMatch>
          ) : (
            <Empty icon={Scale} title={t("disputes.empty")}>
              {t("disputes.emptyText")}
            </Empty>
          )
        }
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

type EvidenceFields = Record<EvidenceField, string> & { file: FileList | null };

/** coffer names a refused file by its place among the attachments; submitting with nothing names `submit`. */
const evidenceParams = { attachments: "file", submit: "explanation" } as const;
const evidenceFileTypes = ["application/pdf", "image/png", "image/jpeg"] as const;

function hasEvidence(values: Record<string, unknown>, savedFiles: number): boolean {
  const file = values.file as FileList | null | undefined;
  return savedFiles > 0 || (file?.length ?? 0) > 0 || evidenceFields.some((f) => String(values[f] ?? "").trim());
}

function EvidenceCard({ dispute, onChange }: { dispute: Dispute; onChange(): void }) {
  const { t } = useAfterSalesT();
  const me = useMe();
  const rules = useRules();
  const editable = dispute.status === "needs_response" && !dispute.evidence_details.past_due && canWrite(me);
  const form = useApiForm<EvidenceFields>({
    defaultValues: {
      ...(Object.fromEntries(evidenceFields.map((f) => [f, dispute.evidence[f] ?? ""])) as Record<
        EvidenceField,
        string
      >),
      file: null,
    },
    describe: useConsoleDescribe(),
    params: evidenceParams,
  });
  // Which button sent the form: submitting for review needs some evidence, a draft does not.
  const intent = useRef<"save" | "submit">("save");
  const [saved, setSaved] = useState(false);
  const save = async (values: EvidenceFields) => {
    const submit = intent.current === "submit";
    setSaved(false);
    const file = values.file?.[0];
    const attachments = file
      ? [{ filename: file.name, content_type: file.type, content_base64: await readAsBase64(file) }]
      : undefined;
    const { file: _file, ...texts } = values;
    await api.post(`/v1/disputes/${encodeURIComponent(dispute.id)}/evidence`, { ...texts, attachments, submit });
    form.setValue("file", null);
    setSaved(!submit);
    onChange();
  };
  const textRules = (field: EvidenceField) =>
    allRules(
      rules.maxLength(apiLimits.evidenceTextCharsMax),
      field === "explanation"
        ? rules.custom(
            "evidence",
            (_value, values) => intent.current === "save" || hasEvidence(values, dispute.evidence.files.length),
            "rule.evidence.empty",
          )
        : {},
    );
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
  const files = (
    <>
      <h3>{t("evidence.files")}</h3>
      {dispute.evidence.files.length === 0 ? (
        <Empty compact icon={Paperclip} title={t("evidence.noFiles")}>
          {t("evidence.noFilesText")}
        </Empty>
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
    </>
  );
  if (!editable) {
    return (
      <Card title={t("evidence.title")}>
        {evidenceFields.map((field) =>
          dispute.evidence[field] ? (
            <div key={field} className="field">
              <strong>{t(`evidence.${field}`)}</strong>
              <p className="preserve-lines">{dispute.evidence[field]}</p>
            </div>
          ) : null,
        )}
        {files}
      </Card>
    );
  }
  return (
    <Card title={t("evidence.title")}>
      <p>{t("evidence.hint")}</p>
      <form {...form.formProps} onSubmit={form.submitWith(save)}>
        {evidenceFields.map((field) => (
          <Field
            key={field}
            form={form}
            name={field}
            label={t(`evidence.${field}`)}
            multiline={longFields.has(field)}
            rules={textRules(field)}
          />
        ))}
        {files}
        <Field
          form={form}
          name="file"
          label={t("evidence.addFile")}
          type="file"
          accept={evidenceFileTypes.join(",")}
          rules={rules.file(evidenceFileTypes, apiLimits.evidenceFileBytesMax)}
        />
        <ConsoleError error={form.error ?? accept.error} />
        {saved ? <Alert kind="success">{t("evidence.saved")}</Alert> : null}
        <div className="button-row">
          <Button
            type="submit"
            variant="secondary"
            pending={form.pending}
            onClick={() => {
              intent.current = "save";
            }}
          >
            {t("evidence.save")}
          </Button>
          <Button
            type="submit"
            pending={form.pending}
            onClick={() => {
              intent.current = "submit";
            }}
          >
            {t("evidence.submit")}
          </Button>
          <ConfirmButton
            label={t("evidence.accept")}
            confirmLabel={t("evidence.acceptConfirm")}
            pending={accept.pending}
            onConfirm={() => accept.run()}
          />
        </div>
      </form>
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
