import { useEffect, useState } from "react";
import { ApiRequestError } from "../shared/api";
import { apiErrorText } from "../shared/api-error-text";
import { statusIcon } from "../shared/icons";
import { type ParsedAmount, parseMoney } from "../shared/money";
import { Link } from "../shared/router";
import { Alert, Badge, statusTone, TextField } from "../shared/ui";
import { type MessageKey, useT } from "./messages";
import { paths } from "./session";

type Translate = ReturnType<typeof useT>["t"];

/** The wallet API's error in the user's language when we know the code; coffer's own message otherwise. */
export function errorText(t: Translate, error: ApiRequestError): string {
  return apiErrorText<MessageKey>(t, error);
}

export function Problem({ error }: { error: unknown }) {
  const { t } = useT();
  if (!error) return null;
  if (!(error instanceof ApiRequestError)) return <Alert kind="error">{String(error)}</Alert>;
  return (
    <Alert kind="error">
      {errorText(t, error)} <code className="error-code">{error.code}</code>
      {error.code === "tier_required" ? (
        <>
          {" "}
          <Link to={paths.identity}>{t("action.identity")}</Link>
        </>
      ) : null}
      {["password_reset_required", "wallet_frozen", "sign_in_report_invalid", "sign_in_report_expired"].includes(
        error.code,
      ) ? (
        <>
          {" "}
          <Link to={paths.forgotPassword}>{t("action.resetPassword")}</Link>
        </>
      ) : null}
    </Alert>
  );
}

export function failureText(t: Translate, code: string | null | undefined): string {
  const key = `failure.${code ?? "unknown"}` as MessageKey;
  const text = t(key);
  return text === key ? t("failure.unknown") : text;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useT();
  const key = `status.${status}` as MessageKey;
  const text = t(key);
  return (
    <Badge tone={statusTone(status)} icon={statusIcon(status)}>
      {text === key ? status : text}
    </Badge>
  );
}

export function amountProblem(t: Translate, parsed: ParsedAmount): string | null {
  return parsed.ok ? null : t(`amount.${parsed.reason}` as MessageKey);
}

/** An amount typed by a person, parsed exactly (no floats) in the currency's minor unit. */
export function AmountField({
  label,
  currency,
  value,
  onChange,
  error,
}: {
  label: string;
  currency: string;
  value: string;
  onChange(value: string): void;
  error?: string | null;
}) {
  return (
    <TextField
      label={`${label} (${currency})`}
      name="amount"
      inputMode="decimal"
      autoComplete="off"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
    />
  );
}

export function parseAmount(input: string, currency: string): ParsedAmount {
  return parseMoney(input, currency);
}

/** The second factor, asked for when the API says the amount needs it (step_up_required). */
export function StepUpField({
  needed,
  totpEnabled,
  value,
  onChange,
}: {
  needed: boolean;
  totpEnabled: boolean;
  value: string;
  onChange(value: string): void;
}) {
  const { t } = useT();
  if (!needed) return null;
  if (!totpEnabled) return <Alert kind="warning">{t("stepUp.noTotp")}</Alert>;
  return (
    <TextField
      label={t("stepUp.totp")}
      hint={t("stepUp.hint")}
      name="totp"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function needsStepUp(error: unknown): boolean {
  return error instanceof ApiRequestError && (error.code === "step_up_required" || error.code === "step_up_failed");
}

export function stepUpBody(totp: string): { step_up?: { totp: string } } {
  const code = totp.trim();
  return code ? { step_up: { totp: code } } : {};
}

export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function useNowSeconds(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Runs `tick` every `ms` while the component is shown. */
export function useInterval(tick: () => void, ms: number | null): void {
  useEffect(() => {
    if (ms === null) return;
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  }, [tick, ms]);
}

/** The currencies wallets hold by default (coffer's tier table); a balance in another one shows up as it comes. */
export const walletCurrencies = ["USD", "EUR", "GBP", "CNY", "JPY"] as const;

export const pollMs = 3_000;
