/** A pipeline as the user declared it. Validated by the API before it reaches a workflow. */
export interface ComponentSpec {
  name: string;
  image: string;
  command?: string[];
  env?: Record<string, string>;
  replicas: number;
}

export interface PipelineSpec {
  pipeline_id: string;
  name: string;
  components: ComponentSpec[];
}
