import type { Reply } from '../reply.ts';

/** Discord markup the console cannot show, turned into plain text. */
function unmark(text: string): string {
  return text
    .replace(/<t:(\d+):\w>/g, (_, seconds: string) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'))
    .replace(/<@!?(\w[\w.-]*)>/g, '@$1')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/`/g, '')
    .replace(/\\([*_`~|>])/g, '$1')
    .replace(/@\u200b/g, '@');
}

/** A reply as the console shows it: the same cards Discord gets, as indented text. */
export function replyToText(reply: Reply): string {
  const lines: string[] = [];
  if (reply.content) lines.push(unmark(reply.content));
  for (const card of reply.cards) {
    lines.push(`┌ ${unmark(card.title)}`);
    if (card.description) lines.push(...unmark(card.description).split('\n').map((line) => `│ ${line}`));
    for (const field of card.fields ?? []) {
      const value = unmark(field.value).split('\n');
      if (value.length === 1) lines.push(`│ ${field.name}: ${value[0]}`);
      else lines.push(`│ ${field.name}:`, ...value.map((line) => `│   ${line}`));
    }
    if (card.image) lines.push(`│ [image: ${card.image}]`);
    if (card.footer) lines.push(`└ ${unmark(card.footer)}`);
  }
  for (const row of reply.actions) {
    const labels = row.map((action) => (action.kind === 'button' ? `[${action.label}]` : `[${action.placeholder}]`));
    const instead = row.some((action) => action.id.startsWith('crux:proposal:')) ? '/proposal accept|reject ID' : '/bet';
    lines.push(`${labels.join(' ')}  (buttons work in Discord; here use ${instead})`);
  }
  for (const file of reply.files) lines.push(`[attachment: ${file.name}, ${file.data.length} bytes]`);
  return lines.join('\n');
}
