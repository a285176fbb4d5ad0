import type Dockerode from 'dockerode';

// dockerode puts the name it is given into the Engine API path as it is (`/images/<name>/json`), so a name
// must be encoded first. Encoding alone is not enough: the engine decodes the path before it cleans it, so
// an encoded "../" still walks; names are checked against the engine's grammar before they get here.

export function imageNamed(docker: Dockerode, reference: string): Dockerode.Image {
  return docker.getImage(encodeURIComponent(reference));
}

export function containerNamed(docker: Dockerode, name: string): Dockerode.Container {
  return docker.getContainer(encodeURIComponent(name));
}
