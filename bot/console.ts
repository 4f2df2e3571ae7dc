import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { APIApplicationCommandOption } from 'discord.js';
import { ApplicationCommandOptionType } from 'discord.js';
import { type App, type CommandModule, runHandler } from './commands/command.ts';
import { findCommand } from './commands/index.ts';
import { consoleJobHooks, parseResolutionLine, RESOLUTION_HELP, runResolutionLine } from './console-resolution.ts';
import { RateLimiter } from './rate-limit.ts';
import { replyToText } from './render/text.ts';
import { CONSOLE_REALM } from '../markets/realms/realm.ts';
import type { Actor } from '../markets/service.ts';
import type { Invocation, OptionValue } from './reply.ts';

export interface ParsedLine {
  command: CommandModule;
  subcommand: string | null;
  options: Record<string, OptionValue>;
}

/** The option names a command (or its subcommand) takes, read from its slash-command definition. */
export function optionNames(command: CommandModule, subcommand: string | null): string[] {
  const options: APIApplicationCommandOption[] = command.data.toJSON().options ?? [];
  const scope =
    subcommand === null
      ? options
      : options.flatMap((option) =>
          option.type === ApplicationCommandOptionType.Subcommand && option.name === subcommand ? (option.options ?? []) : [],
        );
  return scope.map((option) => option.name);
}

export function subcommandNames(command: CommandModule): string[] {
  return (command.data.toJSON().options ?? [])
    .filter((option) => option.type === ApplicationCommandOptionType.Subcommand)
    .map((option) => option.name);
}

/** A value that opens with a quote runs to the quote that closes it, whatever option names it contains. */
const QUOTED_VALUE = /^\s*"(.*?)"(?=\s|$)/s;

/**
 * Reads `/bet market:rome outcome:Yes amount:50` — values run until the next known `name:`, so
 * `question:Will it happen? criteria:...` needs no quotes; a quoted value keeps everything inside its quotes
 * (`question:"Does the criteria: word break it?"`), and the quotes are stripped.
 */
export function parseCommandLine(line: string): ParsedLine | string {
  const match = /^\/(\S+)\s*(.*)$/s.exec(line.trim());
  if (!match) return 'Commands start with /. Type /help for the list.';
  const command = findCommand(match[1] ?? '');
  if (!command) return `Unknown command /${match[1]}. Type /help for the list.`;
  let rest = match[2] ?? '';
  let subcommand: string | null = null;
  const subcommands = subcommandNames(command);
  if (subcommands.length > 0) {
    const [word = '', ...others] = rest.split(/\s+/);
    if (!subcommands.includes(word)) return `/${command.data.name} needs one of: ${subcommands.join(', ')}.`;
    subcommand = word;
    rest = others.join(' ');
  }
  const names = optionNames(command, subcommand);
  const options: Record<string, OptionValue> = {};
  if (rest.trim() === '') return { command, subcommand, options };
  const marker = new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'g');
  const marks: RegExpExecArray[] = [];
  let quotedUntil = 0;
  for (const mark of rest.matchAll(marker)) {
    if (mark.index < quotedUntil) continue;
    marks.push(mark);
    const start = mark.index + mark[0].length;
    const quoted = QUOTED_VALUE.exec(rest.slice(start));
    if (quoted) quotedUntil = start + quoted[0].length;
  }
  if (marks.length === 0 || rest.slice(0, marks[0]?.index ?? 0).trim() !== '') {
    return `I could not read the options. Write them as name:value; /${command.data.name}${subcommand ? ` ${subcommand}` : ''} takes ${names.map((n) => `${n}:`).join(' ')}`;
  }
  marks.forEach((mark, i) => {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? rest.length;
    const value = rest.slice(start, end).trim().replace(/^"(.*)"$/s, '$1');
    options[mark[1] ?? ''] = value;
  });
  return { command, subcommand, options };
}

