import type { APIEmbed } from 'discord.js';
import type { Db } from '../../db/open.ts';
import { realmOfGuild } from '../../markets/realms/realm.ts';
import type { MarketService } from '../../markets/service.ts';
import { option, type FakeDiscord, type GuildRef, type RecordedCallback } from '../fake-discord/index.ts';
import { DAY, ok } from '../support/engine.ts';
import { marketKeyOnCard } from '../support/cards.ts';

/** Opens a binary market directly through the service, as a moderator: set-up, not what a test is about. */
export function openTestMarket(service: MarketService, id: string, guildId: string | null = null): string {
  ok(
    service.openMarket(
      { id, question: `Will ${id} hold up under load?`, criteria: 'YES if the ledger verifies at the end.', closesAt: Date.now() + 365 * DAY, guildId },
      { realm: realmOfGuild(guildId), actor: { userId: 'setup-moderator', isModerator: true }, now: Date.now() },
    ),
  );
  return id;
}

/**
 * A `/market open` dispatched through the fake gateway by `user`, closing in three weeks: resolves once it is answered,
 * with the interaction and the new market's id, read off the card's footer.
 */
export async function openMarketThroughDiscord(fake: FakeDiscord, user: string, question: string, criteria: string) {
  const interaction = fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user,
    channel: 'markets',
    options: [option.string('question', question), option.string('criteria', criteria), option.string('closes', 'in 3 weeks')],
  });
  const card = messageOf(await fake.waitForCallback(interaction.id));
  return { interaction, marketId: marketKeyOnCard(card.embeds?.[0]) };
}

/** A `/bet` dispatched through the fake gateway, in its first guild unless another is named. */
export function betThroughDiscord(fake: FakeDiscord, user: string, marketId: string, amount: number, outcome = 'Yes', guild?: GuildRef) {
  return fake.slashCommand({
    name: 'bet',
    user,
    channel: 'markets',
    ...(guild === undefined ? {} : { guild }),
    options: [option.string('market', marketId), option.string('outcome', outcome), option.integer('amount', amount)],
  });
}

/** The message a callback carries (none for a modal, a deferral or autocomplete choices). */
export function messageOf(callback: RecordedCallback): { content?: string | null; embeds?: APIEmbed[] | null; flags?: number | null } {
  if (!('data' in callback) || callback.data === undefined) return {};
  const data = callback.data;
  return 'custom_id' in data || 'choices' in data ? {} : data;
}

/** Ledger rows per request id that appear more than once: an interaction applied twice. */
export function requestsAppliedTwice(db: Db): { request_id: string; n: number }[] {
  return db
    .prepare<[], { request_id: string; n: number }>('SELECT request_id, COUNT(*) AS n FROM ledger WHERE request_id IS NOT NULL GROUP BY request_id HAVING n > 1')
    .all();
}

export function timesApplied(db: Db, requestId: string): number {
  return db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM ledger WHERE request_id = ?').get(requestId)?.n ?? 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
