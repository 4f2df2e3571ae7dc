import {
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandModule } from './command.ts';
import { bet } from './bet.ts';
import { calibration } from './calibration.ts';
import { crux } from './crux/index.ts';
import { evidence } from './evidence.ts';
import { forecast } from './forecast.ts';
import { leaderboard } from './leaderboard.ts';
import { market } from './market/index.ts';
import { mod } from './mod/index.ts';
import { notify } from './notify.ts';
import { portfolio } from './portfolio.ts';
import { sell } from './sell.ts';

export const COMMANDS: readonly CommandModule[] = [market, mod, bet, sell, portfolio, leaderboard, forecast, calibration, crux, evidence, notify];

export function findCommand(name: string): CommandModule | undefined {
  return COMMANDS.find((command) => command.data.name === name);
}

/**
 * What Discord registers: every command works inside a server only (its realm), so none is offered in DMs or as a
 * user-installed app; an interaction that still arrives without a server gets a note and changes nothing.
 */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return COMMANDS.map((command) => ({
    ...command.data.toJSON(),
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  }));
}
