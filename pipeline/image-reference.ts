/**
 * Docker's image reference grammar (github.com/distribution/reference):
 *
 *   reference := name [":" tag] ["@" digest]
 *   name      := [domain "/"] path-component ["/" path-component]*
 *   domain    := (domain-name | "[" IPv6 "]") [":" port]
 *
 * A valid reference has no empty, "." or ".." component, so it can never walk out of an engine URL path.
 */

/** The longest name Docker accepts; the tag and the digest do not count. */
export const MAX_IMAGE_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const DOMAIN = new RegExp(`^(?:${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Undefined when `reference` is a valid Docker image reference; otherwise a short message saying why it is not. */
export function checkImageReference(reference: string): string | undefined {
  if (reference === '') return 'must not be empty';
  const at = reference.indexOf('@');
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  const nameAndTag = at === -1 ? reference : reference.slice(0, at);
  if (digest !== undefined && !DIGEST.test(digest)) return 'has an invalid digest: it must be algorithm:hex, with at least 32 hex digits';

  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  if (hasTag && !TAG.test(nameAndTag.slice(colon + 1))) {
    return 'has an invalid tag: it must be 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"';
  }
  return checkName(name);
}

function checkName(name: string): string | undefined {
  if (name === '') return 'has no name';
  if (name.length > MAX_IMAGE_NAME_LENGTH) return `has a name longer than ${MAX_IMAGE_NAME_LENGTH} characters`;
  const components = name.split('/');
  const path = components.length > 1 && DOMAIN.test(components[0]) ? components.slice(1) : components;
  if (path.every((component) => PATH_COMPONENT.test(component))) return undefined;
  if (path.every((component) => PATH_COMPONENT.test(component.toLowerCase()))) return 'has a repository name that is not lowercase';
  return 'has an invalid name: each part between "/" must be lowercase letters and digits, joined by ".", "_", "__" or "-"';
}
