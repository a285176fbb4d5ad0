import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ComponentSpecSchema,
  CreatePipelineSchema,
  EditPipelineSchema,
  EditQuerySchema,
  ScaleComponentSchema,
  ErrorSchema,
  ComponentNameSchema,
  ListQuerySchema,
  LogsQuerySchema,
  PipelineHealthSchema,
  PipelineHistorySchema,
  PipelineIdSchema,
  PipelineQuerySchema,
  PipelineSchema,
  PipelineSummarySchema,
  RequestIdSchema,
  TransitionEventSchema,
  HealthEventSchema,
  DrainEventSchema,
  DeletedEventSchema,
  LastEventIdSchema,
  WaitQuerySchema,
  RollbackQuerySchema,
} from './schemas';
import {
  COMMAND_ROUTES,
  COMPONENT_LOGS_ROUTE,
  EDIT_ROUTES,
  EVENTS_ROUTE,
  PIPELINES,
  READ_ROUTES,
  openApiPath,
  statusesRefusing,
} from './paths';
import { COMMANDS } from '../pipeline/status-machine';

const json = (schema: z.ZodType, description: string, headers?: z.ZodObject): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});
const error = (description: string, headers?: z.ZodObject) => json(ErrorSchema, description, headers);

/** What every /api route may answer, whatever the operation. */
const EVERY_ROUTE_ERRORS = {
  401: error(
    'UNAUTHORIZED: a token is set and the request lacks a valid `Authorization: Bearer <token>`',
    z.object({ 'WWW-Authenticate': z.literal('Bearer') }),
  ),
  403: error("FORBIDDEN: a state-changing request from a page of another origin, or a Host that is not the API's own"),
  500: error('INTERNAL: an unexpected failure; the message never carries a stack trace'),
};
const TEMPORAL_ERRORS = {
  ...EVERY_ROUTE_ERRORS,
  503: error(
    'UNAVAILABLE: Temporal is unreachable, or no worker answered in time; a command may still be applied, so retry with the same X-Request-Id',
  ),
};
const ID_ERRORS = {
  ...TEMPORAL_ERRORS,
  400: error('VALIDATION_FAILED: the path id does not match the pipeline id pattern'),
  404: error('NOT_FOUND: no such pipeline'),
};
const BODY_ERRORS = {
  413: error('PAYLOAD_TOO_LARGE: the body is over 1 MiB'),
  415: error('UNSUPPORTED_MEDIA_TYPE: the body is not application/json'),
};

const idParams = z.object({ id: PipelineIdSchema });
const requestIdHeader = z.object({ 'X-Request-Id': RequestIdSchema.optional() });
const requestIdEcho = z.object({
  'X-Request-Id': RequestIdSchema.openapi({ description: "The request id: the caller's, or a fresh one" }),
});

/** Operations on one pipeline, by operationId; create links to each of them with the id it answered. */
const ID_OPERATIONS = [...Object.values(READ_ROUTES), ...Object.values(COMMAND_ROUTES), ...Object.values(EDIT_ROUTES)].map(
  ({ operationId }) => operationId,
);

const LINKS_FROM_CREATE = Object.fromEntries(
  ID_OPERATIONS.map((operationId) => [operationId, { operationId, parameters: { id: '$response.body#/pipeline_id' } }]),
);

