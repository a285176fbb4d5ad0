import { findFreePort } from '../ports';

/** Ports on 127.0.0.1 that were free a moment ago, none twice. */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}
