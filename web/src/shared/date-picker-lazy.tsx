import { lazy, type ReactNode, Suspense } from "react";
import "./date-picker-lazy.css";

/**
 * The date pickers as pages import them: React Aria and the pickers' texts and styles come in a chunk of their own,
 * fetched when a page first shows a date field (ADR 0030), so no app's first load carries them. Days are ISO
 * strings ("2026-04-02"), "" for none.
 */
export interface DateFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  /** The page's own error for the field (a form rule's or coffer's), shown under it. */
  error?: string;
  onBlur?(): void;
  /** The first and last days that may be chosen, ISO. */
  min?: string;
  max?: string;
}

export interface DateRangeFieldProps {
  label: string;
  from: string;
  until: string;
  /** Both ends, or both "" when the range is cleared or not yet whole. */
  onChange(range: { from: string; until: string }): void;
  hint?: ReactNode;
  min?: string;
  max?: string;
}

const LazyDateField = lazy(() => import("./date-picker").then((module) => ({ default: module.DatePickerField })));
const LazyDateRangeField = lazy(() =>
  import("./date-picker").then((module) => ({ default: module.DateRangePickerField })),
);

/** While the chunk loads: the label over a blank field of the picker's size, so the form does not jump. */
function Placeholder({ label, wide = false }: { label: string; wide?: boolean }) {
  return (
    <div className={wide ? "field date-field date-range-field" : "field date-field"}>
      <span className="date-placeholder-label">{label}</span>
      <span className="date-placeholder" aria-hidden="true" />
    </div>
  );
}

export function DateField(props: DateFieldProps) {
  return (
    <Suspense fallback={<Placeholder label={props.label} />}>
      <LazyDateField {...props} />
    </Suspense>
  );
}

export function DateRangeField(props: DateRangeFieldProps) {
  return (
    <Suspense fallback={<Placeholder label={props.label} wide />}>
      <LazyDateRangeField {...props} />
    </Suspense>
  );
}
