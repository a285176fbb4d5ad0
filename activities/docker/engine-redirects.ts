import path from 'node:path';

interface RedirectingHttp {
  maxRedirects: number;
}

/**
 * Makes the worker's Docker client fail a redirected request instead of following it.
 *
 * docker-modem sends every request through its lib/http.js, a copy of an early follow-redirects. On any 3xx
 * with a Location it sends a second request to that Location, resolved against a URL that has no host (the
 * engine is a socket), so the first path segment of the Location becomes the host; that request has no
 * 'error' listener, and a Location that is no valid URL throws inside the response callback (leaving the
 * dockerode call unsettled). Either way the error is uncaught and ends the process, and a host that does answer
 * gets the request. The Engine API only redirects to clean up a path with "." or ".." segments, which a
 * well-formed request never has.
 *
 * With a limit of 0 the module emits "Max redirects exceeded" on the original request, whose listener turns it
 * into an ordinary rejection of the dockerode call, before any second request is made.
 */
export function refuseEngineRedirects(): void {
  // The copy of docker-modem that dockerode itself loads, wherever npm placed it.
  const dockerode = require.resolve('dockerode');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module docker-modem itself requires, not a copy
  const modemHttp = require(require.resolve('docker-modem/lib/http', { paths: [path.dirname(dockerode)] })) as RedirectingHttp;
  modemHttp.maxRedirects = 0;
}
