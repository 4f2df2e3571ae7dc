import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  type ChartConfiguration,
  type ChartItem,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { CHART_COLOURS } from './chart-theme.ts';

// The font ships in an npm package, so chart text renders on any machine after npm install.
const resolveFont = createRequire(import.meta.url).resolve;
for (const weight of ['400', '700']) {
  GlobalFonts.registerFromPath(resolveFont(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff2`), 'DejaVu Sans');
}

// Explicit registration (not chart.js/auto) keeps to what the charts use; without a DOM, Chart.js picks its
// BasicPlatform, which only needs the canvas's 2D context.
Chart.register(
  BarController,
  BarElement,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
);

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Options every chart rendered here needs: there is no frame loop or window to resize in Node, so the chart must
 * be complete when the constructor returns, one canvas pixel per image pixel.
 */
export const SERVER_RENDERING = { animation: false, responsive: false, devicePixelRatio: 1 } as const;

/** Paints the background before Chart.js draws anything, so the PNG is opaque. */
export function opaqueBackground<TType extends ChartType>(): Plugin<TType> {
  return {
    id: 'cruxOpaqueBackground',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = CHART_COLOURS.background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

/** Draws one chart (built with SERVER_RENDERING and opaqueBackground) and encodes it as PNG. */
export async function renderChartToPng<TType extends ChartType>(
  config: ChartConfiguration<TType>,
  { width, height }: ChartSize,
): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const chart = new Chart<TType>(canvas.getContext('2d') as unknown as ChartItem, config);
  try {
    return await canvas.encode('png');
  } finally {
    // Only after encoding: destroy() clears the canvas.
    chart.destroy();
  }
}
