/**
 * A configured Prometheus backend as a client: its secrets looked up now, for this client only.
 */
import { backendHeaders, type SecretLookup } from "../../config/secrets";
import type { PrometheusBackend } from "../../config/types";
import { PrometheusClient, type RetryEvent } from "../prometheus/client";

export async function connectBackend(
  backend: PrometheusBackend,
  secrets: SecretLookup,
  options: { readonly onRetry?: (event: RetryEvent) => void } = {},
): Promise<PrometheusClient> {
  const headers = await backendHeaders(backend, secrets);
  return new PrometheusClient({
    url: backend.url,
    ...(Object.keys(headers).length > 0 ? { auth: { type: "headers", headers } } : {}),
    timeoutMs: backend.timeoutMs,
    retry: { retries: backend.retries },
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });
}
