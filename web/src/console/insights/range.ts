import type { Interval } from "./model";

/**
 * The dashboard's date ranges, in the merchant's time zone (not the browser's): "today" in Shanghai starts at
 * Shanghai's midnight wherever the reader is. Plain Intl arithmetic, no date library: the console has one zone rule
 * to follow and Intl knows every zone's offsets.
 */
export const rangePresets = ["today", "7d", "30d", "month", "12m", "custom"] as const;
export type RangePreset = (typeof rangePresets)[number];

export interface DateRange {
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, exclusive. */
  to: number;
}

const dayMs = 86_400_000;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): WallClock {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function offsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock midnight (year, month 1-12, day; overflow allowed) happens in the zone. */
export function zonedMidnightMs(year: number, month: number, day: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day);
  // Twice: the first guess may sit on the other side of a daylight-saving change.
  const first = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(first, timeZone);
}

/** "2026-04-02" → that day's midnight in the zone, as Unix seconds (plus dayOffset days). */
export function zonedDaySeconds(day: string, timeZone: string, dayOffset = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return zonedMidnightMs(Number(match[1]), Number(match[2]), Number(match[3]) + dayOffset, timeZone) / 1000;
}

/** Unix seconds → "2026-04-02", the day it falls on in the zone. */
export function zonedDay(seconds: number, timeZone: string): string {
  const w = wallClock(seconds * 1000, timeZone);
  return `${w.year}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
}

/**
 * A preset's range, ending where tomorrow starts in the zone (so today's buckets are whole), or a custom range of
 * whole days from `fromDay` through `untilDay`.
 */
export function presetRange(
  preset: RangePreset,
  nowMs: number,
  timeZone: string,
  custom?: { fromDay: string; untilDay: string },
): DateRange | undefined {
  const today = wallClock(nowMs, timeZone);
  const midnight = (dayOffset: number, month = today.month, day = today.day) =>
    zonedMidnightMs(today.year, month, day + dayOffset, timeZone) / 1000;
  const to = midnight(1);
  switch (preset) {
    case "today":
      return { from: midnight(0), to };
    case "7d":
      return { from: midnight(-6), to };
    case "30d":
      return { from: midnight(-29), to };
    case "month":
      return { from: midnight(0, today.month, 1), to };
    case "12m":
      return { from: midnight(0, today.month - 11, 1), to };
    case "custom": {
      if (!custom) return undefined;
      const from = zonedDaySeconds(custom.fromDay, timeZone);
      const end = zonedDaySeconds(custom.untilDay, timeZone, 1);
      if (from === undefined || end === undefined || end <= from) return undefined;
      return { from, to: end };
    }
  }
}

/** The interval a preset starts with: about 7 to 31 buckets on screen. */
export function defaultInterval(range: DateRange): Interval {
  const days = (range.to - range.from) / (dayMs / 1000);
  if (days <= 2) return "hour";
  if (days <= 62) return "day";
  if (days <= 190) return "week";
  return "month";
}

/** Intervals offered for a range: hours only up to a week, so a chart never has thousands of points. */
export function intervalsFor(range: DateRange): Interval[] {
  const days = (range.to - range.from) / (dayMs / 1000);
  return days <= 7 ? ["hour", "day", "week", "month"] : ["day", "week", "month"];
}
