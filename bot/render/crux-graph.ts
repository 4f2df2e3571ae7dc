import type { SKRSContext2D } from '@napi-rs/canvas';
import { cruxGraph, type GraphNode } from '../../markets/cruxes/graph.ts';
import type { ClaimCruxes } from '../../markets/cruxes/service.ts';
// Registers the DejaVu font the charts use; plain canvas drawing needs it as much as Chart.js does.
import { drawingKit } from './chart-canvas.ts';
import { CHART_COLOURS, CHART_FONT_FAMILY, outcomeColour } from './chart-theme.ts';
import { percent, truncate } from './format.ts';

const WIDTH = 900;
const ROW_HEIGHT = 150;
const MARGIN = 70;
const BOX_WIDTH = 260;
const BOX_HEIGHT = 84;
const ARROW_HEAD = 10;
/** How far apart a condition's arrows leave and arrive, so each one's label has room. */
const ARROW_SPREAD = 44;
/** How far along its arrow a label sits. */
const LABEL_AT = 0.3;

function font(size: number, bold = false): string {
  return `${bold ? '700' : '400'} ${size}px ${CHART_FONT_FAMILY}`;
}

function drawBox(ctx: SKRSContext2D, node: GraphNode, x: number, y: number, emphasis: boolean): void {
  ctx.fillStyle = emphasis ? '#ddf4ff' : '#f6f8fa';
  ctx.strokeStyle = emphasis ? CHART_COLOURS.observed : CHART_COLOURS.diagonal;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.roundRect(x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2, BOX_WIDTH, BOX_HEIGHT, 10);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = CHART_COLOURS.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = font(14, true);
  ctx.fillText(truncate(node.slug, 32), x, y - 24);
  ctx.font = font(12);
  ctx.fillText(truncate(node.question, 36), x, y);
  ctx.font = font(16, true);
  ctx.fillText(percent(node.price, 0), x, y + 24);
}

function drawArrow(ctx: SKRSContext2D, from: { x: number; y: number }, to: { x: number; y: number }, colour: string, label: string): void {
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x - ARROW_HEAD, to.y);
  ctx.stroke();
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  ctx.beginPath();
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(to.x - ARROW_HEAD * Math.cos(angle - 0.4), to.y - ARROW_HEAD * Math.sin(angle - 0.4));
  ctx.lineTo(to.x - ARROW_HEAD * Math.cos(angle + 0.4), to.y - ARROW_HEAD * Math.sin(angle + 0.4));
  ctx.closePath();
  ctx.fill();
  // The label sits on the arrow near its condition, where a condition's arrows are still apart, on a patch of
  // background so the line does not run through it.
  const mid = { x: from.x + (to.x - from.x) * LABEL_AT, y: from.y + (to.y - from.y) * LABEL_AT };
  ctx.font = font(13, true);
  const width = ctx.measureText(label).width + 12;
  ctx.fillStyle = CHART_COLOURS.background;
  ctx.fillRect(mid.x - width / 2, mid.y - 11, width, 22);
  ctx.fillStyle = colour;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(label, mid.x, mid.y);
}

/** The claim, its conditions, and an arrow per conditional labelled with the claim's price under that outcome, as PNG. */
export async function renderCruxGraph(claim: ClaimCruxes): Promise<Buffer> {
  const graph = cruxGraph(claim, (p) => percent(p, 0));
  const height = Math.max(2, claim.cruxes.length) * ROW_HEIGHT + MARGIN;
  const { createCanvas } = await drawingKit();
  const canvas = createCanvas(WIDTH, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = CHART_COLOURS.background;
  ctx.fillRect(0, 0, WIDTH, height);
  ctx.fillStyle = CHART_COLOURS.text;
  ctx.font = font(18, true);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(truncate(`What would move ${claim.claim.slug}`, 80), 20, 16);
  const place = (node: GraphNode) => ({ x: node.x * WIDTH, y: MARGIN / 2 + node.y * (height - MARGIN / 2) });
  for (const edge of graph.edges) {
    const from = graph.nodes[edge.from];
    const to = graph.nodes[edge.to];
    if (!from || !to) continue;
    const offset = (edge.slot - 0.5) * ARROW_SPREAD;
    const start = place(from);
    const end = place(to);
    drawArrow(
      ctx,
      { x: start.x + BOX_WIDTH / 2, y: start.y + offset },
      { x: end.x - BOX_WIDTH / 2, y: end.y + offset },
      outcomeColour(edge.branch),
      edge.label,
    );
  }
  graph.nodes.forEach((node, i) => {
    const { x, y } = place(node);
    drawBox(ctx, node, x, y, i === 0);
  });
  return canvas.encode('png');
}
