/**
 * `npm run export` with one line more: when the process exits it writes its peak resident memory to stderr as
 * `peak_rss_kb: N`, so the benchmark measures the export's own memory, not that of the process timing it.
 */
process.on('exit', () => process.stderr.write(`peak_rss_kb: ${process.resourceUsage().maxRSS}\n`));
await import('../../bot/export-cli.ts');
