import { registerAccountRoutes } from './rest-account-routes.ts';
import { registerChannelRoutes } from './rest-channel-routes.ts';
import { registerCommandRoutes } from './rest-command-routes.ts';
import type { RestContext } from './rest-context.ts';
import { registerGuildRoutes } from './rest-guild-routes.ts';
import { registerInteractionRoutes } from './rest-interaction-routes.ts';
import { Router } from './router.ts';

/** Every Discord REST route the fake answers, relative to `/api/v10`. */
export function createApiRouter(context: RestContext): Router {
  const router = new Router();
  for (const register of [
    registerAccountRoutes,
    registerGuildRoutes,
    registerChannelRoutes,
    registerInteractionRoutes,
    registerCommandRoutes,
  ]) {
    register(router, context);
  }
  return router;
}
