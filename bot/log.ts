/**
 * One JSON line per event on stderr. Secrets are scrubbed from every line, so a token that ends up in an
 * error message (discord.js puts request details in some) never reaches the log.
 */
export type Logger = (message: string, context?: Record<string, unknown>) => void;

const TOKEN_SHAPE = /[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}/g;

export function createLogger(secrets: readonly (string | undefined)[], write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const known = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  const scrub = (text: string) => known.reduce((out, secret) => out.split(secret).join('[redacted]'), text).replace(TOKEN_SHAPE, '[redacted]');
  return (message, context = {}) => {
    write(scrub(JSON.stringify({ at: new Date().toISOString(), message, ...context })));
  };
}
