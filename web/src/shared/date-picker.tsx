import { type CalendarDate, parseDate, toCalendarDate } from "@internationalized/date";
import { type ReactNode, useRef } from "react";
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  DateInput,
  DatePicker,
  DateRangePicker,
  DateSegment,
  type DateValue,
  Dialog,
  FieldError,
  Group,
  Heading,
  I18nProvider,
  Label,
  Popover,
  RangeCalendar,
  type RangeValue,
  Text,
} from "react-aria-components";
import type { DateFieldProps, DateRangeFieldProps } from "./date-picker-lazy";
import { useDatePickerT } from "./date-picker-messages";
import { isBeingTyped, useDraft, useLeadingZeros } from "./date-typing";
import type { Locale } from "./i18n";
import "./date-picker.css";
import "./react-aria-csp";

/**
 * Date fields on React Aria: typed a segment at a time (arrow keys step a segment) or picked from a calendar popover,
 * worded and ordered in the app's language. Values are ISO days ("2026-04-02", "" for none), as the pages and their
 * URLs keep them. Loaded lazily through ./date-picker-lazy.tsx, so no app's first load carries React Aria.
 */

/** React Aria's locales: its texts are kept for these two only (the build's optimize-locales plugin). */
const ariaLocales: Record<Locale, string> = { en: "en-US", "zh-CN": "zh-CN" };

const isoDayPattern = /^\d{4}-\d{2}-\d{2}$/;

function toCalendarDay(day: string | undefined): CalendarDate | null {
  if (!day || !isoDayPattern.test(day)) return null;
  try {
    return parseDate(day);
  } catch {
    // Not a day of the calendar ("2026-02-30" in a hand-edited URL): shown as no value.
    return null;
  }
}

const toIsoDay = (value: DateValue | null): string => (value ? toCalendarDate(value).toString() : "");

function Segments({ slot }: { slot?: "start" | "end" }) {
  const input = useRef<HTMLDivElement>(null);
  return (
    <DateInput ref={input} slot={slot} className="date-input" {...useLeadingZeros(input)}>
      {(segment) => <DateSegment segment={segment} className="date-segment" />}
    </DateInput>
  );
}

/** Empties the field; a plain button, since every React Aria Button inside a picker opens its calendar. */
function ClearButton({ label, onClear }: { label: string; onClear(): void }) {
  const { t } = useDatePickerT();
  return (
    <button type="button" className="date-clear" aria-label={t("date.clear", { label })} onClick={onClear}>
      <span aria-hidden="true">×</span>
    </button>
  );
}

function CalendarIcon() {
  return (
    <svg className="date-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <rect x="3.5" y="5" width="17" height="15" rx="2" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M3.5 10h17M8 3v4M16 3v4" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/** The field's buttons, at its end: clearing (when given) and opening the calendar (named by React Aria). */
function Buttons({ children }: { children?: ReactNode }) {
  return (
    <span className="date-buttons">
      {children}
      <Button className="date-calendar-button">
        <CalendarIcon />
      </Button>
    </span>
  );
}

/** The month shown, its neighbours' buttons (named by React Aria) and the grid of days. */
function MonthGrid() {
  return (
    <>
      <header className="calendar-header">
        <Button slot="previous" className="calendar-nav">
          <span aria-hidden="true">‹</span>
        </Button>
        <Heading className="calendar-heading" />
        <Button slot="next" className="calendar-nav">
          <span aria-hidden="true">›</span>
        </Button>
      </header>
      <CalendarGrid className="calendar-grid">
        {(date) => <CalendarCell date={date} className="calendar-cell" />}
      </CalendarGrid>
    </>
  );
}

function Hint({ children }: { children?: ReactNode }) {
  return children ? (
    <Text slot="description" className="field-hint">
      {children}
    </Text>
  ) : null;
}

/** One day: the field, a clear button when it has a day, and a calendar to pick from. */
export function DatePickerField({ label, value, onChange, hint, error, onBlur, min, max }: DateFieldProps) {
  const { locale } = useDatePickerT();
  const [shown, setShown] = useDraft<DateValue | null>(toCalendarDay(value), value);
  return (
    <I18nProvider locale={ariaLocales[locale]}>
      <DatePicker
        className="field date-field"
        value={shown}
        onChange={(day) => {
          setShown(day);
          if (!day || !isBeingTyped(day)) onChange(toIsoDay(day));
        }}
        minValue={toCalendarDay(min)}
        maxValue={toCalendarDay(max)}
        granularity="day"
        validationBehavior="aria"
        isInvalid={error ? true : undefined}
        onBlur={onBlur}
      >
        <Label className="date-label">{label}</Label>
        <Group className="date-group">
          <Segments />
          <Buttons>{value ? <ClearButton label={label} onClear={() => onChange("")} /> : null}</Buttons>
        </Group>
        <Hint>{hint}</Hint>
        <FieldError className="field-error">{error || undefined}</FieldError>
        <Popover className="date-popover" placement="bottom start">
          <Dialog className="date-dialog">
            <Calendar className="calendar calendar-single">
              <MonthGrid />
            </Calendar>
          </Dialog>
        </Popover>
      </DatePicker>
    </I18nProvider>
  );
}

/**
 * A range of whole days: a start and an end field and a calendar where the first click starts the range and the
 * second ends it. A range is committed once both ends are days; a half-typed one filters nothing.
 */
export function DateRangePickerField({ label, from, until, onChange, hint, min, max }: DateRangeFieldProps) {
  const { locale } = useDatePickerT();
  const start = toCalendarDay(from);
  const end = toCalendarDay(until);
  const [shown, setShown] = useDraft<RangeValue<DateValue> | null>(
    start && end ? { start, end } : null,
    `${from}/${until}`,
  );
  return (
    <I18nProvider locale={ariaLocales[locale]}>
      <DateRangePicker
        className="field date-field date-range-field"
        value={shown}
        onChange={(range) => {
          setShown(range);
          // Half typed (a year on its way, or an end before the start so far): the page keeps the range it has.
          if (range && (isBeingTyped(range.start) || isBeingTyped(range.end) || range.end.compare(range.start) < 0)) {
            return;
          }
          onChange({ from: toIsoDay(range?.start ?? null), until: toIsoDay(range?.end ?? null) });
        }}
        minValue={toCalendarDay(min)}
        maxValue={toCalendarDay(max)}
        granularity="day"
        validationBehavior="aria"
      >
        <Label className="date-label">{label}</Label>
        <Group className="date-group">
          <Segments slot="start" />
          <span className="date-range-dash" aria-hidden="true">
            –
          </span>
          <Segments slot="end" />
          <Buttons>
            {from || until ? <ClearButton label={label} onClear={() => onChange({ from: "", until: "" })} /> : null}
          </Buttons>
        </Group>
        <Hint>{hint}</Hint>
        <FieldError className="field-error" />
        <Popover className="date-popover" placement="bottom start">
          <Dialog className="date-dialog">
            <RangeCalendar className="calendar calendar-range">
              <MonthGrid />
            </RangeCalendar>
          </Dialog>
        </Popover>
      </DateRangePicker>
    </I18nProvider>
  );
}
