/**
 * An application that routes by Unleash, for the suites that run a canary on it: 40 requests every
 * 50 ms from random units, each served by the version Unleash's own SDK gives the unit, failing at
 * that version's error rate, counted per version with prom-client (DESIGN.md §4's
 * `model_requests_total` and `model_errors_total`) on /metrics for a real Prometheus to scrape.
 */
import { createServer } from "node:http";
import { Counter, Registry } from "prom-client";
import type { UnleashSdk } from "./unleash";

export interface UnleashApplication {
  /** `host:port` of /metrics. */
  readonly target: string;
  /** Requests served per version so far. */
  readonly served: Record<string, number>;
  stop(): void;
}

export async function startApplication(sdk: UnleashSdk, options: { readonly flag: string; readonly model: string; readonly errorRates: Readonly<Record<string, number>> }): Promise<UnleashApplication> {
  const { flag, model, errorRates } = options;
  const registry = new Registry();
  const requests = new Counter({ name: "model_requests_total", help: "requests", labelNames: ["model", "version"], registers: [registry] });
  const errors = new Counter({ name: "model_errors_total", help: "errors", labelNames: ["model", "version"], registers: [registry] });
  const served: Record<string, number> = {};
  const timer = setInterval(() => {
    for (let i = 0; i < 40; i++) {
      const variant = sdk.getVariant(flag, { userId: `u${Math.floor(Math.random() * 1e9)}` });
      if (!variant.enabled) continue;
      const version = variant.name;
      served[version] = (served[version] ?? 0) + 1;
      requests.inc({ model, version });
      if (Math.random() < (errorRates[version] ?? 0)) errors.inc({ model, version });
    }
  }, 50);
  const server = createServer((_req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    target: `127.0.0.1:${port}`,
    served,
    stop: () => {
      clearInterval(timer);
      server.close();
    },
  };
}
