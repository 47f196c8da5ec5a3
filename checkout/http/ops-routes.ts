/**
 * Routes for whoever runs the checkout, not for its users: liveness, readiness and
 * metrics. Unauthenticated (probes and Prometheus carry no credentials), cheap, and never
 * rate-limited: the limits are applied inside the routes that take a password (core/
 * rate-limits.ts), and these take none.
 *
 * /healthz answers while the process can answer at all (a restart is the cure otherwise);
 * /readyz only while the checkout can do its work (a load balancer stops sending traffic
 * otherwise): the store answers, the schema is current, the keys are loaded, and the
 * server is not shutting down. Kubernetes "Configure Liveness, Readiness and Startup Probes".
 */
import { type Route, json } from './router.ts';

/** Shared with the server: set when a graceful shutdown begins. */
export interface OpsState {
  draining: boolean;
}

/** Probe routes whose answers are logged at debug, not info (a probe every few seconds is noise). */
export const PROBE_PATTERNS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const op = (method: string, pattern: string, handler: Route['handler']): Route => ({
  method,
  pattern,
  kind: 'api',
  handler,
});

/** `metrics`: false when they are served on their own port (--metrics-port) instead. */
export function opsRoutes(state: OpsState, metrics = true): Route[] {
  const routes = [
    op('GET', '/healthz', async () => json({ ok: true })),
    op('GET', '/readyz', async ({ checkout }) => {
      const reason = state.draining ? 'shutting down' : await checkout.notReadyReason();
      return reason === null ? json({ ready: true }) : json({ ready: false, reason }, 503);
    }),
  ];
  if (metrics) routes.push(metricsRoute());
  return routes;
}

export function metricsRoute(): Route {
  return op('GET', '/metrics', async ({ checkout }) => ({
    status: 200,
    type: 'text',
    body: await checkout.metrics.scrape(),
    headers: { 'content-type': checkout.metrics.contentType },
  }));
}
