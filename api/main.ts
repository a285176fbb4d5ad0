import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startApi } from './start-api';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('weir-api', config.logLevel);
  const api = await startApi(config, logger);
  logger.info({ url: api.url, auth: config.api.token ? 'bearer token' : 'none (loopback only)' }, 'API listening');
  const shutdown = () => {
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`weir-api: ${error.message}`);
  process.exit(1);
});
