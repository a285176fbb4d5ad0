import type { PipelineSpec } from './pipeline-spec';

/** One version of a pipeline's spec: revision 1 is the spec it was created with, and each accepted edit adds one. */
export interface SpecRevision {
  revision: number;
  spec: PipelineSpec;
  at: string;
  /** The X-Request-Id of the edit that made it, so a retried edit answers with the revision it made. */
  request_id: string | null;
}

/** A revision without its spec: how a run hands on the current one, whose spec it passes once, as the spec. */
export type RevisionStamp = Omit<SpecRevision, 'spec'>;

/** What a new run carries on with, beside the current spec. */
export interface RevisionsSnapshot {
  current_revision: RevisionStamp;
  earlier_revisions: SpecRevision[];
}

/**
 * JSON characters the earlier revisions may take together. They travel with the pipeline across continue-as-new, whose
 * input Temporal limits to 2 MB; beyond this budget the oldest are dropped first. The current revision is always kept.
 */
export const EARLIER_REVISIONS_BUDGET = 512 * 1024;

/** The revisions of one pipeline's spec, oldest first. Pure: times are passed in. */
export class SpecRevisions {
  /** The JSON size of each kept revision, measured once. */
  private readonly sizes: number[];

  private constructor(private readonly kept: SpecRevision[]) {
    this.sizes = kept.map((revision) => JSON.stringify(revision).length);
  }

  /** Revisions carried over from an earlier run, `spec` the current one's; a pipeline never edited carries none and is at revision 1. */
  static restore(spec: PipelineSpec, createdAt: string, snapshot: RevisionsSnapshot | undefined): SpecRevisions {
    const current = snapshot?.current_revision ?? { revision: 1, at: createdAt, request_id: null };
    return new SpecRevisions([...(snapshot?.earlier_revisions ?? []), { ...current, spec }]);
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
    this.sizes.push(JSON.stringify(revision).length);
    let earlierSize = this.sizes.slice(0, -1).reduce((sum, size) => sum + size, 0);
    while (this.kept.length > 1 && earlierSize > EARLIER_REVISIONS_BUDGET) {
      this.kept.shift();
      earlierSize -= this.sizes.shift() ?? 0;
    }
    return revision;
  }

  /** What a new run needs to carry on; nothing while the pipeline has never been edited, so a create's input stays small. */
  snapshot(): RevisionsSnapshot | undefined {
    if (this.kept.length === 1 && this.current.revision === 1) return undefined;
    const { spec: _, ...current_revision } = this.current;
    return { current_revision, earlier_revisions: this.kept.slice(0, -1) };
  }
}
