import { IdCard } from "lucide-react";
import { type FormEvent, useState } from "react";
import type { ListPage } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { formatDateTime } from "../../shared/money";
import { Alert, Button, Card, Empty, SelectField, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { KycSubmission, WalletUser } from "../api-types";
import { Problem, StatusBadge } from "../components";
import { useT } from "../messages";
import { useSession } from "../session";

/**
 * Identity: level 1 (name, id number, date of birth) raises the wallet to tier 1, which linking a bank account and
 * higher limits need; level 2 (an identity document) to tier 2. Depending on the deployment the answer comes at
 * once or after an operator's review.
 */
export function IdentityPage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const [answer, setAnswer] = useState<KycSubmission | null>(null);
  const state = useAsync(async () => {
    const [me, submissions] = await Promise.all([
      api.get<WalletUser>("/v1/wallet/me"),
      api.get<ListPage<KycSubmission>>("/v1/wallet/kyc"),
    ]);
    return { me, submissions: submissions.data };
  }, [api]);

  if (!state.data) {
    return state.status === "error" ? <Problem error={state.error} /> : <Spinner label={t("loading")} />;
  }
  const { me, submissions } = state.data;
  function done(submission: KycSubmission) {
    setAnswer(submission);
    state.reload();
  }
  return (
    <>
      <div className="heading-with-help">
        <h1>{t("identity.title")}</h1>
        <HelpButton slug="limits-and-tiers" />
      </div>
      <p>{t("identity.tier", { tier: me.tier })}</p>
      <p className="field-hint">{t("identity.intro")}</p>
      <div role="status" aria-live="polite">
        <Answer answer={answer} />
      </div>
      {me.tier < 1 ? <LevelOneForm onDone={done} /> : null}
      {me.tier === 1 ? <LevelTwoForm onDone={done} /> : null}
      <Card title={t("identity.submissions")}>
        {submissions.length === 0 ? (
          <Empty compact icon={IdCard} title={t("identity.none")}>
            {t("identity.none.text")}
          </Empty>
        ) : (
          <ul className="plain-list">
            {submissions.map((submission) => (
              <li key={submission.id}>
                {t("identity.level", { level: submission.level })} <StatusBadge status={submission.status} />{" "}
                <span className="field-hint">{formatDateTime(submission.created, locale)}</span>
                {submission.decision_reason ? (
                  <span className="field-hint"> · {submission.decision_reason}</span>
                ) : null}
                {submission.provider === "sandbox" ? (
                  <span className="field-hint"> · {t("identity.bySandbox")}</span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

type OnDone = (submission: KycSubmission) => void;

function useSubmit(onDone: OnDone) {
  const { api } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (body: Record<string, unknown>) => {
    setPending(true);
    setError(null);
    try {
      onDone(await api.post<KycSubmission>("/v1/wallet/kyc", body));
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  return { submit, pending, error };
}

function Answer({ answer }: { answer: KycSubmission | null }) {
  const { t } = useT();
  if (!answer) return null;
  if (answer.status === "approved") {
    return (
      <Alert kind="success">
        {t("identity.approved")} {answer.provider === "sandbox" ? t("identity.bySandbox") : null}
      </Alert>
    );
  }
  if (answer.status === "rejected") {
    return <Alert kind="error">{t("identity.rejected", { reason: answer.decision_reason ?? "" })}</Alert>;
  }
  return <Alert kind="info">{t("identity.review")}</Alert>;
}

function LevelOneForm({ onDone }: { onDone: OnDone }) {
  const { t } = useT();
  const [fullName, setFullName] = useState("");
  const [idNumber, setIdNumber] = useState("");
  const [birth, setBirth] = useState("");
  const { submit, pending, error } = useSubmit(onDone);
  const send = (event: FormEvent) => {
    event.preventDefault();
    void submit({ level: 1, full_name: fullName.trim(), id_number: idNumber.trim(), date_of_birth: birth });
  };
  return (
    <Card title={t("identity.levelOne")}>
      <form onSubmit={send} noValidate>
        <TextField
          label={t("identity.fullName")}
          name="full_name"
          autoComplete="name"
          value={fullName}
          onChange={(event) => setFullName(event.target.value)}
        />
        <TextField
          label={t("identity.idNumber")}
          name="id_number"
          autoComplete="off"
          value={idNumber}
          onChange={(event) => setIdNumber(event.target.value)}
        />
        {/* A native date input, not the calendar picker: people type their birth date (and autofill knows it);
            paging back decades of months in a calendar is slower. */}
        <TextField
          label={t("identity.birth")}
          name="date_of_birth"
          type="date"
          autoComplete="bday"
          value={birth}
          onChange={(event) => setBirth(event.target.value)}
        />
        <Problem error={error} />
        <Button type="submit" pending={pending}>
          {t("identity.submit")}
        </Button>
      </form>
    </Card>
  );
}

function LevelTwoForm({ onDone }: { onDone: OnDone }) {
  const { t } = useT();
  const [type, setType] = useState("passport");
  const [number, setNumber] = useState("");
  const [country, setCountry] = useState("");
  const { submit, pending, error } = useSubmit(onDone);
  const send = (event: FormEvent) => {
    event.preventDefault();
    void submit({
      level: 2,
      document_type: type,
      document_number: number.trim(),
      document_country: country.trim().toUpperCase(),
    });
  };
  return (
    <Card title={t("identity.levelTwo")}>
      <form onSubmit={send} noValidate>
        <SelectField label={t("identity.documentType")} value={type} onChange={(event) => setType(event.target.value)}>
          <option value="passport">{t("identity.passport")}</option>
          <option value="id_card">{t("identity.idCard")}</option>
          <option value="driving_licence">{t("identity.drivingLicence")}</option>
        </SelectField>
        <TextField
          label={t("identity.documentNumber")}
          name="document_number"
          autoComplete="off"
          value={number}
          onChange={(event) => setNumber(event.target.value)}
        />
        <TextField
          label={t("identity.country")}
          hint={t("identity.country.hint")}
          name="document_country"
          maxLength={2}
          autoComplete="country"
          value={country}
          onChange={(event) => setCountry(event.target.value)}
        />
        <Problem error={error} />
        <Button type="submit" pending={pending}>
          {t("identity.submit")}
        </Button>
      </form>
    </Card>
  );
}
