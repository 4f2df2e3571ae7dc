import { z } from 'zod';
import type { ChildVerifyReport } from './verify-in-child.ts';

/** How often the maintenance process checkpoints the WAL: often enough that the WAL starts over between bursts. */
export const CHECKPOINT_EVERY_MS = 100;

/** The serving process asks for a full check. */
export const maintenanceRequest = z.object({
  id: z.number().int(),
  priority: z.number().int(),
  keepCheckpointAt: z.number().int().optional(),
});
export type MaintenanceRequest = z.infer<typeof maintenanceRequest>;

/** Its answer: the check's report, or why it could not run. */
export type MaintenanceReply = { id: number; report: ChildVerifyReport } | { id: number; error: string };