/** The OpenAPI 3 document of the API, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Required on every /api route when WEIR_API_TOKEN is set; /healthz and /readyz are always open',
  });
  registry.registerComponent('responses', 'MethodNotAllowed', {
    description: 'METHOD_NOT_ALLOWED: the path exists, the method does not; any path of this document answers it for other methods',
    headers: { Allow: { description: 'The methods the path has', required: true, schema: { type: 'string', example: 'GET, DELETE' } } },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });

  registry.registerPath({
    method: 'post',
    path: PIPELINES,
    operationId: 'createPipeline',
    summary: 'Create a pipeline',
    request: {
      headers: requestIdHeader,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: CreatePipelineSchema,
            example: {
              name: 'Orders ETL',
              components: [
                { name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'], env: { LOG_LEVEL: 'info' }, replicas: 1 },
              ],
            },
          },
        },
      },
    },
    responses: {
      201: {
        ...json(PipelineSchema, 'Created, status Created; a retry with the same X-Request-Id and body answers the same', requestIdEcho),
        links: LINKS_FROM_CREATE,
      },
      400: error('VALIDATION_FAILED (with per-field messages) or MALFORMED_JSON'),
      409: error('ALREADY_EXISTS: a pipeline with this id exists'),
      ...BODY_ERRORS,
      ...TEMPORAL_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: PIPELINES,
    operationId: 'listPipelines',
    summary: 'List pipelines, newest first, one page at a time',
    request: { query: ListQuerySchema },
    responses: {
      200: json(
        z.array(PipelineSummarySchema),
        'One page of pipelines',
        z.object({
          'Weir-Next-Page-Token': z
            .string()
            .optional()
            .openapi({ description: 'The page_token of the next page; absent on the last page' }),
        }),
      ),
      400: error('VALIDATION_FAILED: an unknown status or query parameter, a bad limit or page token'),
      ...TEMPORAL_ERRORS,
    },
  });

  const readPipeline = (
    { path, operationId }: (typeof READ_ROUTES)[keyof typeof READ_ROUTES],
    summary: string,
    body: z.ZodType,
    description: string,
  ) =>
    registry.registerPath({
      method: 'get',
      path: openApiPath(path),
      operationId,
      summary,
      request: { params: idParams },
      responses: { 200: json(body, description), ...ID_ERRORS },
    });
  registry.registerPath({
    method: 'get',
    path: openApiPath(READ_ROUTES.pipeline.path),
    operationId: READ_ROUTES.pipeline.operationId,
    summary: 'Get a pipeline: its current spec, or with ?revision= an earlier one, and its status',
    request: { params: idParams, query: PipelineQuerySchema },
    responses: {
      200: json(PipelineSchema, 'The pipeline, with the spec of the revision asked for'),
      ...ID_ERRORS,
      400: error('VALIDATION_FAILED: the path id or the revision is malformed'),
      404: error('NOT_FOUND: no such pipeline, or no such revision of its spec'),
    },
  });
  readPipeline(
    READ_ROUTES.health,
    'Pipeline health; answers from the last known status even with every worker down',
    PipelineHealthSchema,
    'Health',
  );
  readPipeline(READ_ROUTES.history, 'Transition history; needs a worker', PipelineHistorySchema, 'History');

  registry.registerPath({
    method: 'get',
    path: openApiPath(COMPONENT_LOGS_ROUTE.path),
    operationId: COMPONENT_LOGS_ROUTE.operationId,
    summary: "A component's log: stdout and stderr of every replica, secret values masked",
    request: { params: idParams.extend({ name: ComponentNameSchema }), query: LogsQuerySchema },
    responses: {
      200: {
        description:
          'One line per log line, `[<replica>] text`, or `[<replica> stderr] text` for standard error; replicas are ' +
          'numbered as in their container names on Docker, and named by their pods on Kubernetes. Without follow, the lines of all replicas merged by time; with ' +
          'follow, streamed (chunked) until every replica stops or the client leaves.',
        content: { 'text/plain': { schema: z.string().openapi({ example: '[0] listening\n[0 stderr] retrying\n' }) } },
      },
      ...ID_ERRORS,
      400: error('VALIDATION_FAILED: a bad pipeline id, component name, tail, follow or unknown query parameter'),
      404: error('NOT_FOUND: no such pipeline, or it has no such component'),
      503: error('UNAVAILABLE: Temporal or the Docker engine is unreachable'),
    },
  });

  for (const command of COMMANDS) {
    const { method, path, operationId, summary, accepted } = COMMAND_ROUTES[command];
    const refusing = statusesRefusing(command);
    const answered = requestIdEcho.extend({
      'Weir-Command-Outcome': z
        .enum(['accepted', 'noop'])
        .openapi({ description: 'accepted: the status changed; noop: already under way or done' }),
    });
    const settledAnswer =
      command === 'delete'
        ? { 200: json(PipelineHealthSchema, 'With ?wait: the removal failed and the pipeline is Failed; its health', answered) }
        : {
            200: json(PipelineHealthSchema, 'With ?wait: the pipeline settled (Running, Stopped or Failed) in time; its health', answered),
          };
    registry.registerPath({
      method,
      path: openApiPath(path),
      operationId,
      summary,
      request: { params: idParams, headers: requestIdHeader, query: WaitQuerySchema },
      responses: {
        ...ID_ERRORS,
        204: {
          description: command === 'delete' ? accepted : `${accepted}; with ?wait, a settled pipeline answers 200 instead`,
          headers: answered,
        },
        ...settledAnswer,
        202: json(
          PipelineHealthSchema,
          'With ?wait: the wait ran out before the pipeline settled; its health now, the command still under way',
          answered,
        ),
        400: error(
          'VALIDATION_FAILED: the path id does not match the pipeline id pattern, or wait is not a whole number of seconds in range',
        ),
        409: error(
          `INVALID_TRANSITION: ${command} is refused while the pipeline is ${listed(refusing)}; details name the current status and the allowed actions`,
        ),
      },
    });
  }

  registry.registerPath({
    method: 'get',
    path: openApiPath(EVENTS_ROUTE.path),
    operationId: EVENTS_ROUTE.operationId,
    summary: "Stream the pipeline's transitions, health changes and drain progress as Server-Sent Events, until it is deleted",
    request: { params: idParams, headers: z.object({ 'Last-Event-ID': LastEventIdSchema.optional() }) },
    responses: {
      ...ID_ERRORS,
      200: {
        description: [
          'A text/event-stream that stays open. Events, each with a JSON `data` line:',
          "`status` (id: the last transition's seq; first, when there is no Last-Event-ID): the health, as GET /health answers it;",
          '`transition` (id: its seq): a TransitionEvent; with Last-Event-ID, the stream starts with the transitions after it;',
          '`health`: a HealthEvent, when component states change; `drain`: a DrainEvent, when drain progress changes;',
          '`deleted`: a DeletedEvent, the last event, after which the stream ends.',
        ].join(' '),
        content: { 'text/event-stream': { schema: z.string() } },
      },
      400: error('VALIDATION_FAILED: the path id does not match the pipeline id pattern, or Last-Event-ID is not an event id'),
    },
  });
  for (const [name, schema] of Object.entries({
    TransitionEvent: TransitionEventSchema,
    HealthEvent: HealthEventSchema,
    DrainEvent: DrainEventSchema,
    DeletedEvent: DeletedEventSchema,
  })) {
    registry.register(name, schema);
  }
  const editOutcome = z.object({
    'Weir-Command-Outcome': z.enum(['accepted', 'noop']).openapi({
      description: 'accepted: a new revision; noop: the spec is already this one, or a retry of an applied edit',
    }),
  });
  const editResponses = (summary: string) => ({
    200: json(PipelineSchema, `${summary}; the next resume applies it`, requestIdEcho.extend(editOutcome.shape)),
    202: json(
      PipelineSchema,
      'With apply=rolling, of a Running pipeline: the rolling edit is under way (Stopping, rolling_edit the revision it makes); ' +
        'it drains the pipeline, applies the edit and resumes it',
      requestIdEcho.extend(editOutcome.shape),
    ),
    409: error(
      `INVALID_TRANSITION: an edit is refused while the pipeline is ${listed(statusesRefusing('edit'))}, ` +
        `a rolling edit while it is ${listed(statusesRefusing('rolling_edit'))}, and any edit while a rolling edit is under way; ` +
        'STREAMS_NOT_EMPTY: a stream the new spec no longer uses still holds messages (details.streams names each, with its count)',
    ),
    ...ID_ERRORS,
  });
  registry.registerPath({
    method: EDIT_ROUTES.edit.method,
    path: openApiPath(EDIT_ROUTES.edit.path),
    operationId: EDIT_ROUTES.edit.operationId,
    summary:
      'Edit a Stopped or Failed pipeline: a whole new spec, validated as at create, becomes its next revision; ' +
      'with apply=rolling, a Running one too, drained, edited and resumed',
    request: {
      params: idParams,
      headers: requestIdHeader,
      query: EditQuerySchema,
      body: { required: true, content: { 'application/json': { schema: EditPipelineSchema } } },
    },
    responses: {
      ...editResponses('The pipeline with the new spec and its revision'),
      400: error("VALIDATION_FAILED (with per-field messages; a pipeline_id other than the path's) or MALFORMED_JSON"),
      ...BODY_ERRORS,
    },
  });
  registry.registerPath({
    method: EDIT_ROUTES.rollback.method,
    path: openApiPath(EDIT_ROUTES.rollback.path),
    operationId: EDIT_ROUTES.rollback.operationId,
    summary: 'Roll a Stopped or Failed pipeline back: the spec of an earlier revision becomes its next revision',
    request: { params: idParams, headers: requestIdHeader, query: RollbackQuerySchema },
    responses: {
      ...editResponses('The pipeline with the earlier spec as its new revision'),
      400: error('VALIDATION_FAILED: the path id or the revision is malformed'),
      404: error('NOT_FOUND: no such pipeline, or no such revision of its spec'),
    },
  });
  registry.registerPath({
    method: EDIT_ROUTES.scale.method,
    path: openApiPath(EDIT_ROUTES.scale.path),
    operationId: EDIT_ROUTES.scale.operationId,
    summary:
      'Scale one component: while Running, its replicas change at once and the status stays Running; in Stopped or Failed, it is an edit of its replica count',
    request: {
      params: idParams.extend({ name: ComponentNameSchema }),
      headers: requestIdHeader,
      body: { required: true, content: { 'application/json': { schema: ScaleComponentSchema } } },
    },
    responses: {
      200: json(
        PipelineSchema,
        'The pipeline with the new replica count in its spec and its revision; while Running, the replicas follow (watch /health)',
        requestIdEcho.extend(editOutcome.shape),
      ),
      409: error(`INVALID_TRANSITION: a scale is refused while the pipeline is ${listed(statusesRefusing('scale'))}`),
      ...ID_ERRORS,
      400: error('VALIDATION_FAILED (replicas not an integer from 1 to 10, another field, a bad component name) or MALFORMED_JSON'),
      404: error('NOT_FOUND: no such pipeline, or it has no such component'),
      ...BODY_ERRORS,
    },
  });

  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Weir',
      version: '1',
      description:
        'Control plane for streaming data pipelines. Every error is an Error object. A method a path does not have answers ' +
        '405 (components/responses/MethodNotAllowed).',
    },
    security: [{ bearer: [] }],
  });
  const componentSpec = document.components?.schemas?.ComponentSpec;
  if (componentSpec && 'properties' in componentSpec && componentSpec.properties) describeComponentFields(componentSpec.properties);
  return document;
}

/** What zod-to-openapi leaves out of ComponentSpec: the grammar of env and secret_env names, and rules said in prose. */
function describeComponentFields(properties: Record<string, object>) {
  const described = (field: string, additions: object) => {
    properties[field] = { ...additions, ...properties[field] };
  };
  described('image', { description: 'A Docker image reference, [host[:port]/]path[:tag][@digest], present on the engine or pullable' });
  described('env', { description: 'Environment variables; values must not contain NUL', propertyNames: keySchemaOf('env') });
  described('secret_env', { propertyNames: keySchemaOf('secret_env') });
}

function listed(statuses: string[]): string {
  return statuses.length <= 1 ? statuses.join('') : `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}

function keySchemaOf(field: 'env' | 'secret_env') {
  const { $schema: _, ...schema } = z.toJSONSchema(ComponentSpecSchema.shape[field].unwrap().keyType, { target: 'openapi-3.0' });
  return schema;
}
