import { upsertMemo } from '@temporalio/workflow';
import { COMPONENT_NOT_FOUND, INVALID_SPEC } from '../pipeline/command-failures';
import { scaleReason, scaledSpec } from '../pipeline/component-scale';
import type { PipelineLedger } from '../pipeline/pipeline-ledger';
import { MAX_REPLICAS, type PipelineSpec } from '../pipeline/pipeline-spec';
import { isSameSpec } from '../pipeline/spec-change';
import type { SpecRevision } from '../pipeline/spec-revisions';
import { decide } from '../pipeline/status-machine';
import type { EditResult, ScaleRequest } from './messages';
import type { PendingScales } from './operations';
import { specAnswer } from './pipeline-editor';
import { invalidTransition, refusal } from './refusals';

const now = () => new Date().toISOString();

/**
 * Scales of one pipeline's components. Each makes a new revision of the spec at once. While Running, the components it
 * names are also pending until the Running operation takes them and brings their replicas to the spec; elsewhere the
 * next deploy or resume does, as for an edit.
 */
export class ComponentScaler implements PendingScales {
  private readonly pending = new Set<string>();

  constructor(private readonly ledger: PipelineLedger) {}

  /** The update validator: refuses a scale in a status that takes none, of a component the spec lacks, or out of range. */
  validate(request: ScaleRequest): void {
    if (this.earlierAnswer(request)) return;
    this.targetOf(request);
  }

  onScale(request: ScaleRequest): EditResult {
    const earlier = this.earlierAnswer(request);
    if (earlier) return this.result('noop', earlier);
    const target = this.targetOf(request);
    if (isSameSpec(this.ledger.spec, target)) return this.result('noop', this.ledger.revision(this.ledger.specRevision) as SpecRevision);
    const cause = {
      command: 'scale',
      source: 'api',
      request_id: request.request_id ?? null,
      reason: scaleReason(this.ledger.spec, request),
    } as const;
    const revision = this.ledger.edit(target, cause, now());
    upsertMemo({ ...this.ledger.statusMemo(), ...this.ledger.specMemo() });
    if (decide('scale', this.ledger.status).outcome === 'live') this.pending.add(request.component);
    return this.result('accepted', revision);
  }

  /** Whether a live scale waits to be applied; only Running applies one, and every other status runs the whole spec. */
  any(): boolean {
    return this.ledger.status === 'Running' && this.pending.size > 0;
  }

  take(): string[] {
    const components = [...this.pending];
    this.pending.clear();
    return components;
  }

  /** The revision an earlier scale with the same request id made: a retry answers with it and changes nothing. */
  private earlierAnswer({ request_id }: ScaleRequest): SpecRevision | undefined {
    return request_id ? this.ledger.revisionMadeBy(request_id) : undefined;
  }

  /** The spec the scale asks for. The API validates the count; this guards what an operator sends with the CLI. */
  private targetOf(request: ScaleRequest): PipelineSpec {
    const status = this.ledger.status;
    if (decide('scale', status).outcome === 'refuse') throw invalidTransition('scale', status);
    const { pipeline_id } = this.ledger.spec;
    if (!Number.isInteger(request.replicas) || request.replicas < 1 || request.replicas > MAX_REPLICAS) {
      throw refusal(INVALID_SPEC, `replicas must be an integer from 1 to ${MAX_REPLICAS}`);
    }
    const target = scaledSpec(this.ledger.spec, request);
    if (!target) throw refusal(COMPONENT_NOT_FOUND, `pipeline ${pipeline_id} has no component ${request.component}`);
    return target;
  }

  private result(outcome: EditResult['outcome'], revision: SpecRevision): EditResult {
    return specAnswer(this.ledger, outcome, revision);
  }
}
