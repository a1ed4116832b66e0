import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import type { Logger } from "pino";
import { alertRoutes } from "./alerts/routes.js";
import { analyticsRoutes } from "./analytics/routes.js";
import type { Config } from "./config.js";
import { couponRoutes } from "./coupons/routes.js";
import { cryptoRoutes } from "./crypto/routes.js";
import { loadMigrations } from "./db/migrate.js";
import type { Pool } from "./db/pool.js";
import { disputeRoutes } from "./disputes/routes.js";
import { eventRoutes } from "./events/routes.js";
import { feedbackRoutes } from "./feedback/routes.js";
import { registerAuthentication } from "./http/auth.js";
import { registerBodyReading } from "./http/body-reading.js";
import { registerDraining } from "./http/draining.js";
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandlers } from "./http/error-handler.js";
import { registerIdempotency } from "./http/idempotency.js";
import { createIdempotencyStore } from "./http/idempotency-store.js";
import { registerMetrics } from "./http/metrics.js";
import { registerOpenApi } from "./http/openapi.js";
import { registerRateLimits } from "./http/rate-limit.js";
import { generateRequestId, registerRequestIdHeader, requestChildLogger } from "./http/request-id.js";
import { trackRouteMethods } from "./http/route-methods.js";
import { type SchemaCompilation, serializerFactory, validatorFactory } from "./http/schema-compilers.js";
import { registerSecurityHeaders } from "./http/security-headers.js";
import { registerTextInputRule } from "./http/text-input.js";
import { registerUnknownQueryRule } from "./http/unknown-query.js";
import { registerCallerApiVersion, registerVersioning } from "./http/versioning.js";
import { registerWebApp, type WebApp } from "./http/web-app.js";
import {
  httpBodyBytesMax,
  httpHeadersTimeoutMs,
  httpKeepAliveTimeoutMs,
  httpRequestTimeoutMs,
  httpTimeoutCheckIntervalMs,
} from "./limits.js";
import { merchantPlatformRoutes } from "./merchants/routes/index.js";
import { offlineRoutes } from "./offline/routes.js";
import { paymentAttemptRoutes } from "./payment-attempts/routes.js";
import { paymentLinkRoutes } from "./payment-links/routes.js";
import { paymentRoutes } from "./payments/routes/index.js";
import type { Services } from "./runtime/services.js";
import { testClockRoutes } from "./sandbox/routes/clock.js";
import { goLiveProbeRoutes } from "./sandbox/routes/go-live.js";
import { sandboxHelperRoutes } from "./sandbox/routes/helpers.js";
import { storedValueRoutes } from "./stored-value/routes.js";
import { storeRoutes } from "./stores/routes.js";
import { supportRoutes } from "./support/routes.js";
import { systemRoutes } from "./system/routes.js";
import { versionRoutes } from "./system/versions-routes.js";
import { walletRoutes } from "./wallets/routes.js";
import { webhookEndpointRoutes } from "./webhooks/routes.js";

export interface AppDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  /** coffer's version, shown in the OpenAPI document. */
  version: string;
  /** The domain services; routes get theirs from here. Absent in tests of the bare HTTP platform. */
  services?: Services;
  /** Where the built web app is; found next to the code when absent. null: serve no web app. */
  webDistDir?: string | null;
  /** For tests: the rate limiter's clock, in milliseconds (default: the process's monotonic clock). */
  rateLimitNowMs?: () => number;
  /** When route schemas are compiled (src/http/schema-compilers.ts); `coffer start` compiles them all up front. */
  schemaCompilation?: SchemaCompilation;
}

/** Probes and scrapes come every few seconds; logging each would drown the log. */
const quietPaths = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Builds the HTTP app from explicit dependencies. Returns before `ready()`, so a caller (a test) may still add
 * routes. Domain route plugins are registered at the end, one line each, with the services they need.
 */