const HELP = [
  'Crux console — the same commands as in Discord, typed as text:',
  '  /market open question:… criteria:… closes:in 3 weeks [outcomes:A,B,C] [probability:45] [liquidity:100] [source:URL]',
  '  /market show market:ID    /market list [status:open|closed|resolved|cancelled|all]',
  '  /bet market:ID outcome:Yes amount:50 [max_price:60]    /sell market:ID outcome:Yes [shares:10] [min_price:40]',
  '  /portfolio [user:NAME]    /leaderboard [by:profit|brier|log]',
  '  /forecast market:ID probability:70 [outcome:Yes]    /calibration [user:NAME] [format:png|csv|json]',
  '  /evidence add market:ID url:URL [stance:for|against|context] [note:…]    /evidence list market:ID',
  '  /market edit market:ID [question:…] [criteria:…] [closes:…] [add_tag:…] [reason:…]    /market history market:ID',
  '  /market follow|unfollow market:ID    /notify [all:off] [resolved:on] [closing:off] [moves:off] …',
  '  moderators: /mod close|resolve|cancel|correct|link|autoresolve|hide_evidence … and /mod settings [name:value …]',
  '  a value in double quotes keeps everything inside: question:"Does the criteria: word break parsing?"',
  RESOLUTION_HELP,
  '  /as NAME [--moderator]   act as another user      /help   /quit',
  '  any command … --request ID   applied at most once per ID, however often sent; the reply ends with "done ID"',
].join('\n');

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  app: App;
  now?: () => number;
  /** Called once the input ends or /quit is typed. */
  onClose?: () => void;
  /** Aborting stops reading input; lines already read are answered first (graceful shutdown). */
  signal?: AbortSignal;
}

/**
 * `… --request ID` ending a command line: the command is applied at most once per ID, however often the line is
 * sent, and its reply is followed by `done ID`. A script can resend every line it has no `done` for after a crash.
 */
const REQUEST_SUFFIX = /\s+--request\s+([\w.:-]{1,100})$/;

/** Runs the local console until its input ends: one line in, one reply out, in order. */
export function runConsole({ input, output, app, now = Date.now, onClose, signal }: ConsoleOptions): Promise<void> {
  let actor: Actor = { userId: 'you', displayName: 'you', isModerator: true };
  let counter = 0;
  const limiter = new RateLimiter(now);
  const write = (text: string) => output.write(`${text}\n`);
  const lines = createInterface({ input, terminal: false });
  const hooks = consoleJobHooks(app, now, (reply) => write(replyToText(reply)));
  write(`Acting as ${actor.displayName} (moderator). Type /help for commands.`);

  const handle = async (line: string): Promise<boolean> => {
    const text = line.trim();
    if (text === '') return true;
    if (text === '/quit' || text === '/exit') return false;
    if (text === '/help') {
      write(HELP);
      return true;
    }
    const as = /^\/as\s+([\w.-]{1,64})(\s+--moderator)?$/.exec(text);
    if (as) {
      actor = { userId: as[1] ?? 'you', displayName: as[1] ?? 'you', isModerator: as[2] !== undefined };
      write(`Acting as ${actor.userId}${actor.isModerator ? ' (moderator)' : ''}.`);
      return true;
    }
    const tagged = REQUEST_SUFFIX.exec(text);
    const untagged = tagged ? text.slice(0, tagged.index) : text;
    const resolution = parseResolutionLine(untagged);
    const parsed = resolution === undefined ? parseCommandLine(untagged) : resolution;
    if (typeof parsed === 'string') {
      write(`⚠️ ${parsed}`);
      if (tagged) write(`done ${tagged[1]}`);
      return true;
    }
    counter += 1;
    const at = now();
    // The console has no close job: its markets past their close time are closed before each command, as the job
    // closes a server's in Discord, so no command ever sees a market open past its close. A server's markets are left
    // to the bot's job, which tells the server.
    const closing = app.service.closeDueMarkets(at, CONSOLE_REALM);
    if (!closing.ok) app.log('could not close due markets', { error: closing.error.message });
    const invocation: Invocation = {
      command: 'command' in parsed ? parsed.command.data.name : 'proposal',
      subcommand: 'command' in parsed ? parsed.subcommand : parsed.kind,
      options: 'command' in parsed ? parsed.options : {},
      actor,
      realm: CONSOLE_REALM,
      guildId: null,
      channelId: null,
      requestId: tagged ? `console:request:${tagged[1]}` : `console:${process.pid}:${at}:${counter}`,
      now: at,
    };
    const reply =
      limiter.refusal(actor.userId, app.realms.values(CONSOLE_REALM).rateLimitPerMinute) ??
      (await runHandler(
        () => ('command' in parsed ? parsed.command.execute(invocation, app) : runResolutionLine(parsed, invocation, app, hooks)),
        app,
        { line: text, user: actor.userId },
      ));
    write(replyToText(reply));
    if (tagged) write(`done ${tagged[1]}`);
    return true;
  };

  return new Promise((resolve) => {
    let queue = Promise.resolve(true);
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      lines.close();
      onClose?.();
      resolve();
    };
    lines.on('line', (line) => {
      queue = queue.then(async (going) => {
        if (!going) return false;
        const keepGoing = await handle(line);
        if (!keepGoing) finish();
        return keepGoing;
      });
    });
    lines.on('close', () => {
      void queue.then(finish);
    });
    if (signal?.aborted) lines.close();
    signal?.addEventListener('abort', () => lines.close(), { once: true });
  });
}
