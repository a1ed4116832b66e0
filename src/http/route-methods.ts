import type { FastifyInstance } from "fastify";
import FindMyWay, { type HTTPMethod } from "find-my-way";

/**
 * Knows which methods each path answers, so a request with a known path but another method gets 405 with an Allow
 * header instead of a 404. Fastify's router only matches one method at a time, so we keep a second, handler-less
 * router fed by the onRoute hook. Create it before any route is registered.
 */
export interface RouteMethods {
  allowedFor(url: string): string[];
}

export function trackRouteMethods(app: FastifyInstance): RouteMethods {
  const router = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  const methods = new Set<HTTPMethod>();
  const noop = () => {};

  app.addHook("onRoute", (route) => {
    const routeMethods = Array.isArray(route.method) ? route.method : [route.method];
    for (const name of routeMethods) {
      const method = name.toUpperCase() as HTTPMethod;
      methods.add(method);
      router.on(method, route.url, noop);
    }
  });

  return {
    allowedFor(url) {
      const path = url.split("?", 1)[0] ?? url;
      return [...methods].filter((method) => router.find(method, path) !== null).sort();
    },
  };
}
