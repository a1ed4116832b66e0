import { type FormEvent, useEffect, useState } from "react";
import { Alert, Badge, Button, Card, DefinitionList, ErrorAlert, Spinner, statusTone } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type KybApplication, type KybDocument } from "../api";
import { BackLink, Loaded, When } from "../common";
import { useT } from "../messages";
import { can, useOperator } from "../session";

/**
 * One KYB application: what the merchant filled in (reviewers see the numbers in full), its documents (images
 * shown inline, PDFs downloaded), its history, and the decisions: start review, approve, reject with a reason,
 * or ask for more information with a message.
 */
const decidable = new Set(["submitted", "in_review"]);

export function KybApplicationPage({ id }: { id: string }) {
  const { t } = useT();
  const application = useAsync(() => api.get<KybApplication>(`/v1/ops/kyb_applications/${id}`), [id]);
  const [decided, setDecided] = useState<KybApplication | null>(null);
  const current = decided ?? application.data;
  return (
    <>
      <BackLink to="/ops/kyb" />
      <Loaded state={application}>
        {() =>
          current ? (
            <>
              <h1>
                {t("kyb.detailTitle", { name: current.business_name })}{" "}
                <Badge tone={statusTone(current.state)}>{t(`state.${current.state}`)}</Badge>
              </h1>
              <Details application={current} />
              <Documents application={current} />
              <Decisions application={current} onDecided={setDecided} />
              <History application={current} />
            </>
          ) : null
        }
      </Loaded>
    </>
  );
}

function Details({ application }: { application: KybApplication }) {
  const { t } = useT();
  const none = t("common.none");
  const masked = (full: string | null, last4: string | null) => full ?? (last4 ? t("kyb.masked", { last4 }) : none);
  const address = application.registered_address;
  return (
    <Card title={t("kyb.company")}>
      <DefinitionList
        items={[
          [t("kyb.merchant"), <code key="m">{application.merchant}</code>],
          [t("kyb.legalName"), application.legal_name ?? none],
          [t("kyb.registrationNumber"), application.registration_number ?? none],
          [t("kyb.country"), application.country ?? none],
          [
            t("kyb.address"),
            address
              ? [address.line1, address.line2, address.city, address.region, address.postal_code]
                  .filter(Boolean)
                  .join(", ")
              : none,
          ],
          [t("kyb.category"), application.business_category ?? none],
          [t("kyb.website"), application.website ?? none],
          [t("kyb.representative"), application.representative.name ?? none],
          [t("kyb.idNumber"), masked(application.representative.id_number, application.representative.id_number_last4)],
          [t("kyb.holder"), application.bank_account.holder_name ?? none],
          [t("kyb.bank"), application.bank_account.bank_name ?? none],
          [
            t("kyb.accountNumber"),
            masked(application.bank_account.account_number, application.bank_account.account_number_last4),
          ],
          [t("kyb.submitted"), <When key="s" at={application.submitted_at} />],
        ]}
      />
    </Card>
  );
}

interface OpenedDocument {
  id: string;
  url: string;
  contentType: KybDocument["content_type"];
  name: string;
}

function base64ToBlob(base64: string, contentType: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return new Blob([bytes], { type: contentType });
}

