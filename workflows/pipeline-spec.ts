/** A pipeline as the user declared it. Validated by the API before it reaches a workflow. */
export interface ComponentSpec {
  name: string;
  image: string;
  command?: string[];
  env?: Record<string, string>;
  replicas: number;
  /** Stream this component consumes; absent for sources. */
  input?: string;
  /** Stream this component publishes to; absent for sinks. */
  output?: string;
}

export interface PipelineSpec {
  pipeline_id: string;
  name: string;
  components: ComponentSpec[];
}
