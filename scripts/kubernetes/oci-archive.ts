import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../run-command';

export interface SingleBinaryImage {
  /** Full reference that the image is imported under, e.g. registry.k8s.io/pause:3.6. */
  name: string;
  binary: string;
  /** Absolute path of the binary inside the image; also the entrypoint. */
  target: string;
}

/**
 * Writes an OCI image layout archive of an image holding one static binary, as `ctr images import` takes it.
 * Nothing can be pulled here, so images the runtime itself needs are assembled locally.
 */
export async function writeSingleBinaryImageArchive(image: SingleBinaryImage, archive: string, scratchDir: string): Promise<void> {
  const rootfs = path.join(scratchDir, 'rootfs');
  const layout = path.join(scratchDir, 'layout');
  const blobs = path.join(layout, 'blobs', 'sha256');
  await mkdir(path.join(rootfs, path.dirname(image.target)), { recursive: true });
  await mkdir(blobs, { recursive: true });
  await copyFile(image.binary, path.join(rootfs, image.target));
  await chmod(path.join(rootfs, image.target), 0o755);

  const layerFile = path.join(scratchDir, 'layer.tar');
  await runCommand('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', layerFile, '.']);
  const addBlob = async (content: Buffer, mediaType: string) => {
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    await writeFile(path.join(blobs, digest.slice('sha256:'.length)), content);
    return { mediaType, digest, size: content.length };
  };
  const layer = await addBlob(await readFile(layerFile), 'application/vnd.oci.image.layer.v1.tar');
  const platform = { architecture: 'amd64', os: 'linux' };
  const config = await addBlob(
    json({ ...platform, config: { Entrypoint: [image.target] }, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = await addBlob(
    json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }),
    'application/vnd.oci.image.manifest.v1+json',
  );
  const tag = image.name.slice(image.name.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        ...manifest,
        platform,
        annotations: { 'io.containerd.image.name': image.name, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  await writeFile(path.join(layout, 'index.json'), json(index));
  await writeFile(path.join(layout, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
  await runCommand('tar', ['-C', layout, '-cf', archive, '.']);
  await rm(scratchDir, { recursive: true, force: true });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
