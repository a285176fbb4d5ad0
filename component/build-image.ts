// Builds weir/reference-component:dev, by default on node:20-bookworm-slim from a registry:
//   npx tsx component/build-image.ts [base-image]
import Docker from 'dockerode';
import { ensureReferenceComponentImage } from './image';

ensureReferenceComponentImage(new Docker(), process.argv[2]).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
