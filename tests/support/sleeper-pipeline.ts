/** A pipeline of one component that only sleeps: it runs until it is stopped, and stops at once. */
export const sleeperPipeline = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: `Sleeper ${pipelineId}`,
  components: [{ name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'] }],
});
