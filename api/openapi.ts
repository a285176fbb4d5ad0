import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  CreatePipelineSchema,
  ErrorSchema,
  ListQuerySchema,
  PipelineHealthSchema,
  PipelineHistorySchema,
  PipelineIdSchema,
  PipelineSchema,
  PipelineSummarySchema,
} from './schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorSchema, description);
const idParams = z.object({ id: PipelineIdSchema });

/** The OpenAPI 3 document of the API, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/pipeline',
    summary: 'Create a pipeline',
    request: { body: { content: { 'application/json': { schema: CreatePipelineSchema } } } },
    responses: {
      201: json(PipelineSchema, 'Created; status is Created'),
      400: error('Invalid body or malformed JSON'),
      409: error('A pipeline with this id exists'),
      413: error('Body over 1 MiB'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pipeline',
    summary: 'List pipelines',
    request: { query: ListQuerySchema },
    responses: { 200: json(z.array(PipelineSummarySchema), 'Pipelines'), 400: error('Unknown status') },
  });
  const readPipeline = (path: string, summary: string, body: z.ZodType, description: string, unavailable?: string) =>
    registry.registerPath({
      method: 'get',
      path,
      summary,
      request: { params: idParams },
      responses: { 200: json(body, description), 404: error('Unknown pipeline'), ...(unavailable ? { 503: error(unavailable) } : {}) },
    });
  readPipeline('/api/v1/pipeline/{id}', 'Get a pipeline: its spec and status', PipelineSchema, 'The pipeline');
  readPipeline(
    '/api/v1/pipeline/{id}/health',
    'Pipeline health; answers from the last known status even with every worker down',
    PipelineHealthSchema,
    'Health',
  );
  readPipeline('/api/v1/pipeline/{id}/history', 'Transition history', PipelineHistorySchema, 'History', 'No worker answered');

  const command = (method: 'post' | 'delete', path: string, summary: string, accepted: string, refused: string) =>
    registry.registerPath({
      method,
      path,
      summary,
      request: { params: idParams },
      responses: {
        204: { description: accepted },
        404: error('Unknown pipeline'),
        409: error(refused),
        503: error('No worker accepted the command in time'),
      },
    });
  for (const name of ['stop', 'terminate', 'resume'] as const) {
    command('post', `/api/v1/pipeline/{id}/${name}`, `${name[0].toUpperCase()}${name.slice(1)} a pipeline`, 'Accepted, or already under way or done', 'Invalid in the current status');
  }
  command('delete', '/api/v1/pipeline/{id}', 'Delete a Stopped pipeline and every resource it owns', 'Deleted', 'Not Stopped');

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Weir', version: '1', description: 'Control plane for streaming data pipelines' },
    security: [{ bearer: [] }],
  });
}
