import type { NatsConnection } from '@nats-io/nats-core';
import { readConfig, type ModeConfig } from './config';
import { connectWithRetry } from './connect';
import { ConfigError } from './env';
import { createLogger, errorMessage, type Logger } from './log';
import type { ModeContext, ModeCounts } from './mode-context';
import { runSink } from './sink';
import { runSource } from './source';
import { abortOnStopSignals } from './stop-signals';
import { runTransform } from './transform';

const EXIT_FAILED = 1;
const EXIT_MISCONFIGURED = 2;

async function main(logger: Logger): Promise<void> {
  const config = readConfig(process.env);
  const signal = abortOnStopSignals(logger);
  const nc = await connectWithRetry({
    servers: config.natsServers,
    identity: config.natsIdentity,
    name: `weir-${config.component}`,
    timeoutMs: config.connectTimeoutMs,
    signal,
    logger,
  });
  if (!nc) {
    logger.info('stopped', { connected: false });
    return;
  }
  const context: ModeContext = { nc, component: config.component, logger, signal };
  const counts = await Promise.race([runMode(config.mode, context), failWhenClosed(nc)]);
  await nc.drain();
  logger.info('stopped', counts);
}

function runMode(mode: ModeConfig, context: ModeContext): Promise<ModeCounts> {
  switch (mode.kind) {
    case 'source':
      return runSource(mode, context);
    case 'transform':
      return runTransform(mode, context);
    case 'sink':
      return runSink(mode, context);
  }
}

/** The connection reconnects forever, so it closes only for good, e.g. when the server rejects it. */
async function failWhenClosed(nc: NatsConnection): Promise<never> {
  const error = await nc.closed();
  throw new Error(`the NATS connection closed${error ? `: ${error.message}` : ''}`);
}

const logger = createLogger({ pipeline: process.env.WEIR_PIPELINE_ID, component: process.env.WEIR_COMPONENT });
main(logger).then(
  () => process.exit(0),
  (error: unknown) => {
    logger.error('failed', { error: errorMessage(error) });
    process.exit(error instanceof ConfigError ? EXIT_MISCONFIGURED : EXIT_FAILED);
  },
);
