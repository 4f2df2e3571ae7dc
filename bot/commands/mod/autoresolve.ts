import { z } from 'zod';
import { switchInput } from '../../../markets/inputs.ts';
import { platformName } from '../../../markets/resolution/decide.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, parseOptions, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

/** Platforms that give verdicts; a plain web page never does, so trusting it would mean nothing. */
export const TRUSTABLE_KINDS = ['manifold', 'metaculus', 'polymarket'] as const;

const HOUR_MS = 60 * 60 * 1000;

const options = z.object({
  // Discord sends a boolean, the console the text after `enabled:`.
  enabled: switchInput,
  sources: z
    .string()
    .trim()
    .default(TRUSTABLE_KINDS.join(','))
    .transform((text) => [...new Set(text.split(',').map((kind) => kind.trim().toLowerCase()).filter((kind) => kind !== ''))])
    .pipe(z.array(z.enum(TRUSTABLE_KINDS, { error: `sources are any of ${TRUSTABLE_KINDS.join(', ')}` })).min(1, 'name at least one source')),
  grace_hours: z.coerce.number({ error: 'give a number of hours' }).finite().min(0).max(24 * 30).default(24),
});

/**
 * Moderators: whether proposals from trusted platforms resolve markets by themselves once `grace_hours` pass without a
 * moderator rejecting them. Conflicts and reports never apply themselves.
 */
export function configureAutoResolve(invocation: Invocation, app: App): Reply {
  const input = parseOptions(options, invocation);
  const settings = unwrap(
    app.resolution.configureAutoResolve(
      { autoApply: input.enabled, trustedKinds: input.sources, graceMs: Math.round(input.grace_hours * HOUR_MS) },
      contextOf(invocation),
    ),
  );
  const trusted = settings.trustedKinds.map(platformName).join(', ');
  return replyWith({
    content: settings.autoApply
      ? `🤖 Auto-resolve is on: proposals backed only by ${trusted} apply themselves ${input.grace_hours} h after they are posted unless a moderator rejects them. Conflicts never do.`
      : '🤖 Auto-resolve is off: every proposal waits for a moderator.',
  });
}
