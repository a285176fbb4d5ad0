/** Operational settings fixed when a pipeline is created and carried across continue-as-new. */
export interface PipelineSettings {
  /** Seconds a component gets between SIGTERM and SIGKILL on a graceful stop. */
  stop_grace_seconds: number;
  /** Seconds a graceful stop may take, drain included, before it escalates to terminate. */
  stop_deadline_seconds?: number;
  /** Seconds to wait for every component to be up before the start counts as failed. */
  ready_timeout_seconds: number;
  /** Attempts per orchestrator operation before the pipeline goes to Failed. */
  max_attempts: number;
  /** First retry delay; it doubles up to `max_retry_interval_seconds`. */
  initial_retry_interval_seconds: number;
  max_retry_interval_seconds: number;
}

export const DEFAULT_PIPELINE_SETTINGS: Required<PipelineSettings> = {
  stop_grace_seconds: 10,
  stop_deadline_seconds: 300,
  ready_timeout_seconds: 120,
  max_attempts: 5,
  initial_retry_interval_seconds: 1,
  max_retry_interval_seconds: 10,
};

/** Settings of pipelines created before a setting existed get its default. */
export function withSettingDefaults(settings: PipelineSettings): Required<PipelineSettings> {
  return { ...DEFAULT_PIPELINE_SETTINGS, ...settings };
}
