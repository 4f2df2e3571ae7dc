import type { CommandModule } from './command.ts';
import { bet } from './bet.ts';
import { calibration } from './calibration.ts';
import { forecast } from './forecast.ts';
import { leaderboard } from './leaderboard.ts';
import { market } from './market/index.ts';
import { portfolio } from './portfolio.ts';
import { sell } from './sell.ts';

export const COMMANDS: readonly CommandModule[] = [market, bet, sell, portfolio, leaderboard, forecast, calibration];

export function findCommand(name: string): CommandModule | undefined {
  return COMMANDS.find((command) => command.data.name === name);
}
