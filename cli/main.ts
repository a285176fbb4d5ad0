import { Command as Program, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Command } from '../pipeline/status-machine';
import { DEFAULT_LIST_LIMIT, DEFAULT_LOG_TAIL, MAX_LIST_LIMIT, MAX_LOG_TAIL } from '../api/schemas';
import { MAX_REPLICAS } from '../pipeline/pipeline-spec';
import { CliError, EXIT, type ExitCode } from './cli-error';
import * as commands from './commands';
import { DEFAULT_URL, WeirClient } from './weir-client';

function positiveInteger(name: string, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < 1 || number > max)
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    return number;
  };
}

/** The weir command line: each command runs once and its exit code is the process's. */
function program(run: (action: (ctx: commands.CliContext) => Promise<ExitCode>) => Promise<void>): Program {
  const cli = new Program('weir')
    .description('Operate Weir pipelines through the API at WEIR_URL (default http://127.0.0.1:8080), with WEIR_API_TOKEN when set.')
    .addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'))
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('apply')
    .description('create the pipeline a YAML or JSON file describes, or edit it if it exists; with --rolling, a Running one too')
    .requiredOption('-f, --file <file>', 'the pipeline spec; - reads standard input')
    .option('--rolling', 'edit the existing pipeline: if Running, drain it, apply the spec and resume it')
    .action((options: { file: string; rolling?: boolean }) => run((ctx) => commands.apply(ctx, options.file, options.rolling)));
  cli
    .command('get <id>')
    .description("a pipeline's spec and status")
    .action((id: string) => run((ctx) => commands.get(ctx, id)));
  cli
    .command('list')
    .description('every pipeline, newest first')
    .option('--status <status>', 'only pipelines in this status')
    .option('--page-size <count>', 'pipelines fetched per request', positiveInteger('--page-size', MAX_LIST_LIMIT), DEFAULT_LIST_LIMIT)
    .action((options: { status?: string; pageSize: number }) => run((ctx) => commands.list(ctx, options)));
  cli
    .command('health <id>')
    .description("a pipeline's status and its components' health")
    .option('-w, --watch', 'keep showing it as it changes, from the event stream')
    .action((id: string, options: { watch?: boolean }) => run((ctx) => commands.health(ctx, id, options.watch === true)));
  const lifecycle: Array<[Command, string]> = [
    ['stop', 'stop gracefully: drain in-flight messages, then stop the components'],
    ['terminate', 'stop at once; unprocessed messages stay in their streams'],
    ['resume', 'start a stopped pipeline again'],
    ['delete', 'remove a stopped pipeline and everything it owns'],
  ];
  for (const [command, description] of lifecycle) {
    cli
      .command(`${command} <id>`)
      .description(description)
      .option(
        '--wait [seconds]',
        `wait until the pipeline settles, at most this long (default ${commands.DEFAULT_WAIT_SECONDS})`,
        positiveInteger('--wait', 86_400),
      )
      .action((id: string, options: { wait?: number | true }) =>
        run((ctx) => commands.runCommand(ctx, command, id, options.wait === true ? commands.DEFAULT_WAIT_SECONDS : options.wait)),
      );
  }
  cli
    .command('scale <id> <component>')
    .argument('<replicas>', `the new count, 1 to ${MAX_REPLICAS}`, positiveInteger('replicas', MAX_REPLICAS))
    .description("set a component's replica count: at once while Running, at the next resume when Stopped or Failed")
    .action((id: string, component: string, replicas: number) => run((ctx) => commands.scale(ctx, id, component, replicas)));
  cli
    .command('logs <id> <component>')
    .description("a component's log, every replica's lines tagged [replica]")
    .option('-f, --follow', 'keep printing new lines until the component stops')
    .option(
      '--tail <lines>',
      "start from this many of each replica's last lines",
      positiveInteger('--tail', MAX_LOG_TAIL),
      DEFAULT_LOG_TAIL,
    )
    .action((id: string, component: string, options: { follow?: boolean; tail: number }) =>
      run((ctx) => commands.logs(ctx, id, component, { follow: options.follow === true, tail: options.tail })),
    );
  cli
    .command('history <id>')
    .description("a pipeline's transitions")
    .action((id: string) => run((ctx) => commands.history(ctx, id)));
  cli
    .command('events <id>')
    .description("a pipeline's events as they happen: transitions, health, drain progress, deletion")
    .action((id: string) => run((ctx) => commands.events(ctx, id)));
  return cli;
}

async function main(argv: string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.done;
  const cli = program(async (action) => {
    const { output } = cli.opts<{ output: 'table' | 'json' }>();
    const client = new WeirClient(process.env.WEIR_URL || DEFAULT_URL, process.env.WEIR_API_TOKEN || undefined);
    exitCode = await action({ client, json: output === 'json', out: process.stdout, err: process.stderr });
  });
  try {
    await cli.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.done : EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(`weir: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`weir: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  }
  return exitCode;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT.failed;
  },
);
