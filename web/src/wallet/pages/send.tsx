import { type FormEvent, useState } from "react";
import type { ListPage } from "../../shared/api";
import { formatMoney } from "../../shared/money";
import { Alert, Button, Card, SelectField, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import type { Balance, Transfer, WalletUser } from "../api-types";
import {
  AmountField,
  amountProblem,
  needsStepUp,
  Problem,
  parseAmount,
  StepUpField,
  stepUpBody,
  walletCurrencies,
} from "../components";
import { useT } from "../messages";
import { useSession } from "../session";

/** Send money to another wallet by phone number, email address or wallet id. */
export function SendPage() {
  const { t, locale } = useT();
  const { api } = useSession();
  const context = useAsync(async () => {
    const [me, balances] = await Promise.all([
      api.get<WalletUser>("/v1/wallet/me"),
      api.get<ListPage<Balance>>("/v1/wallet/balances"),
    ]);
    return { me, currencies: balances.data.map((balance) => balance.currency) };
  }, [api]);
  const held = context.data?.currencies ?? [];
  const options = held.length > 0 ? held : [...walletCurrencies];
  const [to, setTo] = useState("");
  const [amount, setAmount] = useState("");
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = chosen && options.includes(chosen) ? chosen : (options[0] ?? "USD");
  const [note, setNote] = useState("");
  const [totp, setTotp] = useState("");
  const [stepUp, setStepUp] = useState(false);
  const [amountError, setAmountError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<Transfer | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmount(amount, currency);
    setAmountError(amountProblem(t, parsed));
    if (!parsed.ok) return;
    setPending(true);
    setError(null);
    setSent(null);
    const recipient = to.trim();
    try {
      const transfer = await api.post<Transfer>("/v1/wallet/transfers", {
        to: /^\+?[\d\s().-]+$/.test(recipient) ? recipient.replace(/[\s().-]/g, "") : recipient,
        amount: parsed.minor,
        currency,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...stepUpBody(totp),
      });
      setSent(transfer);
      setAmount("");
      setNote("");
      setTotp("");
      setStepUp(false);
    } catch (caught) {
      if (needsStepUp(caught)) setStepUp(true);
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <h1>{t("send.title")}</h1>
      <Card>
        <form onSubmit={submit} noValidate>
          <TextField
            label={t("send.to")}
            hint={t("send.to.hint")}
            name="to"
            autoComplete="off"
            value={to}
            onChange={(event) => setTo(event.target.value)}
          />
          <SelectField label={t("send.currency")} value={currency} onChange={(event) => setChosen(event.target.value)}>
            {options.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </SelectField>
          <AmountField
            label={t("send.amount")}
            currency={currency}
            value={amount}
            onChange={setAmount}
            error={amountError}
          />
          <TextField
            label={t("send.note")}
            name="note"
            maxLength={280}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
          <StepUpField
            needed={stepUp}
            totpEnabled={context.data?.me.totp_enabled ?? true}
            value={totp}
            onChange={setTotp}
          />
          <Problem error={error} />
          <Button type="submit" pending={pending}>
            {t("send.submit")}
          </Button>
        </form>
        <div role="status" aria-live="polite">
          {sent ? (
            <Alert kind="success">
              {t("send.done", {
                amount: formatMoney(sent.amount, sent.currency, locale),
                name: sent.recipient.name,
              })}
            </Alert>
          ) : null}
        </div>
      </Card>
    </>
  );
}
