import type { ClaimCruxes } from './service.ts';

export interface GraphNode {
  slug: string;
  question: string;
  /** The market's price of its first outcome. */
  price: number;
  /** Centre, in [0, 1] of the picture's width and height. */
  x: number;
  y: number;
}

export interface GraphEdge {
  /** Index into nodes: the condition an arrow leaves from... */
  from: number;
  /** ...and the claim it points at. */
  to: number;
  /** "Yes → 62%": the claim's price if the condition comes out this way. */
  label: string;
  /** Which of the condition's branches this is, so each outcome keeps its colour. */
  branch: number;
  /** Where along the arrow's height band this label sits, so a condition's labels do not overlap: in [0, 1]. */
  slot: number;
}

export interface CruxGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const CLAIM_X = 0.78;
const CONDITION_X = 0.22;

/** The claim on the right, its conditions stacked on the left, one arrow per live conditional, labelled with its price. */
export function cruxGraph(claim: ClaimCruxes, percent: (p: number) => string): CruxGraph {
  const count = claim.cruxes.length;
  const nodes: GraphNode[] = [
    { slug: claim.claim.slug, question: claim.claim.question, price: claim.claimPrice, x: CLAIM_X, y: 0.5 },
    ...claim.cruxes.map((crux, i) => ({
      slug: crux.condition.slug,
      question: crux.condition.question,
      price: crux.conditionPrices[0] ?? 0,
      x: CONDITION_X,
      y: (i + 1) / (count + 1),
    })),
  ];
  const edges = claim.cruxes.flatMap((crux, i) =>
    crux.branches.map((branch, j) => ({
      from: i + 1,
      to: 0,
      label: `${branch.outcome} → ${percent(branch.claimPrice)}`,
      branch: j,
      slot: crux.branches.length === 1 ? 0.5 : j / (crux.branches.length - 1),
    })),
  );
  return { nodes, edges };
}
