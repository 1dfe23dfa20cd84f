/**
 * The extension's engine: everything the host needs beyond the editor API (config loading, the
 * CLI's analyses run in-process, the gateway client, the snapshot of production). It is bundled
 * apart, as dist/engine.js, and loaded on first use (loadEngine.ts), so that activation reads a
 * small file and the analyses cost nothing until a view or a report asks for them.
 */
export { ConfigError, loadConfigFile } from "../config/load";
export { GatewayAdmin, RolloutError } from "../rollout/gateway";
export { gatewayPolicyInput } from "../rollout/gatewayPolicy";
export { runInsights } from "./production/insights";
export { abLiftSeries } from "./production/liftSeries";
export { abArgv, driftArgv, jumpsArgv } from "./production/context";
export { gatherSnapshot, resolveGatewayToken } from "./production/snapshot";
export { proportionsSampleSize } from "../core/stats/power";
export { runCell } from "./notebook/runCell";
export { completeInsights, hoverInsights } from "../cli/complete";
export { PROMQL_FUNCTIONS, promqlCompletionContext, promqlHover, promqlString } from "../telemetry/prometheus/promqlContext";
export { PromVocabulary } from "../telemetry/prometheus/vocabulary";
export { connectBackend } from "../telemetry/metrics/connect";
export { NOTEBOOK_COMMANDS } from "../cli/analysisCommands";
export { providerFor } from "../rollout/providers";
export { GatewayProvider } from "../rollout/gatewayProvider";
export { prepareProviderCanary, runProviderCanary } from "../rollout/providerCanary";
