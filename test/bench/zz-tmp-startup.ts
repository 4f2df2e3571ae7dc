import { runStartupBench } from './startup.ts';
import { consoleReport } from './report.ts';
await runStartupBench(consoleReport);
