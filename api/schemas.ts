import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { checkImageReference } from '../pipeline/image-reference';
import {
  COMPONENT_NAME_PATTERN,
  MAX_REPLICAS,
  PIPELINE_ID_PATTERN,
  SECRET_NAME_PATTERN,
  STREAM_NAME_PATTERN,
  isWeirVariable,
} from '../pipeline/pipeline-spec';
import { TRANSITION_OUTCOMES, TRANSITION_SOURCES } from '../pipeline/pipeline-view';
import { ACTIONS, PIPELINE_STATUSES } from '../pipeline/status-machine';
import { HEALTH_STATES } from './component-health';
import { streamGraphProblems } from '../pipeline/stream-graph';
import { MAX_SETTLE_WITHIN_MS } from '../workflows/messages';

extendZodWithOpenApi(z);

const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A name of at most 255 characters, a tag of at most 128 and a digest. */
const MAX_IMAGE_REFERENCE_LENGTH = 512;
const MAX_MIN_READY_SECONDS = 3600;

export const PipelineIdSchema = z
  .string()
  .regex(PIPELINE_ID_PATTERN, `must match ${PIPELINE_ID_PATTERN.source}`)
  .openapi({ example: 'orders-etl' });

export const ComponentNameSchema = z
  .string()
  .regex(COMPONENT_NAME_PATTERN, `must match ${COMPONENT_NAME_PATTERN.source}`)
  .openapi({ example: 'ingestor' });

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const RequestIdSchema = z
  .string()
  .regex(REQUEST_ID_PATTERN)
  .openapi({
    description:
      'Makes the request idempotent: a retry with the same id is applied at most once and answers as the first did. ' +
      `An id that does not match ${REQUEST_ID_PATTERN.source} is replaced by a fresh one.`,
    example: 'retry-7f3a9c',
  });

export const PipelineStatusSchema = z.enum(PIPELINE_STATUSES).openapi('PipelineStatus');

const EnvNameSchema = z.string().regex(ENV_NAME_PATTERN, 'must be a valid environment variable name').max(128);

/** Strings that reach a process as C strings (arguments, environment values) cannot hold NUL. */
const processString = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters');

const ImageReferenceSchema = z
  .string()
  .max(MAX_IMAGE_REFERENCE_LENGTH)
  .superRefine((reference, context) => {
    const problem = checkImageReference(reference);
    if (problem) context.addIssue({ code: 'custom', message: `must be a Docker image reference such as busybox:latest: it ${problem}` });
  })
  .openapi({ description: 'A Docker image reference: [registry/]name[:tag][@digest], the name in lowercase', example: 'busybox:latest' });

const StreamNameSchema = z.string().regex(STREAM_NAME_PATTERN, `must match ${STREAM_NAME_PATTERN.source}`);

/**
 * A component as users declare it. Strict: any field not listed (privileged, volumes, network_mode, ...) is refused,
 * so a spec cannot ask for privileges or host resources.
 */
export const ComponentSpecSchema = z
  .strictObject({
    name: ComponentNameSchema,
    image: ImageReferenceSchema,
    command: z.array(processString(4096)).min(1).max(64).optional(),
    env: z.record(EnvNameSchema, processString(8192)).optional(),
    secret_env: z
      .record(EnvNameSchema, z.string().regex(SECRET_NAME_PATTERN, 'must be a secret name matching ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'))
      .optional()
      .openapi({
        description:
          'Environment variables whose values the worker reads from its secrets directory, by secret name; values never enter history.',
        example: { DB_PASSWORD: 'orders-db-password' },
      }),
    replicas: z.number().int().min(1).max(MAX_REPLICAS).default(1),
    min_ready_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_MIN_READY_SECONDS)
      .optional()
      .openapi({
        description:
          'How long each replica must have run, and been healthy if its image defines a HEALTHCHECK, before the component counts as ready. ' +
          'Absent means 0: a replica is ready as soon as it runs (and is healthy).',
        default: 0,
        example: 5,
      }),
    input: StreamNameSchema.optional(),
    output: StreamNameSchema.optional(),
  })
  .superRefine((component, context) => {
    for (const variable of Object.keys(component.secret_env ?? {})) {
      if (component.env && Object.hasOwn(component.env, variable)) {
        context.addIssue({ code: 'custom', path: ['secret_env', variable], message: `${variable} is also set in env` });
      }
      // Weir's own variables would silently replace the secret.
      if (isWeirVariable(variable)) {
        context.addIssue({ code: 'custom', path: ['secret_env', variable], message: `${variable} is set by Weir` });
      }
    }
  })
  .openapi('ComponentSpec');

