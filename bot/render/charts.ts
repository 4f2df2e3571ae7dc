import type { ChartConfiguration, ChartDataset, LinearScaleOptions, ScaleOptions } from 'chart.js';
import { sortByTime, type CalibrationTable, type PricePoint } from '../../markets/scoring/index.ts';
import { opaqueBackground, renderChartToPng, SERVER_RENDERING } from './chart-canvas.ts';
import { CHART_COLOURS, CHART_FONT_FAMILY, outcomeColour } from './chart-theme.ts';
import { formatTimeTick, timeTickStep, timeTicks } from './chart-time-axis.ts';

export interface CalibrationChartOptions {
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
}

export interface PriceHistory {
  readonly question: string;
  readonly outcomes: readonly string[];
  /** At least one point (a market's opening price is its first). */
  readonly points: readonly PricePoint[];
  /** Where the last price stops being drawn, e.g. closesAt; the last point's time when omitted. */
  readonly endAt?: number;
  /** Outside platforms' odds of the same outcomes, drawn dashed beside the market's own prices. */
  readonly outside?: readonly OutsideSeries[];
}

export interface OutsideSeries {
  /** The platform's name, e.g. Manifold. */
  readonly label: string;
  /** In time order; each point has one probability per outcome. */
  readonly points: readonly PricePoint[];
}

/** One dash pattern per outside platform, so two platforms' lines of the same outcome tell apart. */
const OUTSIDE_DASHES = [[8, 5], [2, 4], [12, 4, 2, 4]];

export interface PriceHistoryChartOptions {
  readonly width?: number;
  readonly height?: number;
}

const DEFAULT_WIDTH = 800;
const DEFAULT_HEIGHT = 600;
const MIN_POINT_RADIUS = 4;
const MAX_POINT_RADIUS = 14;
const MIN_TIME_SPAN_MS = 86_400_000;
/** Room for one time label ("01-03 09:00" is about 75 px at 12 px) and a gap. */
const PIXELS_PER_TIME_TICK = 100;
const TITLE_FONT_SIZE = 18;
const TEXT_FONT_SIZE = 12;

/** Each non-empty bucket's 90% interval as a vertical segment at its mean forecast; a NaN point keeps segments apart. */
function errorBars(table: CalibrationTable): { x: number; y: number }[] {
  return table.flatMap(({ meanForecast, intervalLower, intervalUpper }) =>
    meanForecast === null || intervalLower === null || intervalUpper === null
      ? []
      : [{ x: meanForecast, y: intervalLower }, { x: meanForecast, y: intervalUpper }, { x: meanForecast, y: Number.NaN }],
  );
}

/**
 * Observed frequency against mean forecast per bucket, with its 90% Wilson interval as an error bar, each point's area growing with its count, over the y = x
 * line of perfect calibration, with the number of forecasts per bucket as bars on a right-hand axis.
 */
export function renderCalibrationChart(
  table: CalibrationTable,
  { title, width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT }: CalibrationChartOptions,
): Promise<Buffer> {
  const filled = table.flatMap(({ count, meanForecast, observedFrequency }) =>
    meanForecast === null || observedFrequency === null ? [] : [{ x: meanForecast, y: observedFrequency, count }],
  );
  const largestCount = Math.max(1, ...table.map((bucket) => bucket.count));
  // Chart.js draws higher `order` first: bars at the back, then the diagonal, then the points on top.
  const datasets: ChartDataset<'scatter' | 'line' | 'bar'>[] = [
    {
      type: 'scatter',
      label: 'Observed frequency (size = forecasts)',
      data: filled,
      order: 1,
      // Buckets at 0% or 100% sit on the plot's edge; unclipped, their points show whole.
      clip: false,
      backgroundColor: CHART_COLOURS.observed,
      borderColor: CHART_COLOURS.observed,
      // Area, not radius, proportional to count, so a bucket with 4x the forecasts looks 4x as heavy.
      pointRadius: filled.map(
        ({ count }) => MIN_POINT_RADIUS + (MAX_POINT_RADIUS - MIN_POINT_RADIUS) * Math.sqrt(count / largestCount),
      ),
    },
    {
      type: 'line',
      label: '90% interval (Wilson)',
      data: errorBars(table),
      order: 1,
      clip: false,
      spanGaps: false,
      borderColor: CHART_COLOURS.observed,
      borderWidth: 2,
      pointRadius: 0,
    },
    {
      type: 'line',
      label: 'Perfect calibration',
      data: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      order: 2,
      borderColor: CHART_COLOURS.diagonal,
      borderWidth: 2,
      borderDash: [8, 4],
      pointRadius: 0,
    },
    {
      type: 'bar',
      label: 'Forecasts per bucket',
      data: table.map(({ lower, upper, count }) => ({ x: (lower + upper) / 2, y: count })),
      order: 3,
      yAxisID: 'count',
      backgroundColor: CHART_COLOURS.bucketCounts,
      barPercentage: 1,
      categoryPercentage: 0.9,
    },
  ];
  const config: ChartConfiguration<'scatter' | 'line' | 'bar'> = {
    type: 'scatter',
    data: { datasets },
    plugins: [opaqueBackground()],
    options: {
      ...commonOptions(title, width),
      scales: {
        x: probabilityAxis('Forecast probability'),
        y: probabilityAxis('Observed frequency'),
        count: {
          type: 'linear',
          position: 'right',
          min: 0,
          grace: '5%',
          title: axisTitle('Forecasts per bucket'),
          ticks: themedTicks({ precision: 0 }),
          grid: { drawOnChartArea: false },
        },
      },
    },
  };
  return renderChartToPng(config, { width, height });
}

