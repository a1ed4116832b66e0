import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/**
 * A time chart drawn by uPlot (small, fast, canvas; loaded only with the dashboard's chunk). Buckets are points on
 * the x axis at their start; a click on the plot picks the bucket under the cursor (the drill-down), and the ticks
 * and legend speak the reader's language in the merchant's time zone.
 */
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  format(value: number): string;
}

export interface TimeChartProps {
  label: string;
  /** The legend's name for the x value (the bucket). */
  bucketLabel: string;
  starts: number[];
  series: ChartSeries[];
  timeZone: string;
  formatTick(seconds: number): string;
  formatBucket(seconds: number): string;
  formatAxis(value: number): string;
  onPick?(index: number): void;
  height?: number;
}

const defaultHeight = 220;

export function TimeChart(props: TimeChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  // The latest props for uPlot's callbacks, which are fixed when the chart is made.
  const latest = useRef(props);
  latest.current = props;
  const { starts, series, timeZone, height = defaultHeight } = props;

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
      scales: { x: { time: true } },
      cursor: { drag: { x: false, y: false } },
      series: [
        {
          label: latest.current.bucketLabel,
          value: (_u, seconds) => (seconds === null ? "" : latest.current.formatBucket(seconds)),
        },
        ...series.map((s, index) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: true, size: 5 },
          spanGaps: false,
          value: (_u: uPlot, value: number | null) =>
            value === null ? "—" : (latest.current.series[index]?.format(value) ?? ""),
        })),
      ],
      axes: [
        { values: (_u, splits) => splits.map((seconds) => latest.current.formatTick(seconds)) },
        { size: 70, values: (_u, splits) => splits.map((value) => latest.current.formatAxis(value)) },
      ],
    };
    const data: uPlot.AlignedData = [starts, ...series.map((s) => s.values)];
    const chart = new uPlot(options, data, element);
    const pick = () => {
      const index = chart.cursor.idx;
      if (index !== null && index !== undefined) latest.current.onPick?.(index);
    };
    chart.over.addEventListener("click", pick);
    chart.over.style.cursor = latest.current.onPick ? "pointer" : "default";
    const resize = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 200);
      if (width !== chart.width) chart.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener("click", pick);
      chart.destroy();
    };
  }, [starts, series, timeZone, height]);

  return <div className="time-chart" ref={holder} role="img" aria-label={props.label} />;
}
