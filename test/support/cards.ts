/** The card's footer, which bot/render/market-card.ts begins with the market's key: `key · status · liquidity …`. */
interface Card {
  footer?: { text?: string | null } | null;
}

/** The key of the market a card shows (its first embed), or '' when there is no card to read it from. */
export function marketKeyOnCard(card: Card | null | undefined): string {
  return card?.footer?.text?.split(' · ')[0] ?? '';
}
