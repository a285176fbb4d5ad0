import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PipelineView } from '../pipeline/pipeline-view';
import { COMMANDS, type Command, type PipelineStatus } from '../pipeline/status-machine';

/** Optional argument of every command; the API always sends a request id. */
export interface CommandRequest {
  request_id?: string;
}

export interface CommandResult {
  outcome: 'accepted' | 'noop';
  status: PipelineStatus;
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
