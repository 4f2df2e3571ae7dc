import { expect, it } from 'vitest';
import { COMMANDS } from '../../bot/commands/index.ts';
import { ConfigError } from '../../bot/config.ts';
import { commandNames } from '../../bot/discord/command-names.ts';

it('registers every command under the prefix and finds Crux commands only by their prefixed names', () => {
  const names = commandNames('crux-');
  expect(names.definitions().map((definition) => definition.name)).toEqual(COMMANDS.map((command) => `crux-${command.data.name}`));
  expect(names.definitions().map((definition) => definition.options)).toEqual(COMMANDS.map((command) => command.data.toJSON().options));
  expect(names.command('crux-bet')?.data.name).toBe('bet');
  expect(names.command('bet')).toBeUndefined();
  expect(names.command('crux-ping')).toBeUndefined();
});

it("without a prefix, the names are Crux's own", () => {
  const names = commandNames();
  expect(names.definitions().map((definition) => definition.name)).toEqual(COMMANDS.map((command) => command.data.name));
  expect(names.command('market')?.data.name).toBe('market');
});

it('refuses a prefix Discord would refuse in a command name', () => {
  expect(() => commandNames('Crux-')).toThrow(ConfigError);
  expect(() => commandNames('crux ')).toThrow(ConfigError);
  expect(() => commandNames('a'.repeat(30))).toThrow(/too long/);
});
