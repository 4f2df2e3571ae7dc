import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CHART_COLOURS, outcomeColour } from '../bot/render/chart-theme.ts';
import { formatTimeTick, timeTicks, timeTickStep } from '../bot/render/chart-time-axis.ts';
import { renderCalibrationChart, renderPriceHistoryChart } from '../bot/render/charts.ts';
import { buildCalibrationTable, type CalibrationEntry } from '../markets/scoring/index.ts';

type Rgb = readonly [number, number, number];
interface Region {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

function rgb(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function pixelAt(png: PNG, x: number, y: number): [number, number, number, number] {
  const offset = (y * png.width + x) * 4;
  return [png.data[offset]!, png.data[offset + 1]!, png.data[offset + 2]!, png.data[offset + 3]!];
}

/** Pixels in the region within `tolerance` of the colour on every channel (antialiasing blurs line edges). */
function countColour(png: PNG, colour: Rgb, region: Region, tolerance = 40): number {
  let count = 0;
  for (let y = region.top; y < region.bottom; y++) {
    for (let x = region.left; x < region.right; x++) {
      const [r, g, b] = pixelAt(png, x, y);
      if (Math.abs(r - colour[0]) <= tolerance && Math.abs(g - colour[1]) <= tolerance && Math.abs(b - colour[2]) <= tolerance) {
        count++;
      }
    }
  }
  return count;
}

function around(x: number, y: number, radius: number): Region {
  return { left: x - radius, top: y - radius, right: x + radius, bottom: y + radius };
}

const WHITE = rgb(CHART_COLOURS.background);
const entries = (probability: number, happened: number, missed: number): CalibrationEntry[] => [
  ...Array.from({ length: happened }, () => ({ probability, happened: true })),
  ...Array.from({ length: missed }, () => ({ probability, happened: false })),
];

describe('renderCalibrationChart', () => {
  // 800 x 600: the plot spans roughly x 70-745, y 75-545; its centre is near the image centre.
  const emptyTable = buildCalibrationTable([]);
  const confidentTable = buildCalibrationTable([...entries(0.9, 9, 1), ...entries(0.1, 1, 9)]);

  it('renders a PNG of the requested size, 800 x 600 by default', async () => {
    const png = PNG.sync.read(await renderCalibrationChart(emptyTable, { title: 'Nobody yet' }));
    expect([png.width, png.height]).toEqual([800, 600]);
    const small = PNG.sync.read(await renderCalibrationChart(emptyTable, { title: 'Small', width: 420, height: 300 }));
    expect([small.width, small.height]).toEqual([420, 300]);
  });

  it('paints an opaque background, so it reads on Discord dark mode', async () => {
    const png = PNG.sync.read(await renderCalibrationChart(emptyTable, { title: 'Opaque' }));
    expect(pixelAt(png, 2, 2)).toEqual([...WHITE, 255]);
    expect(pixelAt(png, png.width - 3, png.height - 3)).toEqual([...WHITE, 255]);
    let translucent = 0;
    for (let index = 3; index < png.data.length; index += 4) if (png.data[index] !== 255) translucent++;
    expect(translucent).toBe(0);
  });

  it('draws the diagonal through the centre and not in the top-left of the plot', async () => {
    const png = PNG.sync.read(await renderCalibrationChart(emptyTable, { title: 'Diagonal' }));
    const diagonal = rgb(CHART_COLOURS.diagonal);
    expect(countColour(png, diagonal, around(400, 305, 30))).toBeGreaterThan(20);
    // plot coordinates around (0.1-0.3, 0.7-0.9): far above y = x
    expect(countColour(png, diagonal, { left: 120, top: 110, right: 250, bottom: 200 })).toBe(0);
  });

  it('puts the observed points where the data is, with count bars behind them', async () => {
    const png = PNG.sync.read(await renderCalibrationChart(confidentTable, { title: 'Confident' }));
    const observed = rgb(CHART_COLOURS.observed);
    // (0.9, 0.9) is in the top-right of the plot and (0.1, 0.1) in the bottom-left
    expect(countColour(png, observed, { left: 600, top: 80, right: 745, bottom: 200 })).toBeGreaterThan(50);
    expect(countColour(png, observed, { left: 75, top: 420, right: 220, bottom: 540 })).toBeGreaterThan(50);
    // nothing at (0.5, 0.5), which had no forecasts
    expect(countColour(png, observed, around(400, 305, 40))).toBe(0);
    // translucent amber bars over white: 0.35 * (191, 135, 0) + 0.65 * 255 = (233, 213, 166)
    expect(countColour(png, [233, 213, 166], { left: 75, top: 300, right: 745, bottom: 545 }, 12)).toBeGreaterThan(500);
  });

  it('differs for different data', async () => {
    const empty = await renderCalibrationChart(emptyTable, { title: 'Same title' });
    const confident = await renderCalibrationChart(confidentTable, { title: 'Same title' });
    expect(empty.equals(confident)).toBe(false);
    // and is reproducible for the same data
    expect((await renderCalibrationChart(confidentTable, { title: 'Same title' })).equals(confident)).toBe(true);
  });

  it('draws the title text with the shipped font', async () => {
    const png = PNG.sync.read(await renderCalibrationChart(emptyTable, { title: 'Calibration of alice' }));
    expect(countColour(png, rgb(CHART_COLOURS.text), { left: 0, top: 0, right: 800, bottom: 40 }, 60)).toBeGreaterThan(100);
  });
});

describe('renderPriceHistoryChart', () => {
  const DAY = 86_400_000;
  const start = Date.UTC(2025, 0, 1);
  const steady = {
    question: 'Will the claim hold?',
    outcomes: ['Yes', 'No'],
    points: [
      { at: start, probabilities: [0.5, 0.5] },
      { at: start + DAY, probabilities: [0.8, 0.2] },
    ],
    endAt: start + 10 * DAY,
  };

  it('renders a PNG of the requested size on an opaque background', async () => {
    const png = PNG.sync.read(await renderPriceHistoryChart(steady, { width: 640, height: 360 }));
    expect([png.width, png.height]).toEqual([640, 360]);
    expect(pixelAt(png, 1, 1)).toEqual([...WHITE, 255]);
  });

  it('draws each outcome in its colour at its price: Yes high, No low', async () => {
    // 800 x 600, y axis 0-100%: the plot spans roughly y 75 (100%) to 545 (0%), 80% near y 170, 20% near y 450
    const png = PNG.sync.read(await renderPriceHistoryChart(steady));
    const yesColour = rgb(outcomeColour(0));
    const noColour = rgb(outcomeColour(1));
    const rightHalf = { left: 420, right: 780 };
    expect(countColour(png, yesColour, { ...rightHalf, top: 100, bottom: 300 })).toBeGreaterThan(100);
    expect(countColour(png, yesColour, { ...rightHalf, top: 320, bottom: 540 })).toBe(0);
    expect(countColour(png, noColour, { ...rightHalf, top: 320, bottom: 540 })).toBeGreaterThan(100);
    expect(countColour(png, noColour, { ...rightHalf, top: 100, bottom: 300 })).toBe(0);
  });

  it('draws points given out of order the same as in order', async () => {
    const reordered = { ...steady, points: steady.points.toReversed() };
    expect((await renderPriceHistoryChart(reordered)).equals(await renderPriceHistoryChart(steady))).toBe(true);
  });

  it('differs for different data', async () => {
    const flipped = {
      ...steady,
      points: steady.points.map((point) => ({ ...point, probabilities: point.probabilities.toReversed() })),
    };
    expect((await renderPriceHistoryChart(steady)).equals(await renderPriceHistoryChart(flipped))).toBe(false);
  });

  it('renders a market with only its opening price, and refuses one with no points', async () => {
    const opening = { question: 'New', outcomes: ['A', 'B', 'C'], points: [{ at: start, probabilities: [0.2, 0.3, 0.5] }] };
    expect(PNG.sync.read(await renderPriceHistoryChart(opening)).width).toBe(800);
    expect(() => renderPriceHistoryChart({ ...opening, points: [] })).toThrow(RangeError);
    expect(() => renderPriceHistoryChart({ ...opening, outcomes: ['A', 'B'] })).toThrow(RangeError);
  });
});

describe('time axis', () => {
  const start = Date.UTC(2025, 0, 3, 7, 30);

  it('puts ticks on UTC midnights for spans of days, no more than asked for', () => {
    const end = start + 14 * 86_400_000;
    const step = timeTickStep(start, end, 8);
    // 14 days / 8 ticks: 1 day is too fine (14 ticks), 2 days gives 7
    expect(step).toBe(2 * 86_400_000);
    const ticks = timeTicks(start, end, step);
    expect(ticks).toHaveLength(7);
    expect(ticks.every((tick) => new Date(tick).toISOString().endsWith('T00:00:00.000Z'))).toBe(true);
    expect(formatTimeTick(Date.UTC(2025, 0, 4), step)).toBe('2025-01-04');
  });

  it('shows the time of day for spans of hours', () => {
    const end = start + 9 * 3_600_000;
    const step = timeTickStep(start, end, 4);
    expect(step).toBe(3 * 3_600_000);
    expect(timeTicks(start, end, step).map((tick) => formatTimeTick(tick, step))).toEqual([
      '01-03 09:00',
      '01-03 12:00',
      '01-03 15:00',
    ]);
  });
});
