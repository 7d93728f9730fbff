// Receipts per minute as a stacked bar chart (delivered, failed). ECharts is imported here, and
// only the Dashboard uses this component, so only the Dashboard's chunk carries the chart code.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../../../lib/format.ts';

echarts.use([
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  AriaComponent,
  CanvasRenderer,
]);

export interface MinuteBucket {
  /** Start of the minute, epoch ms. */
  minute: number;
  delivered: number;
  failed: number;
}

export function ReceiptChart({ buckets }: { buckets: MinuteBucket[] }) {
  const { t, i18n } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({
      aria: { enabled: true },
      animationDuration: 300,
      grid: { left: 40, right: 16, top: 40, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: {
        type: 'category',
        data: buckets.map((b) => formatTime(b.minute)),
        axisLabel: { interval: 9 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('dashboard:chart.delivered'),
          type: 'bar',
          stack: 'receipts',
          itemStyle: { color: '#389e0d' },
          data: buckets.map((b) => b.delivered),
        },
        {
          name: t('dashboard:chart.failed'),
          type: 'bar',
          stack: 'receipts',
          itemStyle: { color: '#cf1322' },
          data: buckets.map((b) => b.failed),
        },
      ],
    });
  }, [buckets, t, i18n.language]);

  const delivered = buckets.reduce((s, b) => s + b.delivered, 0);
  const failed = buckets.reduce((s, b) => s + b.failed, 0);
  return (
    <div
      role="img"
      aria-label={t('dashboard:chart.summary', {
        minutes: buckets.length,
        delivered: formatNumber(delivered),
        failed: formatNumber(failed),
      })}
      data-testid="receipt-chart"
      data-delivered={delivered}
      data-failed={failed}
    >
      <div ref={el} style={{ width: '100%', height: 280 }} aria-hidden="true" />
    </div>
  );
}
