import {
  CircleCheck,
  CircleExclamationPoint,
  FunnelX,
  Inbox,
  Info,
  SearchX,
  TriangleExclamationPoint,
} from "lucide-react";
import {
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  isValidElement,
  type ReactNode,
  type SelectHTMLAttributes,
  useId,
} from "react";
import type { ApiRequestError } from "./api";
import { badgeIconSizePx, emptyStateIconSizePx, Icon, type LucideIcon } from "./icons";

/** The few building blocks every page uses: labelled fields, buttons, alerts, loading and empty states, tables. */

export function Button({
  variant = "primary",
  pending = false,
  icon,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "danger" | "link";
  pending?: boolean;
  /** A main action's icon (create, copy, download, refresh, sign out), before its text. */
  icon?: LucideIcon;
}) {
  return (
    <button
      type="button"
      className={`button button-${variant}${icon ? " button-with-icon" : ""}`}
      {...rest}
      // After the spread: a pending button is disabled whatever the caller passed, so a slow request is sent once.
      disabled={pending || rest.disabled}
      aria-busy={pending || undefined}
    >
      {icon ? <Icon icon={icon} /> : null}
      {children}
    </button>
  );
}

export function TextField({
  label,
  hint,
  error,
  ...rest
}: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | null }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        {...rest}
      />
      <FieldNotes hint={hint} hintId={hintId} error={error} errorId={errorId} />
    </div>
  );
}

export function SelectField({
  label,
  children,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...rest}>
        {children}
      </select>
    </div>
  );
}

type AlertKind = "error" | "info" | "success" | "warning";

/** An alert's icon says its kind at a glance; its colour and text say it too (never the icon alone). */
const alertIcons: Record<AlertKind, LucideIcon> = {
  error: CircleExclamationPoint,
  warning: TriangleExclamationPoint,
  success: CircleCheck,
  info: Info,
};

export function Alert({ kind = "error", children }: { kind?: AlertKind; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind} alert-with-icon`} role={kind === "error" ? "alert" : "status"}>
      <Icon icon={alertIcons[kind]} className="alert-icon" />
      <div className="alert-body">{children}</div>
    </div>
  );
}

/** An API error as a sentence: coffer's message, with the code for support. */
export function ErrorAlert({ error }: { error: ApiRequestError | null | undefined }) {
  if (!error) return null;
  return (
    <Alert kind="error">
      {error.message} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/**
 * A list with nothing in it yet: an icon, a short title, one sentence saying what will appear here and how it gets
 * here, and the one next action where there is one (a link or a button). `compact` is for a small list inside a
 * page about something else (a payment's refunds, a ticket's timeline): the icon sits beside the words.
 */
export function Empty({
  icon = Inbox,
  title,
  children,
  action,
  compact = false,
}: {
  icon?: LucideIcon;
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  compact?: boolean;
}) {
  return (
    <div className={compact ? "empty empty-compact" : "empty"}>
      <Icon icon={icon} sizePx={compact ? undefined : emptyStateIconSizePx} className="empty-icon" />
      <div className="empty-words">
        {title ? <p className="empty-title">{title}</p> : null}
        {children ? <p className="empty-text">{children}</p> : null}
        {action ? <div className="empty-action">{action}</div> : null}
      </div>
    </div>
  );
}

/**
 * A filtered list that came back empty: unlike "nothing yet", it says the filter matched nothing and offers to
 * clear it, so nobody reads an empty filter as an empty account.
 */
export function NoMatch({
  title,
  children,
  clearLabel,
  onClear,
}: {
  title: ReactNode;
  children?: ReactNode;
  clearLabel: string;
  onClear(): void;
}) {
  return (
    <Empty
      icon={SearchX}
      title={title}
      action={
        <Button variant="secondary" icon={FunnelX} onClick={onClear}>
          {clearLabel}
        </Button>
      }
    >
      {children}
    </Empty>
  );
}

/** A card; with an `id`, a JumpLink leads to it and it takes the focus (tabIndex -1: reachable, not a tab stop). */
export function Card({
  title,
  actions,
  id,
  children,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  id?: string;
  children: ReactNode;
}) {
  return (
    <section className="card" id={id} tabIndex={id ? -1 : undefined}>
      {title || actions ? (
        <header className="card-header">
          {title ? <h2>{title}</h2> : <span />}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Badge({
  tone = "neutral",
  icon,
  children,
}: {
  tone?: "neutral" | "good" | "bad" | "warn" | "info";
  /** A status's icon (./icons statusIcon), so the status reads without its colour. */
  icon?: LucideIcon;
  children: ReactNode;
}) {
  return (
    <span className={`badge badge-${tone}${icon ? " badge-with-icon" : ""}`}>
      {icon ? <Icon icon={icon} sizePx={badgeIconSizePx} /> : null}
      {children}
    </span>
  );
}

/** The tone of a status badge, shared by payments, refunds, payouts, KYB and deliveries. */
export function statusTone(status: string): "neutral" | "good" | "bad" | "warn" | "info" {
  if (["succeeded", "paid", "approved", "active", "enabled", "verified", "passed", "delivered"].includes(status))
    return "good";
  if (["failed", "rejected", "canceled", "disabled", "frozen", "expired", "revoked"].includes(status)) return "bad";
  if (["refunded", "partially_refunded"].includes(status)) return "info";
  if (["processing", "pending", "requires_capture", "in_review", "submitted", "information_requested"].includes(status))
    return "warn";
  return "neutral";
}

export function DefinitionList({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="definitions">
      {items.map(([term, value], index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list rendered once per object.
        <div key={index}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One column of a DataTable: its header, the cell for a row, and a class for both (e.g. "amount"). */
export interface Column<T> {
  header: ReactNode;
  render(row: T): ReactNode;
  className?: string;
  /** The cell names its row (a <th scope="row">), e.g. the currency of a balance line. */
  rowHeader?: boolean;
}

/**
 * A list as a table: one row per item, or the empty state when there are none (an <Empty> or <NoMatch>; a plain
 * text is shown as an empty state's sentence; without one the table is shown even with no rows). The caption, when
 * given, names the table for screen readers only.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  caption,
  empty,
}: {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  caption?: string;
  empty?: ReactNode;
}) {
  if (rows.length === 0 && empty !== undefined) return isValidElement(empty) ? empty : <Empty>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for a table.
              <th key={index} scope="col" className={column.className}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, index) =>
                column.rowHeader ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for a table.
                  <th key={index} scope="row" className={column.className}>
                    {column.render(row)}
                  </th>
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for a table.
                  <td key={index} className={column.className}>
                    {column.render(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A visually hidden column header, for the column of a row's action buttons. */
export function HiddenHeader({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}

/** A field's hint and error, under it; their ids are what the input's aria-describedby names. */
export function FieldNotes({
  hint,
  hintId,
  error,
  errorId,
}: {
  hint: ReactNode;
  hintId?: string;
  error?: string | null;
  errorId?: string;
}) {
  return (
    <>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </>
  );
}
