import {
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  useId,
} from "react";
import type { ApiRequestError } from "./api";

/** The few building blocks every page uses: labelled fields, buttons, alerts, loading and empty states, tables. */

export function Button({
  variant = "primary",
  pending = false,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "danger" | "link";
  pending?: boolean;
}) {
  return (
    <button
      type="button"
      className={`button button-${variant}`}
      {...rest}
      // After the spread: a pending button is disabled whatever the caller passed, so a slow request is sent once.
      disabled={pending || rest.disabled}
      aria-busy={pending || undefined}
    >
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

export function Alert({
  kind = "error",
  children,
}: {
  kind?: "error" | "info" | "success" | "warning";
  children: ReactNode;
}) {
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
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

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Card({ title, actions, children }: { title?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
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
  children,
}: {
  tone?: "neutral" | "good" | "bad" | "warn" | "info";
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
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
 * A list as a table: one row per item, or the empty text when there are none (without an empty text the table is
 * shown even with no rows). The caption, when given, names the table for screen readers only.
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
  if (rows.length === 0 && empty !== undefined) return <Empty>{empty}</Empty>;
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
