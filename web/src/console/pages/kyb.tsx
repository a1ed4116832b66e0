import { FileText } from "lucide-react";
import { useEffect, useState } from "react";
import { HelpButton } from "../../shared/help";
import { Alert, Button, Card, Empty, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type KybApplication } from "../api";
import { ConfirmButton, ConsoleError, StatusBadge, useFormat } from "../common";
import { type en, useT } from "../messages";

/**
 * Business verification (KYB): the application form (PUT merges what is sent), the documents (uploaded as base64 in
 * JSON, as POST /v1/console/kyb/documents takes them), what is still missing, submitting, and the review history.
 */
const categories = [
  "retail",
  "food_and_beverage",
  "digital_goods",
  "software",
  "travel",
  "education",
  "health",
  "professional_services",
  "entertainment",
  "nonprofit",
  "other",
];
const documentTypes = ["business_licence", "representative_id", "bank_account_proof", "other"] as const;
const editableStates = new Set(["draft", "action_required"]);
const acceptedFiles = "application/pdf,image/png,image/jpeg";

interface KybForm {
  legal_name: string;
  registration_number: string;
  country: string;
  line1: string;
  line2: string;
  city: string;
  postal_code: string;
  business_category: string;
  website: string;
  representative_name: string;
  representative_id_number: string;
  holder_name: string;
  bank_name: string;
  account_number: string;
}

function formFrom(app: KybApplication): KybForm {
  return {
    legal_name: app.legal_name ?? "",
    registration_number: app.registration_number ?? "",
    country: app.country ?? "",
    line1: app.registered_address?.line1 ?? "",
    line2: app.registered_address?.line2 ?? "",
    city: app.registered_address?.city ?? "",
    postal_code: app.registered_address?.postal_code ?? "",
    business_category: app.business_category ?? "",
    website: app.website ?? "",
    representative_name: app.representative.name ?? "",
    representative_id_number: "",
    holder_name: app.bank_account.holder_name ?? "",
    bank_name: app.bank_account.bank_name ?? "",
    account_number: "",
  };
}

const orNull = (value: string) => (value.trim() === "" ? null : value.trim());