export const CreatePipelineSchema = z
  .strictObject({
    pipeline_id: PipelineIdSchema.optional(),
    name: z.string().min(1).max(200),
    components: z
      .array(ComponentSpecSchema)
      .min(1)
      .max(20)
      .superRefine((components, context) => {
        const seen = new Set<string>();
        components.forEach((component, index) => {
          if (seen.has(component.name)) {
            context.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate component name ${component.name}` });
          }
          seen.add(component.name);
        });
        for (const problem of streamGraphProblems(components)) {
          context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
        }
      }),
  })
  .openapi('CreatePipeline');

/** An edit's body is a whole spec, as at create; its pipeline_id, when given, must be the path's. */
export const EditPipelineSchema = CreatePipelineSchema;

/** A live scale's body: the component's new replica count. */
export const ScaleComponentSchema = z
  .strictObject({
    replicas: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPLICAS)
      .openapi({ description: `The component's new replica count, 1 to ${MAX_REPLICAS}`, example: 3 }),
  })
  .openapi('ScaleComponent');

const SpecRevisionSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** GET one pipeline: `?revision=N` reads an earlier spec. */
export const PipelineQuerySchema = z.object({
  revision: SpecRevisionSchema.optional().openapi({ description: 'A revision of the spec to read; the current one by default' }),
});

/** How an edit is applied: by the next resume (the default), or, with `rolling`, to a Running pipeline at once. */
export const EditQuerySchema = z.object({
  apply: z
    .enum(['rolling'])
    .optional()
    .openapi({
      description:
        'rolling: a Running pipeline drains to Stopped, takes the edit and resumes, as one operation (202); ' +
        'a Stopped or Failed one takes it as a plain edit',
    }),
});

export const RollbackQuerySchema = EditQuerySchema.extend({
  revision: SpecRevisionSchema.openapi({ description: 'The earlier revision whose spec becomes the next revision' }),
});

const timestamp = z.string().openapi({ example: '2026-01-15T10:00:00.000Z' });

export const FailureReasonSchema = z
  .object({
    operation: z.string(),
    component: z.string().nullable(),
    error: z.string(),
    attempts: z.number().int().nullable(),
    at: timestamp,
  })
  .openapi('FailureReason');

export const PipelineSummarySchema = z
  .object({
    pipeline_id: z.string(),
    pipeline_name: z.string(),
    overall_status: PipelineStatusSchema,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('PipelineSummary');

const PipelineStatusViewSchema = PipelineSummarySchema.extend({
  failure: FailureReasonSchema.nullable(),
  spec_revision: z
    .number()
    .int()
    .min(1)
    .openapi({ description: 'The revision of the spec: 1 at create, one more with each accepted edit' }),
  rolling_edit: z.number().int().min(2).optional().openapi({ description: 'While a rolling edit is under way: the revision it rolls out' }),
});

export const ComponentHealthSchema = z
  .object({
    name: z.string(),
    desired_replicas: z.number().int(),
    ready_replicas: z.number().int(),
    state: z.enum(HEALTH_STATES),
    message: z.string().nullable(),
    unfinished_messages: z.number().int().nullable(),
  })
  .openapi('ComponentHealth');

export const PipelineHealthSchema = PipelineStatusViewSchema.extend({
  components: z.array(ComponentHealthSchema),
  observed_at: timestamp.nullable(),
  allowed_actions: z
    .array(z.enum(ACTIONS))
    .openapi({ description: 'The commands that would do something now; the others are no-ops or refused (409)' }),
}).openapi('PipelineHealth');

export const PipelineSchema = PipelineStatusViewSchema.extend({
  name: z.string(),
  components: z.array(ComponentSpecSchema),
}).openapi('Pipeline');

export const SpecChangeSchema = z
  .object({
    fields: z.array(z.string()).openapi({ description: 'Pipeline fields that changed: name, component_order' }),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.object({ component: z.string(), fields: z.array(z.string()) })).openapi({
      description: 'Fields by name, such as image, replicas or env.LOG_LEVEL; values never appear',
    }),
  })
  .openapi('SpecChange');

export const TransitionSchema = z
  .object({
    seq: z
      .number()
      .int()
      .min(1)
      .openapi({ description: "The record's number, from 1, stable for the life of the pipeline: the event id in /events" }),
    at: timestamp,
    from: PipelineStatusSchema,
    to: PipelineStatusSchema,
    command: z.enum(ACTIONS).nullable(),
    source: z.enum(TRANSITION_SOURCES),
    request_id: z.string().nullable(),
    reason: z.string(),
    outcome: z.enum(TRANSITION_OUTCOMES),
    spec_revision: z.number().int().optional().openapi({ description: 'On an edit: the revision it made' }),
    spec_change: SpecChangeSchema.optional(),
    rolling_edit: z.number().int().optional().openapi({ description: 'On each record of a rolling edit: the revision it rolls out' }),
  })
  .openapi('Transition');

export const PipelineHistorySchema = z
  .object({ pipeline_id: z.string(), overall_status: PipelineStatusSchema, transitions: z.array(TransitionSchema) })
  .openapi('PipelineHistory');

/** The events of GET /pipeline/{id}/events, by their SSE event name. */
export const TransitionEventSchema = TransitionSchema.extend({ pipeline_id: z.string() }).openapi('TransitionEvent');

export const HealthEventSchema = PipelineHealthSchema.pick({
  pipeline_id: true,
  overall_status: true,
  components: true,
  observed_at: true,
}).openapi('HealthEvent');

export const DrainEventSchema = z
  .object({
    pipeline_id: z.string(),
    stopped: z.array(z.string()).openapi({ description: 'Components stopped so far' }),
    unfinished: z.record(z.string(), z.number().int()).openapi({ description: 'Messages each consuming component still has to finish' }),
    observed_at: timestamp.nullable(),
  })
  .openapi('DrainEvent');

export const DeletedEventSchema = z.object({ pipeline_id: z.string(), at: timestamp }).openapi('DeletedEvent');

export const LastEventIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be the id of an event this stream sent')
  .transform(Number)
  .openapi({ description: 'Resumes after this event: the id of the last event received', example: '7' });

export const MAX_WAIT_SECONDS = MAX_SETTLE_WITHIN_MS / 1000;

export const WaitQuerySchema = z.strictObject({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .optional()
    .openapi({
      description: `Seconds to wait, at most ${MAX_WAIT_SECONDS}, for the pipeline to settle (Running, Stopped, Failed, or gone after a delete) before answering`,
      example: 30,
    }),
});

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export const ListQuerySchema = z.strictObject({
  status: PipelineStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  page_token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,2048}$/, 'must be a token from the Weir-Next-Page-Token header')
    .optional()
    .openapi({ description: 'Opaque: the Weir-Next-Page-Token header of the previous page' }),
});

export const DEFAULT_LOG_TAIL = 100;
export const MAX_LOG_TAIL = 10_000;

export const LogsQuerySchema = z.strictObject({
  tail: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LOG_TAIL)
    .default(DEFAULT_LOG_TAIL)
    .openapi({ description: 'How many of its last lines each replica starts with' }),
  follow: z
    .enum(['true', 'false'])
    .default('false')
    .openapi({ description: 'true: keep the response open and stream new lines until every replica stops or the client leaves' }),
});

export const ErrorSchema = z
  .object({
    code: z.enum([
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'NOT_FOUND',
      'ALREADY_EXISTS',
      'INVALID_TRANSITION',
      'STREAMS_NOT_EMPTY',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'METHOD_NOT_ALLOWED',
      'UNAVAILABLE',
      'INTERNAL',
    ]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Error');

export type ErrorCode = z.infer<typeof ErrorSchema>['code'];
