import type { PipelineSpec } from './pipeline-spec';

/** One version of a pipeline's spec: revision 1 is the spec it was created with, and each accepted edit adds one. */
export interface SpecRevision {
  revision: number;
  spec: PipelineSpec;
  at: string;
  /** The X-Request-Id of the edit that made it, so a retried edit answers with the revision it made. */
  request_id: string | null;
}

/**
 * JSON characters the earlier revisions may take together. They travel with the pipeline across continue-as-new, whose
 * input Temporal limits to 2 MB; beyond this budget the oldest are dropped first. The current revision is always kept.
 */
export const EARLIER_REVISIONS_BUDGET = 512 * 1024;

/** The revisions of one pipeline's spec, oldest first. Pure: times are passed in. */
export class SpecRevisions {
  private constructor(private readonly kept: SpecRevision[]) {}

  /** Revisions carried over from an earlier run; a pipeline never edited carries none and is at revision 1. */
  static restore(spec: PipelineSpec, createdAt: string, kept: SpecRevision[] | undefined): SpecRevisions {
    return new SpecRevisions(kept && kept.length > 0 ? [...kept] : [{ revision: 1, spec, at: createdAt, request_id: null }]);
  }

  get current(): SpecRevision {
    return this.kept[this.kept.length - 1];
  }

  find(revision: number): SpecRevision | undefined {
    return this.kept.find((candidate) => candidate.revision === revision);
  }

  /** The revision an edit with this request id made, if it is still kept. */
  madeBy(requestId: string): SpecRevision | undefined {
    return this.kept.find((candidate) => candidate.request_id === requestId);
  }

  add(spec: PipelineSpec, at: string, requestId: string | null): SpecRevision {
    const revision: SpecRevision = { revision: this.current.revision + 1, spec, at, request_id: requestId };
    this.kept.push(revision);
    let earlierSize = this.kept.slice(0, -1).reduce((sum, earlier) => sum + JSON.stringify(earlier).length, 0);
    while (this.kept.length > 1 && earlierSize > EARLIER_REVISIONS_BUDGET) earlierSize -= JSON.stringify(this.kept.shift()).length;
    return revision;
  }

  /** What a new run needs to carry on; nothing while the pipeline has never been edited, so a create's input stays small. */
  snapshot(): SpecRevision[] | undefined {
    return this.kept.length === 1 && this.current.revision === 1 ? undefined : [...this.kept];
  }
}