/** The PUT body: every field of the form; the two encrypted numbers only when typed again (blank keeps them). */
function patchFrom(form: KybForm) {
  const address =
    form.line1.trim() && form.city.trim()
      ? {
          line1: form.line1.trim(),
          line2: orNull(form.line2),
          city: form.city.trim(),
          postal_code: orNull(form.postal_code),
        }
      : null;
  return {
    legal_name: orNull(form.legal_name),
    registration_number: orNull(form.registration_number),
    country: orNull(form.country.toUpperCase()),
    registered_address: address,
    business_category: orNull(form.business_category),
    website: orNull(form.website),
    representative: {
      name: orNull(form.representative_name),
      ...(form.representative_id_number.trim() ? { id_number: form.representative_id_number.trim() } : {}),
    },
    bank_account: {
      holder_name: orNull(form.holder_name),
      bank_name: orNull(form.bank_name),
      ...(form.account_number.trim() ? { account_number: form.account_number.trim() } : {}),
    },
  };
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = String(reader.result);
      resolve(result.slice(result.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function DocumentUpload({ onUploaded }: { onUploaded(app: KybApplication): void }) {
  const { t } = useT();
  const [type, setType] = useState<(typeof documentTypes)[number]>("business_licence");
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const upload = useAction(async () => {
    if (!file) return;
    await api.post("/v1/console/kyb/documents", {
      type,
      content_type: file.type,
      filename: file.name,
      content_base64: await readAsBase64(file),
    });
    setFile(null);
    setInputKey((k) => k + 1);
    onUploaded(await api.get<KybApplication>("/v1/console/kyb"));
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        upload.run();
      }}
    >
      <div className="form-row">
        <SelectField
          label={t("kyb.documentType")}
          value={type}
          onChange={(e) => setType(e.target.value as (typeof documentTypes)[number])}
        >
          {documentTypes.map((d) => (
            <option key={d} value={d}>
              {t(`kyb.doc.${d}` as keyof typeof en)}
            </option>
          ))}
        </SelectField>
        <TextField
          key={inputKey}
          label={t("kyb.file")}
          type="file"
          accept={acceptedFiles}
          hint={t("kyb.fileHint")}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </div>
      <ConsoleError error={upload.error} />
      <Button type="submit" pending={upload.pending} disabled={!file}>
        {t("kyb.upload")}
      </Button>
    </form>
  );
}

export function KybPage() {
  const { t } = useT();
  const format = useFormat();
  const loaded = useAsync(() => api.get<KybApplication>("/v1/console/kyb"), []);
  const [app, setApp] = useState<KybApplication | null>(null);
  const [form, setForm] = useState<KybForm | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (loaded.data) {
      setApp(loaded.data);
      setForm(formFrom(loaded.data));
    }
  }, [loaded.data]);

  const save = useAction(async () => {
    if (!form) return;
    const updated = await api.put<KybApplication>("/v1/console/kyb", patchFrom(form));
    setApp(updated);
    setForm(formFrom(updated));
    setSaved(true);
  });
  const submit = useAction(async () => {
    setApp(await api.post<KybApplication>("/v1/console/kyb/submit"));
  });
  const removeDocument = useAction(async (id: string) => {
    await api.del(`/v1/console/kyb/documents/${id}`);
    setApp(await api.get<KybApplication>("/v1/console/kyb"));
  });

  if (loaded.status === "loading" && !app) return <Spinner label={t("common.loading")} />;
  if (loaded.error && !app) return <ConsoleError error={loaded.error} />;
  if (!app || !form) return null;
  const editable = editableStates.has(app.state);
  const field = (name: keyof KybForm, label: keyof typeof en, extra: Record<string, unknown> = {}) => (
    <TextField
      label={t(label)}
      value={form[name]}
      disabled={!editable}
      onChange={(e) => {
        setSaved(false);
        setForm({ ...form, [name]: e.target.value });
      }}
      {...extra}
    />
  );

  return (
    <>
      <h1>{t("kyb.title")}</h1>
      <Card title={t("kyb.status")} actions={<StatusBadge status={app.state} />}>
        <p>{t(`kyb.stateHelp.${app.state}` as keyof typeof en)}</p>
        {app.requirements.missing.length > 0 ? (
          <>
            <h3>{t("kyb.missing")}</h3>
            <ul aria-label={t("kyb.missing")}>
              {app.requirements.missing.map((m) => (
                <li key={m}>{requirementLabel(t, m)}</li>
              ))}
            </ul>
          </>
        ) : editable ? (
          <Alert kind="success">{t("kyb.complete")}</Alert>
        ) : null}
        {editable ? (
          <>
            <ConsoleError error={submit.error} />
            <Button
              pending={submit.pending}
              disabled={app.requirements.missing.length > 0}
              onClick={() => submit.run()}
            >
              {t("kyb.submit")}
            </Button>
          </>
        ) : null}
      </Card>
      <Card title={t("kyb.business")} actions={<HelpButton slug="business-verification" />}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.run();
          }}
          noValidate
        >
          <fieldset disabled={!editable} className="plain-fieldset">
            <legend className="visually-hidden">{t("kyb.business")}</legend>
            <div className="form-row">
              {field("legal_name", "kyb.legalName", { autoComplete: "organization" })}
              {field("registration_number", "kyb.registrationNumber")}
            </div>
            <div className="form-row">
              {field("country", "kyb.country", { maxLength: 2, hint: t("kyb.countryHint") })}
              <SelectField
                label={t("kyb.category")}
                value={form.business_category}
                onChange={(e) => setForm({ ...form, business_category: e.target.value })}
              >
                <option value="">{t("kyb.chooseCategory")}</option>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {t(`kyb.category.${c}` as keyof typeof en)}
                  </option>
                ))}
              </SelectField>
            </div>
            {field("website", "kyb.website", { type: "url" })}
            <h3>{t("kyb.address")}</h3>
            {field("line1", "kyb.line1")}
            {field("line2", "kyb.line2")}
            <div className="form-row">
              {field("city", "kyb.city")}
              {field("postal_code", "kyb.postalCode")}
            </div>
            <h3>{t("kyb.representative")}</h3>
            <div className="form-row">
              {field("representative_name", "kyb.representativeName")}
              {field("representative_id_number", "kyb.idNumber", {
                hint: app.representative.id_number_last4
                  ? t("kyb.storedLast4", { last4: app.representative.id_number_last4 })
                  : t("kyb.encryptedHint"),
              })}
            </div>
            <div className="heading-with-help">
              <h3>{t("kyb.bank")}</h3>
              <HelpButton slug="payouts" />
            </div>
            <div className="form-row">
              {field("holder_name", "kyb.holderName")}
              {field("bank_name", "kyb.bankName")}
            </div>
            {field("account_number", "kyb.accountNumber", {
              inputMode: "numeric",
              hint: app.bank_account.account_number_last4
                ? t("kyb.storedLast4", { last4: app.bank_account.account_number_last4 })
                : t("kyb.encryptedHint"),
            })}
          </fieldset>
          <ConsoleError error={save.error} />
          {saved ? <Alert kind="success">{t("kyb.saved")}</Alert> : null}
          {editable ? (
            <Button type="submit" pending={save.pending}>
              {t("kyb.save")}
            </Button>
          ) : null}
        </form>
      </Card>
      <Card title={t("kyb.documents")} actions={<HelpButton slug="business-verification" />}>
        {app.documents.length === 0 ? (
          <Empty compact icon={FileText} title={t("kyb.noDocuments")}>
            {t("kyb.noDocumentsText")}
          </Empty>
        ) : null}
        {app.documents.length > 0 ? (
          <ul className="plain-list" aria-label={t("kyb.documents")}>
            {app.documents.map((d) => (
              <li key={d.id}>
                <strong>{t(`kyb.doc.${d.type}` as keyof typeof en)}</strong> — {d.filename ?? d.content_type} (
                {Math.ceil(d.size / 1024)} KB) · {format.date(d.created)}{" "}
                {editable ? (
                  <ConfirmButton
                    label={t("kyb.deleteDocument", { name: d.filename ?? d.type })}
                    confirmLabel={t("kyb.deleteDocumentConfirm")}
                    pending={removeDocument.pending}
                    onConfirm={() => removeDocument.run(d.id)}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        <ConsoleError error={removeDocument.error} />
        {editable ? <DocumentUpload onUploaded={setApp} /> : null}
      </Card>
      {app.history.length > 0 ? (
        <Card title={t("kyb.history")}>
          <ol className="timeline" aria-label={t("kyb.history")}>
            {app.history.map((h) => (
              <li key={`${h.at}-${h.to}`}>
                <StatusBadge status={h.to} /> {format.date(h.at)}
                {h.reasons.length > 0 ? <p>{h.reasons.join("; ")}</p> : null}
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
    </>
  );
}

function requirementLabel(t: ReturnType<typeof useT>["t"], requirement: string): string {
  const key = `kyb.req.${requirement}` as keyof typeof en;
  const label = t(key);
  return label === key ? requirement : label;
}
