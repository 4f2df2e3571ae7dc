import cron, { type ScheduledTask } from 'node-cron';
import type { Market } from '../markets/market.ts';
import type { App } from './commands/command.ts';

export interface JobHooks {
  /** Tells a market's channel that it has closed. */
  announceClosed(market: Market): Promise<void>;
  now: () => number;
}

/** Closes every market whose close time has passed and announces each; safe to run at any moment. */
export async function closeDueMarkets(app: App, hooks: JobHooks): Promise<Market[]> {
  const result = app.service.closeDueMarkets(hooks.now());
  if (!result.ok) {
    app.log('the close job was refused', { error: result.error.message });
    return [];
  }
  for (const market of result.value) {
    await hooks.announceClosed(market).catch((error: unknown) =>
      app.log('could not announce a closed market', { market: market.id, error: String(error) }),
    );
  }
  return result.value;
}

export interface Jobs {
  stop(): Promise<void>;
}

/** Starts the scheduled jobs; `stop` waits for none to be half-way through. */
export function startJobs(app: App, hooks: JobHooks): Jobs {
  let running: Promise<unknown> = Promise.resolve();
  const tasks: ScheduledTask[] = [
    cron.schedule(app.config.CRUX_CLOSE_CRON, () => {
      running = running.then(() => closeDueMarkets(app, hooks));
      return running;
    }, { name: 'close-due-markets', noOverlap: true }),
  ];
  return {
    async stop() {
      await Promise.all(tasks.map((task) => task.stop()));
      await running;
    },
  };
}
