import { Landmark, Plus, X } from "lucide-react";
import { type FormEvent, useCallback, useState } from "react";
import { JumpLink } from "../../shared/action-link";
import type { ListPage } from "../../shared/api";
import { formatMoney } from "../../shared/money";
import { Alert, Badge, Button, Card, Empty, SelectField, Spinner, statusTone, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { FundingSource, TopUp, WalletUser, Withdrawal } from "../api-types";
import {
  AmountField,
  amountProblem,
  failureText,
  needsStepUp,
  Problem,
  parseAmount,
  pollMs,
  StepUpField,
  stepUpBody,
  useInterval,
  walletCurrencies,
} from "../components";
import { type MessageKey, useT } from "../messages";
import { useWalletSandbox } from "../sandbox";
import { useSession } from "../session";

function useFundingSources() {
  const { api } = useSession();
  return useAsync(async () => (await api.get<ListPage<FundingSource>>("/v1/wallet/funding_sources")).data, [api]);
}

/** Top up from a linked bank account; link one here too (the sandbox bank's outcomes are scripted by the number). */
export function TopUpPage() {
  const { t } = useT();
  const sources = useFundingSources();
  return (
    <>
      <h1>{t("topUp.title")}</h1>
      {sources.data ? (
        <>
          <MoveMoneyForm kind="top_up" sources={sources.data} />
          <SourcesCard sources={sources.data} onChange={sources.reload} />
          <AddSourceForm onAdded={sources.reload} />
        </>
      ) : sources.status === "error" ? (
        <Problem error={sources.error} />
      ) : (
        <Spinner label={t("loading")} />
      )}
    </>
  );
}

export function WithdrawPage() {
  const { t } = useT();
  const sources = useFundingSources();
  return (
    <>
      <h1>{t("withdraw.title")}</h1>
      {sources.data ? (
        <MoveMoneyForm kind="withdrawal" sources={sources.data} />
      ) : sources.status === "error" ? (
        <Problem error={sources.error} />
      ) : (
        <Spinner label={t("loading")} />
      )}
    </>
  );
}

const texts = {
  top_up: {
    source: "topUp.source",
    amount: "topUp.amount",
    submit: "topUp.submit",
    pending: "topUp.pending",
    succeeded: "topUp.succeeded",
    failed: "topUp.failed",
    path: "/v1/wallet/top_ups",
  },
  withdrawal: {
    source: "withdraw.source",
    amount: "withdraw.amount",
    submit: "withdraw.submit",
    pending: "withdraw.pending",
    succeeded: "withdraw.succeeded",
    failed: "withdraw.failed",
    path: "/v1/wallet/withdrawals",
  },
} as const satisfies Record<string, Record<string, MessageKey | string>>;

/** A top-up or a withdrawal: pending until the bank answers; the page follows it until then. */
function MoveMoneyForm({ kind, sources }: { kind: "top_up" | "withdrawal"; sources: FundingSource[] }) {
  const { t, locale } = useT();
  const { api } = useSession();
  const text = texts[kind];
  const verified = sources.filter((source) => source.status === "verified");
  const [sourceId, setSourceId] = useState(verified[0]?.id ?? "");
  const source = verified.find((candidate) => candidate.id === sourceId) ?? verified[0];
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [totp, setTotp] = useState("");
  const [stepUp, setStepUp] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [movement, setMovement] = useState<TopUp | Withdrawal | null>(null);
  const me = useAsync(() => api.get<WalletUser>("/v1/wallet/me"), [api]);

  const follow = useCallback(async () => {
    if (movement?.status !== "pending") return;
    setMovement(await api.get<TopUp>(`${text.path}/${movement.id}`));
  }, [api, movement, text.path]);
  useInterval(follow, movement?.status === "pending" ? pollMs : null);

  if (!source) return <Alert kind="info">{t("topUp.needSource")}</Alert>;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmount(amount, source.currency);
    setAmountError(amountProblem(t, parsed));
    if (!parsed.ok) return;
    setPending(true);
    setError(null);
    try {
      const body = { funding_source: source.id, amount: parsed.minor, currency: source.currency };
      const created = await api.post<TopUp>(text.path, kind === "withdrawal" ? { ...body, ...stepUpBody(totp) } : body);
      setMovement(created);
      setAmount("");
      setTotp("");
      setStepUp(false);
    } catch (caught) {
      if (needsStepUp(caught)) setStepUp(true);
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  const shown = movement ? formatMoney(movement.amount, movement.currency, locale) : "";
  return (
    <Card>
      <form onSubmit={submit} noValidate>
        <SelectField label={t(text.source)} value={source.id} onChange={(event) => setSourceId(event.target.value)}>
          {verified.map((option) => (
            <option key={option.id} value={option.id}>
              {t("sources.item", {
                holder: option.holder_name,
                bank: option.bank_code,
                last4: option.last4,
                currency: option.currency,
              })}
            </option>
          ))}
        </SelectField>
        <AmountField
          label={t(text.amount)}
          currency={source.currency}
          value={amount}
          onChange={setAmount}
          error={amountError}
        />
        <StepUpField needed={stepUp} totpEnabled={me.data?.totp_enabled ?? true} value={totp} onChange={setTotp} />
        <Problem error={error} />
        <Button type="submit" pending={pending}>
          {t(text.submit)}
        </Button>
      </form>
      <div role="status" aria-live="polite">
        {movement?.status === "pending" ? <Alert kind="info">{t(text.pending, { amount: shown })}</Alert> : null}
        {movement?.status === "succeeded" ? <Alert kind="success">{t(text.succeeded, { amount: shown })}</Alert> : null}
        {movement?.status === "failed" ? (
          <Alert kind="error">{t(text.failed, { amount: shown, reason: failureText(t, movement.failure_code) })}</Alert>
        ) : null}
      </div>
    </Card>
  );
}

/** The card of the form that links a bank account, where the empty list's action leads. */
const addSourceCardId = "add-bank-account";

function SourcesCard({ sources, onChange }: { sources: FundingSource[]; onChange(): void }) {
  const { t } = useT();
  const { api } = useSession();
  const [error, setError] = useState<unknown>(null);
  const visible = sources.filter((source) => source.status !== "removed");
  const remove = async (id: string) => {
    setError(null);
    try {
      await api.del(`/v1/wallet/funding_sources/${id}`);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Card title={t("sources.title")}>
      {visible.length === 0 ? (
        <Empty
          icon={Landmark}
          title={t("sources.none")}
          action={
            <JumpLink to={addSourceCardId} icon={Plus}>
              {t("sources.add")}
            </JumpLink>
          }
        >
          {t("sources.none.text")}
        </Empty>
      ) : (
        <ul className="plain-list">
          {visible.map((source) => (
            <li key={source.id}>
              <span>
                {t("sources.item", {
                  holder: source.holder_name,
                  bank: source.bank_code,
                  last4: source.last4,
                  currency: source.currency,
                })}
              </span>{" "}
              <Badge tone={statusTone(source.status === "verification_failed" ? "failed" : source.status)}>
                {t(`sources.status.${source.status}` as MessageKey)}
              </Badge>
              {source.failure_message ? <span className="field-hint"> {source.failure_message}</span> : null}{" "}
              {/* An icon-only button: its name is its aria-label, the icon is decoration. */}
              <Button
                variant="link"
                icon={X}
                onClick={() => remove(source.id)}
                aria-label={t("sources.remove", { last4: source.last4 })}
              />
            </li>
          ))}
        </ul>
      )}
      <Problem error={error} />
    </Card>
  );
}

function AddSourceForm({ onAdded }: { onAdded(): void }) {
  const { t } = useT();
  const { api } = useSession();
  // The sandbox bank's magic numbers hold only where it is the bank: test mode, or live wallets in development.
  const sandbox = useWalletSandbox();
  const me = useAsync(() => api.get<WalletUser>("/v1/wallet/me"), [api]);
  const [holder, setHolder] = useState("");
  const [bankCode, setBankCode] = useState("");
  const [number, setNumber] = useState("");
  const [currency, setCurrency] = useState<string>("USD");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    setAdded(false);
    try {
      await api.post("/v1/wallet/funding_sources", {
        holder_name: holder.trim(),
        bank_code: bankCode.trim(),
        account_number: number.replace(/\s/g, ""),
        currency,
      });
      setHolder("");
      setBankCode("");
      setNumber("");
      setAdded(true);
      onAdded();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <Card title={t("sources.add")} id={addSourceCardId}>
      {sandbox?.bank || me.data?.livemode === false ? <p className="field-hint">{t("sources.sandboxHint")}</p> : null}
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("sources.holder")}
          name="holder_name"
          autoComplete="name"
          value={holder}
          onChange={(event) => setHolder(event.target.value)}
        />
        <TextField
          label={t("sources.bankCode")}
          hint={t("sources.bankCode.hint")}
          name="bank_code"
          value={bankCode}
          onChange={(event) => setBankCode(event.target.value)}
        />
        <TextField
          label={t("sources.number")}
          name="account_number"
          inputMode="text"
          autoComplete="off"
          value={number}
          onChange={(event) => setNumber(event.target.value)}
        />
        <SelectField
          label={t("sources.currency")}
          value={currency}
          onChange={(event) => setCurrency(event.target.value)}
        >
          {walletCurrencies.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </SelectField>
        <Problem error={error} />
        <Button type="submit" pending={pending}>
          {t("sources.submit")}
        </Button>
        <div role="status" aria-live="polite">
          {added ? <Alert kind="success">{t("sources.added")}</Alert> : null}
        </div>
      </form>
    </Card>
  );
}