/** One stepped line per outcome (a price holds until the next trade) on a UTC date axis, 0-100%. */
export function renderPriceHistoryChart(
  { question, outcomes, points, endAt, outside = [] }: PriceHistory,
  { width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT }: PriceHistoryChartOptions = {},
): Promise<Buffer> {
  const ordered = sortByTime(points);
  const first = ordered[0];
  const last = ordered.at(-1);
  if (!first || !last) throw new RangeError('a price history needs at least one point');
  if (ordered.some(({ probabilities }) => probabilities.length !== outcomes.length)) {
    throw new RangeError(`every price point needs one probability per outcome (${outcomes.length})`);
  }
  const from = first.at;
  const lastOutside = Math.max(from, ...outside.flatMap((series) => series.points.map((point) => point.at)));
  // A market with only its opening price still needs a time axis of some length.
  const to = Math.max(endAt ?? last.at, last.at, lastOutside, from + MIN_TIME_SPAN_MS);
  const step = timeTickStep(from, to, Math.max(2, Math.floor(width / PIXELS_PER_TIME_TICK)));
  // The extra point at `to` draws the last price on to the end instead of stopping at the last trade.
  const drawn = [...ordered, { at: to, probabilities: last.probabilities }];
  const datasets: ChartDataset<'line'>[] = outcomes.map((outcome, index) => ({
    label: outcome,
    data: drawn.map(({ at, probabilities }) => ({ x: at, y: probabilities[index]! })),
    stepped: 'before',
    borderColor: outcomeColour(index),
    backgroundColor: outcomeColour(index),
    borderWidth: 2,
    pointRadius: 0,
  }));
  // A platform's odds are known only when read: drawn as they were read, not stepped on to the end.
  const outsideDatasets: ChartDataset<'line'>[] = outside.flatMap((series, source) =>
    outcomes.map((outcome, index) => ({
      label: `${series.label} ${outcome}`,
      data: sortByTime(series.points).map(({ at, probabilities }) => ({ x: at, y: probabilities[index] ?? 0 })),
      borderColor: outcomeColour(index),
      backgroundColor: outcomeColour(index),
      borderDash: OUTSIDE_DASHES[source % OUTSIDE_DASHES.length] ?? [],
      borderWidth: 2,
      pointRadius: 2,
    })),
  );
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: { datasets: [...datasets, ...outsideDatasets] },
    plugins: [opaqueBackground()],
    options: {
      ...commonOptions(question, width),
      scales: {
        x: {
          type: 'linear',
          min: from,
          max: to,
          title: axisTitle('Time (UTC)'),
          grid: { color: CHART_COLOURS.grid },
          afterBuildTicks: (axis) => {
            axis.ticks = timeTicks(from, to, step).map((value) => ({ value }));
          },
          ticks: themedTicks({ maxRotation: 0, callback: (value) => formatTimeTick(Number(value), step) }),
        },
        y: probabilityAxis('Market probability'),
      },
    },
  };
  return renderChartToPng(config, { width, height });
}

/** Static rendering, the title and the legend, in the theme's font and colours. */
function commonOptions(title: string, width: number) {
  return {
    ...SERVER_RENDERING,
    layout: { padding: 12 },
    plugins: {
      title: {
        display: true,
        text: wrapTitle(title, width),
        color: CHART_COLOURS.text,
        font: { family: CHART_FONT_FAMILY, size: TITLE_FONT_SIZE, weight: 'bold' as const },
      },
      legend: { display: true, labels: { color: CHART_COLOURS.text, font: themeFont() } },
    },
  };
}

function probabilityAxis(title: string): ScaleOptions<'linear'> {
  return {
    type: 'linear',
    min: 0,
    max: 1,
    // No padding beside the axis (Chart.js adds it for bars), so 0% and 100% sit on the plot's edges.
    offset: false,
    title: axisTitle(title),
    grid: { color: CHART_COLOURS.grid, offset: false },
    ticks: themedTicks({ stepSize: 0.1, callback: (value) => `${Math.round(Number(value) * 100)}%` }),
  };
}

function axisTitle(text: string) {
  return { display: true, text, color: CHART_COLOURS.text, font: themeFont() };
}

function themedTicks(ticks: Partial<LinearScaleOptions['ticks']>) {
  return { color: CHART_COLOURS.text, font: themeFont(), ...ticks };
}

/** Chart.js takes no chart-wide font, so every text element names it. */
function themeFont() {
  return { family: CHART_FONT_FAMILY, size: TEXT_FONT_SIZE };
}

/**
 * Chart.js draws a title on one line and lets it run off the canvas, so long questions are broken into at most two
 * lines by an estimated glyph width (no font metrics are needed, which matters where no font is installed).
 */
function wrapTitle(text: string, width: number): string[] {
  const maxChars = Math.max(10, Math.floor(width / (TITLE_FONT_SIZE * 0.65)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  if (lines.length <= 2) return lines;
  const secondLine = `${lines[1]} ${lines.slice(2).join(' ')}`;
  return [lines[0]!, `${secondLine.slice(0, maxChars - 1).trimEnd()}…`];
}