export async function buildApp(deps: AppDeps) {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({
      requestIdLogLabel: "request_id",
      disableRequestLogging: (request) => quietPaths.has(request.url.split("?", 1)[0] ?? ""),
    }),
    genReqId: generateRequestId,
    requestIdHeader: false,
    childLoggerFactory: requestChildLogger,
    bodyLimit: httpBodyBytesMax,
    requestTimeout: httpRequestTimeoutMs,
    // Node looks for requests past these timeouts every connectionsCheckingInterval (30 s by default), so a client
    // that stalls mid-headers is answered within a second of the bound, not up to 30 s after it.
    http: { headersTimeout: httpHeadersTimeoutMs, connectionsCheckingInterval: httpTimeoutCheckIntervalMs },
    keepAliveTimeout: httpKeepAliveTimeoutMs,
    forceCloseConnections: "idle",
    return503OnClosing: false, // registerDraining answers 503 in our own error shape
    // Only hops from these addresses are believed for X-Forwarded-For, -Proto and -Host; request.ip is then the
    // client's address, and every per-address decision (limits, lockouts, audit, logs) uses it.
    trustProxy: trustedProxiesOf(deps.config),
    exposeHeadRoutes: true,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    allowErrorHandlerOverride: false,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    schemaController: {
      compilersFactory: {
        buildValidator: validatorFactory(deps.schemaCompilation ?? "eager"),
        buildSerializer: serializerFactory(deps.schemaCompilation ?? "eager"),
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: without this, a text/plain body would reach validation as a string instead of answering 415.
  app.removeContentTypeParser("text/plain");

  const routeMethods = trackRouteMethods(app);
  registerRequestIdHeader(app);
  registerVersioning(app);
  registerSecurityHeaders(app, { publicUrl: deps.config.publicUrl });
  registerDraining(app);
  let webApp: WebApp | undefined;
  registerErrorHandlers(app, routeMethods, (request, reply) =>
    webApp?.wantsConsolePage(request) ? webApp.sendPage(reply, "console") : null,
  );
  registerMetrics(app, deps.pool, deps.services?.ledgerBatches, deps.services);
  registerAuthentication(app, deps.services?.authenticators ?? [], { publicUrl: deps.config.publicUrl });
  registerCallerApiVersion(app, (request) =>
    request.auth && "accountApiVersion" in request.auth ? request.auth.accountApiVersion : undefined,
  );
  registerUnknownQueryRule(app);
  registerRateLimits(app, { limits: deps.config.rateLimits, nowMs: deps.rateLimitNowMs });
  registerTextInputRule(app);
  registerBodyReading(app);
  registerIdempotency(app, createIdempotencyStore(deps.pool));
  await registerOpenApi(app, { version: deps.version, publicUrl: deps.config.publicUrl });

  const expectedMigrationVersion = (await loadMigrations()).at(-1)?.version ?? 0;
  await app.register(systemRoutes, { pool: deps.pool, expectedMigrationVersion });
  await app.register(versionRoutes);
  if (deps.services) {
    const { services } = deps;
    await app.register(merchantPlatformRoutes, { services });
    await app.register(eventRoutes, { prefix: "/v1", events: services.events });
    await app.register(webhookEndpointRoutes, { prefix: "/v1", endpoints: services.webhookEndpoints });
    await app.register(alertRoutes, { alerts: services.alerts });
  }
  if (deps.services) await app.register(walletRoutes, { wallets: deps.services.wallets });
  if (deps.services) await app.register(paymentRoutes, { payments: deps.services.payments });
  if (deps.services) await app.register(offlineRoutes, { offline: deps.services.offline });
  if (deps.services) {
    const { paymentLinks, payments } = deps.services;
    await app.register(paymentLinkRoutes, { paymentLinks, links: payments.links });
    await app.register(storeRoutes, { stores: deps.services.stores, links: payments.links });
    await app.register(storedValueRoutes, { storedValue: deps.services.storedValue });
    await app.register(couponRoutes, { coupons: deps.services.coupons, payments });
    await app.register(paymentAttemptRoutes, { attempts: deps.services.paymentAttempts });
    await app.register(feedbackRoutes, { feedback: deps.services.feedback });
  }
  if (deps.services) await app.register(disputeRoutes, { disputes: deps.services.disputes });
  if (deps.services) await app.register(supportRoutes, { support: deps.services.support });
  if (deps.services) await app.register(goLiveProbeRoutes, { probe: deps.services.goLiveProbe });
  if (deps.services)
    await app.register(sandboxHelperRoutes, { sandbox: deps.services.sandbox, payments: deps.services.payments });
  if (deps.services) await app.register(testClockRoutes, { services: deps.services });
  if (deps.services) await app.register(analyticsRoutes, { services: deps.services });
  if (deps.services) {
    const { crypto, wallets, payments } = deps.services;
    await app.register(cryptoRoutes, { crypto, wallets, payments });
  }
  webApp = await registerWebApp(app, deps.webDistDir);
  // Domain routes go here, one register call each, e.g.:
  //   await app.register(paymentRoutes, { prefix: "/v1", payments: createPaymentService({ pool, ledger }) });

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Fastify's trustProxy: the configured proxies, or none at all. */
function trustedProxiesOf(config: Config): boolean | string[] {
  return config.trustedProxies.length > 0 ? config.trustedProxies : false;
}
