import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartPoint {
  /** When the call finished (ms since the epoch). */
  at: number;
  durationMs: number;
  ok: boolean;
}

const WINDOW_S = 10 * 60;

/**
 * Durations of the calls of the last ten minutes, one dot per call: succeeded in green, anything
 * else in red. uPlot draws on a canvas (fast with thousands of points, no inline styles needed).
 */
export function DurationChart({ points }: { points: readonly ChartPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dots = (stroke: string, label: string): uPlot.Series => ({
      label,
      stroke,
      fill: stroke,
      paths: () => null,
      points: { show: true, size: 7, fill: stroke },
      value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} ms`),
    });
    const chart = new uPlot(
      {
        width: el.clientWidth || 320,
        height: 180,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{}, { label: 'ms', size: 50 }],
        series: [{}, dots('#1a7f37', 'succeeded'), dots('#c62828', 'failed')],
        cursor: { drag: { x: false, y: false } },
      },
      [[], [], []],
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 320, height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    const since = Date.now() - WINDOW_S * 1000;
    const recent = points.filter((p) => p.at >= since).sort((a, b) => a.at - b.at);
    const xs = recent.map((p) => p.at / 1000);
    const ok = recent.map((p) => (p.ok ? p.durationMs : null));
    const bad = recent.map((p) => (p.ok ? null : p.durationMs));
    plot.current?.setData([xs, ok, bad]);
  }, [points]);

  const failed = points.filter((p) => !p.ok).length;
  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={`Durations of ${points.length} recent calls, ${failed} failed`} />
      <figcaption className="muted">Call durations over the last 10 minutes</figcaption>
    </figure>
  );
}