function Documents({ application }: { application: KybApplication }) {
  const { t } = useT();
  const operator = useOperator();
  const [opened, setOpened] = useState<OpenedDocument | null>(null);
  useEffect(() => () => (opened ? URL.revokeObjectURL(opened.url) : undefined), [opened]);
  const nameOf = (document: KybDocument) => document.filename ?? t(`kyb.docType.${document.type}`);
  const open = useAction(async (document: KybDocument) => {
    const file = await api.get<{ content_base64: string; content_type: KybDocument["content_type"] }>(
      `/v1/ops/kyb_applications/${application.id}/documents/${document.id}`,
    );
    const url = URL.createObjectURL(base64ToBlob(file.content_base64, file.content_type));
    setOpened({ id: document.id, url, contentType: file.content_type, name: nameOf(document) });
  });
  const mayOpen = can(operator, "kyb.documents");
  return (
    <Card title={t("kyb.documents")}>
      {application.documents.length === 0 ? <p>{t("kyb.noDocuments")}</p> : null}
      {!mayOpen && application.documents.length > 0 ? <p>{t("kyb.documentsHidden")}</p> : null}
      <ul className="ops-documents">
        {application.documents.map((document) => (
          <li key={document.id}>
            <strong>{t(`kyb.docType.${document.type}`)}</strong> — {document.filename ?? document.id} (
            {Math.ceil(document.size / 1024)} KB){" "}
            {mayOpen ? (
              <Button variant="secondary" pending={open.pending} onClick={() => open.run(document)}>
                {document.content_type === "application/pdf"
                  ? t("kyb.downloadDocument", { name: nameOf(document) })
                  : t("kyb.viewDocument", { name: nameOf(document) })}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {open.pending ? <Spinner label={t("kyb.documentLoading")} /> : null}
      <ErrorAlert error={open.error} />
      {opened ? (
        <div className="ops-document">
          {opened.contentType === "application/pdf" ? (
            <DownloadLink url={opened.url} name={opened.name} />
          ) : (
            <img src={opened.url} alt={t("kyb.documentPreview", { name: opened.name })} />
          )}
        </div>
      ) : null}
    </Card>
  );
}

/** A PDF is offered as a download (the CSP keeps documents out of frames); the link is clicked for the operator. */
function DownloadLink({ url, name }: { url: string; name: string }) {
  const { t } = useT();
  const fileName = name.toLowerCase().endsWith(".pdf") ? name : `${name}.pdf`;
  useEffect(() => {
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.click();
  }, [url, fileName]);
  return (
    <a href={url} download={fileName}>
      {t("kyb.downloadDocument", { name })}
    </a>
  );
}

function Decisions({
  application,
  onDecided,
}: {
  application: KybApplication;
  onDecided(application: KybApplication): void;
}) {
  const { t } = useT();
  const operator = useOperator();
  const [form, setForm] = useState<"reject" | "request_info" | null>(null);
  const [text, setText] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const decide = useAction(async (decision: "start_review" | "approve" | "reject" | "request_info") => {
    const reasons = decision === "reject" || decision === "request_info" ? [text.trim()] : undefined;
    const next = await api.post<KybApplication>(
      `/v1/ops/kyb_applications/${application.id}/${decision}`,
      reasons ? { reasons } : {},
    );
    setForm(null);
    setText("");
    setDone(t("kyb.decided", { state: t(`state.${next.state}`) }));
    onDecided(next);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form) decide.run(form);
  };
  if (!can(operator, "kyb.decide")) {
    return (
      <Card title={t("kyb.decisions")}>
        <p>{t("kyb.noDecision")}</p>
      </Card>
    );
  }
  return (
    <Card title={t("kyb.decisions")}>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {decidable.has(application.state) ? (
        <>
          <div className="button-row">
            {application.state === "submitted" ? (
              <Button variant="secondary" pending={decide.pending} onClick={() => decide.run("start_review")}>
                {t("kyb.startReview")}
              </Button>
            ) : null}
            <Button pending={decide.pending} onClick={() => decide.run("approve")}>
              {t("kyb.approve")}
            </Button>
            <Button
              variant="danger"
              aria-expanded={form === "reject"}
              onClick={() => setForm(form === "reject" ? null : "reject")}
            >
              {t("kyb.reject")}
            </Button>
            <Button
              variant="secondary"
              aria-expanded={form === "request_info"}
              onClick={() => setForm(form === "request_info" ? null : "request_info")}
            >
              {t("kyb.requestInfo")}
            </Button>
          </div>
          {form ? (
            <form className="ops-decision" onSubmit={submit}>
              <div className="field">
                <label htmlFor="ops-decision-text">{form === "reject" ? t("kyb.reason") : t("kyb.message")}</label>
                <textarea
                  id="ops-decision-text"
                  required
                  maxLength={500}
                  value={text}
                  aria-describedby="ops-decision-hint"
                  onChange={(event) => setText(event.target.value)}
                />
                <p className="field-hint" id="ops-decision-hint">
                  {t("kyb.reasonHint")}
                </p>
              </div>
              <div className="button-row">
                <Button
                  type="submit"
                  variant={form === "reject" ? "danger" : "primary"}
                  pending={decide.pending}
                  disabled={text.trim() === ""}
                >
                  {form === "reject" ? t("kyb.confirmReject") : t("kyb.confirmRequest")}
                </Button>
                <Button variant="link" onClick={() => setForm(null)}>
                  {t("common.cancel")}
                </Button>
              </div>
            </form>
          ) : null}
        </>
      ) : (
        <p>{t("kyb.final")}</p>
      )}
      <ErrorAlert error={decide.error} />
    </Card>
  );
}

function History({ application }: { application: KybApplication }) {
  const { t } = useT();
  if (application.history.length === 0) return null;
  return (
    <Card title={t("kyb.history")}>
      <ol className="timeline">
        {application.history.map((entry) => (
          <li key={`${entry.at}-${entry.to}`}>
            <When at={entry.at} />{" "}
            {t("kyb.historyItem", {
              from: t(`state.${entry.from}`),
              to: t(`state.${entry.to}`),
              actor: entry.actor.id,
            })}
            {entry.reasons.length > 0 ? (
              <ul>
                {entry.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </Card>
  );
}
