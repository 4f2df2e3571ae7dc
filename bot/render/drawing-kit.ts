/**
 * What drawing needs: the canvas (a native library) and Chart.js, with the font and the chart parts registered.
 * Loaded by `drawingKit()` (chart-canvas.ts) on the first picture, not at start: they cost a process about 20 MB, and
 * most processes draw no picture for hours.
 */

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
} from 'chart.js';

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

export { Chart, createCanvas };
