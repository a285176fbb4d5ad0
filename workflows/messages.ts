import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ComponentScale } from '../pipeline/component-scale';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import type { PipelineMemo, PipelineView } from '../pipeline/pipeline-view';
import type { SpecRevision } from '../pipeline/spec-revisions';
import { COMMANDS, type Command, type PipelineStatus } from '../pipeline/status-machine';

/** Optional argument of every command; the API always sends a request id. */
export interface CommandRequest {
  request_id?: string;
  /**
   * Asks the update to complete only once the pipeline settles (Running, Stopped or Failed) or starts deleting, or
   * after this many ms, and to answer with the memo: how `?wait` learns of the end. Ignored by delete, which always
   * completes once the pipeline is gone.
   */
  settle_within_ms?: number;
}

/** The longest settle_within_ms, and so the longest `?wait`. */
export const MAX_SETTLE_WITHIN_MS = 120_000;

export interface CommandResult {
  outcome: 'accepted' | 'noop';
  status: PipelineStatus;
  /** With settle_within_ms: the memo as the update completed, the spec included. */
  memo?: PipelineMemo;
}

export type CommandUpdate = UpdateDefinition<CommandResult, [CommandRequest]>;
export type CommandSignal = SignalDefinition<[CommandRequest?]>;

const byCommand = <T>(define: (command: Command) => T) =>
  Object.fromEntries(COMMANDS.map((command) => [command, define(command)])) as Record<Command, T>;

/** One update per command, named after it: what the API sends, with a validator that refuses an invalid command. */
export const COMMAND_UPDATES = byCommand<CommandUpdate>((command) => defineUpdate<CommandResult, [CommandRequest]>(command));

/** One signal per command, named after it, for `temporal workflow signal --name <command>`. */
export const COMMAND_SIGNALS = byCommand<CommandSignal>((command) => defineSignal<[CommandRequest?]>(command));

export const statusQuery = defineQuery<PipelineView>('status');

/**
 * A new spec for the pipeline, whole, or the number of an earlier revision to go back to. `rolling` asks a Running
 * pipeline to take it at once: drain, edit, resume.
 */
export type EditRequest = CommandRequest & ({ spec: PipelineSpec } | { rollback_to: number }) & { rolling?: boolean };

/** What an edit leaves: the pipeline's status and memo, the spec and its revision included. */
export interface EditResult {
  outcome: 'accepted' | 'noop';
  status: PipelineStatus;
  memo: PipelineMemo;
}

/** The one spec command: `edit`, an update only, since it carries a spec. */
export const editUpdate = defineUpdate<EditResult, [EditRequest]>('edit');

/** A new replica count for one component. */
export type ScaleRequest = CommandRequest & ComponentScale;

/** `scale`: one component's replicas, live while Running, otherwise an edit of its replica count. Answers like an edit. */
export const scaleUpdate = defineUpdate<EditResult, [ScaleRequest]>('scale');

/** One kept revision of the spec, or null when the pipeline has none of that number (any more). */
export const revisionQuery = defineQuery<SpecRevision | null, [number]>('revision');
