import { Copy } from "lucide-react";
import { type ReactNode, useCallback, useState } from "react";
import type { ApiRequestError, ListPage } from "../shared/api";
import { apiErrorText } from "../shared/api-error-text";
import { statusIcon } from "../shared/icons";
import { formatDateTime, formatMoney } from "../shared/money";
import { Alert, Badge, Button, type Column, DataTable, Spinner, statusTone } from "../shared/ui";
import type { AsyncState } from "../shared/use-async";
import { type en, useT } from "./messages";

/** Small pieces every console page uses: translated errors and statuses, money and dates, paging, copy boxes. */

/** An API error in the reader's language when the console knows the code; coffer's own message otherwise. */
export function ConsoleError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = useT();
  if (!error) return null;
  return (
    <Alert kind="error">
      {apiErrorText<keyof typeof en>(t, error)} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

/** A refusal in the reader's words, as ConsoleError says it: for a form field that shows it (../shared/form.tsx). */
export function useConsoleDescribe() {
  const { t } = useT();
  return useCallback((error: ApiRequestError) => apiErrorText<keyof typeof en>(t, error), [t]);
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useT();
  const key = `status.${status}` as keyof typeof en;
  const label = t(key);
  return (
    <Badge tone={statusTone(status)} icon={statusIcon(status)}>
      {label === key ? status : label}
    </Badge>
  );
}

/**
 * A payment's state as a shop owner reads it: a succeeded payment that was refunded in part or in full says so, not
 * "Succeeded" (its status stays succeeded in the API: the payment itself did not change, money went back).
 */
export function PaymentStatusBadge({
  payment,
}: {
  payment: { status: string; amount_received: string; amount_refunded: string };
}) {
  const refunded = BigInt(payment.amount_refunded);
  if (payment.status === "succeeded" && refunded > 0n) {
    const full = refunded >= BigInt(payment.amount_received);
    return <StatusBadge status={full ? "refunded" : "partially_refunded"} />;
  }
  return <StatusBadge status={payment.status} />;
}

export function useFormat() {
  const { locale } = useT();
  return {
    money: (amount: string, currency: string) => formatMoney(amount, currency, locale),
    date: (unixSeconds: number | null | undefined) => (unixSeconds ? formatDateTime(unixSeconds, locale) : "—"),
  };
}

/** Cursor paging over coffer's lists: newer (ending_before the first) and older (starting_after the last). */
export type Cursor = { starting_after?: string; ending_before?: string };

export function Pager<T extends { id: string }>({
  page,
  cursor,
  onChange,
}: {
  page: ListPage<T> | undefined;
  cursor: Cursor;
  onChange(cursor: Cursor): void;
}) {
  const { t } = useT();
  if (!page || page.data.length === 0) return null;
  const first = page.data[0]?.id;
  const last = page.data[page.data.length - 1]?.id;
  const atStart = !cursor.starting_after && !(cursor.ending_before && page.has_more);
  const olderExists = cursor.ending_before ? true : page.has_more;
  return (
    <nav className="button-row" aria-label={t("pager.label")}>
      <Button variant="secondary" disabled={atStart} onClick={() => onChange({ ending_before: first })}>
        {t("pager.newer")}
      </Button>
      <Button variant="secondary" disabled={!olderExists} onClick={() => onChange({ starting_after: last })}>
        {t("pager.older")}
      </Button>
    </nav>
  );
}

/** A secret shown once, with a copy button; the page says it will not be shown again. */
export function SecretOnce({ label, value }: { label: string; value: string }) {
  const { t } = useT();
  const [copied, setCopied] = useState(false);
  return (
    <Alert kind="warning">
      <p>
        <strong>{label}</strong> {t("secret.once")}
      </p>
      <p>
        <input className="secret-value" readOnly value={value} aria-label={label} onFocus={(e) => e.target.select()} />
      </p>
      <Button
        variant="secondary"
        icon={Copy}
        onClick={() => {
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? t("secret.copied") : t("secret.copy")}
      </Button>
    </Alert>
  );
}

/** A destructive action asks once more, inline (no window.confirm: it blocks and cannot be styled or translated). */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  pending,
}: {
  label: string;
  confirmLabel: string;
  onConfirm(): void;
  pending?: boolean;
}) {
  const { t } = useT();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button variant="secondary" onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <span className="button-row">
      <Button
        variant="danger"
        pending={pending}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button variant="link" onClick={() => setAsking(false)}>
        {t("common.cancel")}
      </Button>
    </span>
  );
}

/**
 * A list loaded from coffer, as a table: a spinner until the first answer, the error (`error` replaces the load's own
 * when the page also reports its actions' errors there), then the rows or the empty text. Rows stay during a reload.
 */
export function LoadedTable<D, T>({
  state,
  rows,
  error = state.error,
  ...table
}: {
  state: AsyncState<D>;
  rows(data: D): readonly T[];
  error?: ApiRequestError | null;
  columns: Column<T>[];
  rowKey(row: T): string;
  caption?: string;
  empty?: ReactNode;
}) {
  const { t } = useT();
  return (
    <>
      {state.status === "loading" && !state.data ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={error} />
      {state.data ? <DataTable rows={rows(state.data)} {...table} /> : null}
    </>
  );
}

/** A form that runs one action on submit (the browser's own validation off: coffer's errors say more), with its error. */
export function ActionForm({
  action,
  submitLabel,
  disabled,
  children,
}: {
  action: { run(): unknown; pending: boolean; error: ApiRequestError | null };
  submitLabel: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        action.run();
      }}
      noValidate
    >
      {children}
      <ConsoleError error={action.error} />
      {/* An explicit disabled={undefined} would override Button's own disabling while pending. */}
      <Button type="submit" pending={action.pending} {...(disabled === undefined ? {} : { disabled })}>
        {submitLabel}
      </Button>
    </form>
  );
}
