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
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pipeline/{id}',
    summary: 'Get a pipeline: its spec and status',
    request: { params: idParams },
    responses: { 200: json(PipelineSchema, 'The pipeline'), 404: error('Unknown pipeline') },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pipeline/{id}/health',
    summary: 'Pipeline health; answers from the last known status even with every worker down',
    request: { params: idParams },
    responses: { 200: json(PipelineHealthSchema, 'Health'), 404: error('Unknown pipeline') },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pipeline/{id}/history',
    summary: 'Transition history',
    request: { params: idParams },
    responses: { 200: json(PipelineHistorySchema, 'History'), 404: error('Unknown pipeline'), 503: error('No worker answered') },
  });
  for (const command of ['stop', 'terminate', 'resume'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/api/v1/pipeline/{id}/${command}`,
      summary: `${command[0].toUpperCase()}${command.slice(1)} a pipeline`,
      request: { params: idParams },
      responses: {
        204: { description: 'Accepted, or already under way or done' },
        404: error('Unknown pipeline'),
        409: error('Invalid in the current status'),
        503: error('No worker accepted the command in time'),
      },
    });
  }
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/pipeline/{id}',
    summary: 'Delete a Stopped pipeline and every resource it owns',
    request: { params: idParams },
    responses: {
      204: { description: 'Deleted' },
      404: error('Unknown pipeline'),
      409: error('Not Stopped'),
      503: error('No worker accepted the command in time'),
    },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Weir', version: '1', description: 'Control plane for streaming data pipelines' },
    security: [{ bearer: [] }],
  });
}
