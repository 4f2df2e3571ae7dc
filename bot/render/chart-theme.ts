/**
 * Dark text on an opaque light background: Discord shows images on its dark theme, where a transparent PNG with
 * dark text would be unreadable.
 */
export const CHART_COLOURS = {
  background: '#ffffff',
  text: '#1f2328',
  grid: '#d8dee4',
  /** Observed frequency points on the calibration chart. */
  observed: '#0969da',
  /** The y = x line of perfect calibration. */
  diagonal: '#6e7781',
  /** Forecasts per calibration bucket, drawn behind the points. */
  bucketCounts: 'rgba(191, 135, 0, 0.35)',
  /** One colour per outcome on price charts, repeating past the last. */
  outcomes: ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bf8700', '#1b7c83', '#bc4c00', '#4d2d00'],
} as const;

/**
 * DejaVu Sans is registered from @fontsource/dejavu-sans (chart-canvas.ts): @napi-rs/canvas ships no font, and the
 * machine may have none. Nothing a chart means depends on text alone: counts are also bar heights and point sizes,
 * and the outcomes are told apart by colour.
 */
export const CHART_FONT_FAMILY = "'DejaVu Sans', sans-serif";

export function outcomeColour(outcomeIndex: number): string {
  return CHART_COLOURS.outcomes[outcomeIndex % CHART_COLOURS.outcomes.length]!;
}
