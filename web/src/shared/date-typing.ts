import { type FocusEvent, type KeyboardEvent, type RefObject, useEffect, useRef, useState } from "react";

/**
 * Typing a day into React Aria's date fields (./date-picker.tsx), where a digit at a time changes the value: what the
 * page is told, and when.
 */

/** Typing "2026" passes through the years 2, 20 and 202: a day that early is a year still being typed. */
const firstWholeYear = 1000;
export const isBeingTyped = (value: { year: number }) => value.year < firstWholeYear;

/**
 * What the picker shows: the page's value, or what is being typed until it is whole. The page's value stays as it
 * was meanwhile (its list is not fetched for the year 2), and a new value from the page (cleared, say) replaces it.
 */
export function useDraft<V>(pageValue: V, pageKey: string): [V, (value: V) => void] {
  const [draft, setDraft] = useState({ pageKey, value: pageValue });
  if (draft.pageKey !== pageKey) setDraft({ pageKey, value: pageValue });
  const shown = draft.pageKey === pageKey ? draft.value : pageValue;
  return [shown, (value) => setDraft({ pageKey, value })];
}

/**
 * A day or month typed with its leading zero ("03"). React Aria holds the 0 as an invalid day; when the next digit
 * completes a field and the focus moves on to the next field (the range's end, in Chinese's year-month-day order),
 * the field's blur reads that stale 0 before its own update lands and makes the day the 1st. So a zero typed first
 * into a segment is dropped here, and the digit after it moves to the next segment, as the two digits would have.
 */
export function useLeadingZeros(input: RefObject<HTMLDivElement | null>) {
  const fresh = useRef<EventTarget | null>(null);
  const afterZero = useRef<EventTarget | null>(null);
  useEffect(() => {
    const element = input.current;
    if (!element) return;
    // Bubbling after the segment's own listener: its update is queued, and the microtask below runs once it is drawn.
    const onBeforeInput = (event: InputEvent) => {
      const segment = event.target as HTMLElement;
      if (afterZero.current !== segment || !/^[1-9]$/.test(event.data ?? "")) return;
      afterZero.current = null;
      queueMicrotask(() => {
        if (segment.ownerDocument.activeElement === segment) nextSegment(segment)?.focus();
      });
    };
    element.addEventListener("beforeinput", onBeforeInput);
    return () => element.removeEventListener("beforeinput", onBeforeInput);
  }, [input]);
  const onFocusCapture = (event: FocusEvent) => {
    fresh.current = event.target;
    afterZero.current = null;
  };
  const onKeyDownCapture = (event: KeyboardEvent) => {
    const segment = event.target as HTMLElement;
    const isDayOrMonth = segment.dataset.type === "day" || segment.dataset.type === "month";
    const isZeroFirst = isDayOrMonth && event.key === "0" && fresh.current === segment;
    fresh.current = null;
    if (isZeroFirst) {
      event.preventDefault();
      afterZero.current = segment;
    } else if (!/^[1-9]$/.test(event.key)) {
      afterZero.current = null;
    }
  };
  return { onFocusCapture, onKeyDownCapture };
}

function nextSegment(segment: HTMLElement): HTMLElement | undefined {
  const all = Array.from(segment.closest(".date-group")?.querySelectorAll<HTMLElement>('[role="spinbutton"]') ?? []);
  return all[all.indexOf(segment) + 1];
}
