import { jetstream } from '@nats-io/jetstream';
import type { SourceConfig } from './config';
import { FailureReporter } from './failure-reporter';
import { generateMessages, type GeneratedCounts } from './generate-messages';
import { startIngestServer } from './ingest-server';
import type { ModeContext, ModeCounts } from './mode-context';
import { untilAborted } from './pause';
import { SourceProgress } from './source-progress';

/** Generates messages and/or accepts them over HTTP, publishing to the output subject until stopped. */
export async function runSource(config: SourceConfig, { nc, component, logger, signal }: ModeContext): Promise<ModeCounts> {
  const js = jetstream(nc);
  const progress = await SourceProgress.load(config.progressFile, new FailureReporter(logger, 'progress_save'));
  let ingested = 0;
  const ingestServer =
    config.httpPort === undefined
      ? undefined
      : await startIngestServer(config.httpPort, async (body) => {
          const ack = await js.publish(config.outputSubject, body);
          ingested++;
          return ack;
        });
  logger.info('started', {
    mode: 'source',
    outputSubject: config.outputSubject,
    count: config.count,
    ratePerSecond: config.ratePerSecond,
    httpPort: config.httpPort,
    resumeAfter: progress.lastAcked,
  });

  const generates = config.count !== undefined || config.ratePerSecond !== undefined;
  const publishFailures = new FailureReporter(logger, 'publish');
  const generated: GeneratedCounts = generates
    ? await generateMessages({ js, config, component, progress, publishFailures, signal })
    : { published: 0, duplicates: 0 };
  if (generates && !signal.aborted) logger.info('generated', { ...generated, lastAckedSeq: progress.lastAcked });
  await untilAborted(signal);
  await ingestServer?.close();
  await progress.save();
  return { ...generated, ingested, lastAckedSeq: progress.lastAcked };
}
