/**
 * `npm run bench`: runs each benchmark in turn and prints its figures as `name: value`, one a line.
 * Benchmarks are not tests: they take seconds, depend on the machine, and assert nothing about speed.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { runEngineQuotesBench } from './engine-quotes.ts';
import { runMachineBench } from './machine.ts';
import { runMillionTradesBench } from './million.ts';
import { consoleReport, type Benchmark } from './report.ts';
import { runReplyLatencyBench } from './replies.ts';
import { runShardedRepliesBench } from './shard-replies.ts';
import { runStartupBench } from './startup.ts';
import { runTradesBench } from './trades.ts';

const benchmarks: Benchmark[] = [
  { name: 'trades', run: runTradesBench },
  { name: 'engine quotes', run: runEngineQuotesBench },
  { name: 'replies under load', run: runReplyLatencyBench },
  { name: 'replies with shards', run: runShardedRepliesBench },
  { name: 'startup', run: runStartupBench },
  { name: 'a million trades: export, start-up, full verify, reads, replies under load; three million beside it (BENCH_LARGE=1)', run: runMillionTradesBench },
];

// Other work on the machine skews every figure, so say how busy it was.
const describeLoad = () => `load average ${loadavg().map((load) => load.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs`;

// `BENCH_ONLY=trades,startup` runs the benchmarks whose names start with one of those words, to measure one part again.
const only = process.env.BENCH_ONLY?.split(',').map((word) => word.trim()).filter((word) => word !== '');
const chosen = only === undefined ? benchmarks : benchmarks.filter((benchmark) => only.some((word) => benchmark.name.startsWith(word)));

// The bot's processes are timed as `npm start` runs them, compiled, so dist/ is brought up to date first.
execFileSync('npm', ['run', '--silent', 'compile'], { stdio: 'inherit' });
consoleReport.note(`Node ${process.version}, ${describeLoad()}`);
// Whatever is chosen: the same code measures differently from one virtual machine (or day) to the next, and these
// say how this one compares.
consoleReport.note('this machine: its disk and loopback');
await runMachineBench(consoleReport);
for (const benchmark of chosen) {
  const start = performance.now();
  consoleReport.note(benchmark.name);
  await benchmark.run(consoleReport);
  consoleReport.note(`${benchmark.name} took ${((performance.now() - start) / 1000).toFixed(1)} s, ${describeLoad()}`);
}
