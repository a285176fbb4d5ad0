import { z } from 'zod';

/**
 * What the activities report in their heartbeats, and health reads back from describe with no worker:
 * component states while starting or watching, drain progress while stopping.
 */
export const COMPONENT_RUN_STATES = ['running', 'starting', 'stopped', 'failed', 'missing'] as const;
export type ComponentRunState = (typeof COMPONENT_RUN_STATES)[number];

const ComponentStateSchema = z.object({
  component: z.string(),
  desired_replicas: z.number().int(),
  ready_replicas: z.number().int(),
  state: z.enum(COMPONENT_RUN_STATES),
  message: z.string().optional(),
});
export type ComponentState = z.infer<typeof ComponentStateSchema>;

const DrainProgressSchema = z.object({
  stopped: z.array(z.string()),
  /** Messages each consuming component still has to finish, at the last look. */
  unfinished: z.record(z.string(), z.number().int()),
});
export type DrainProgress = z.infer<typeof DrainProgressSchema>;

const HeartbeatDetailsSchema = z.union([z.object({ components: z.array(ComponentStateSchema) }), DrainProgressSchema]);
export type HeartbeatDetails = z.infer<typeof HeartbeatDetailsSchema>;

/** The heartbeat details of an activity, or undefined when they are not of a shape Weir reports. */
export function heartbeatDetailsOf(details: unknown): HeartbeatDetails | undefined {
  const parsed = HeartbeatDetailsSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}

/** The drain progress a retried drain resumes from, if its last heartbeat was one. */
export function drainProgressOf(details: unknown): DrainProgress | undefined {
  const parsed = DrainProgressSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}
