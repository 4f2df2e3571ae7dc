import type { ChartConfiguration, ChartItem, ChartType, Plugin } from 'chart.js';
import { CHART_COLOURS } from './chart-theme.ts';

type DrawingKit = typeof import('./drawing-kit.ts');
let kit: Promise<DrawingKit> | undefined;

/** The canvas and Chart.js, loaded on the first picture drawn (see drawing-kit.ts). */
export function drawingKit(): Promise<DrawingKit> {
  kit ??= import('./drawing-kit.ts');
  return kit;
}

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
  const { Chart, createCanvas } = await drawingKit();
  const canvas = createCanvas(width, height);
  const chart = new Chart<TType>(canvas.getContext('2d') as unknown as ChartItem, config);
  try {
    return await canvas.encode('png');
  } finally {
    // Only after encoding: destroy() clears the canvas.
    chart.destroy();
  }
}
