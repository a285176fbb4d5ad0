import type { ZodError } from 'zod';
import type { ErrorCode } from './schemas';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  INVALID_TRANSITION: 409,
  STREAMS_NOT_EMPTY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** An error the API answers with as-is: its code picks the HTTP status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }

  toBody() {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static validation(error: ZodError, location: 'body' | 'query' | 'path'): ApiError {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) {
      const field = issue.path.length > 0 ? issue.path.join('.') : location;
      fields[field] ??= issue.message;
    }
    const summary = Object.entries(fields)
      .map(([field, message]) => `${field}: ${message}`)
      .join('; ');
    return new ApiError('VALIDATION_FAILED', `invalid ${location}: ${summary}`, { fields });
  }

  static notFound(pipelineId: string): ApiError {
    return new ApiError('NOT_FOUND', `pipeline ${pipelineId} not found`);
  }
}
