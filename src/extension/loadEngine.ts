import path from "node:path";
import type * as Engine from "./engine";

export type EngineModule = typeof Engine;

let engine: Promise<EngineModule> | undefined;

/**
 * dist/engine.js, loaded once on first use. A runtime `require` of a computed path, so that the
 * bundler leaves the engine out of dist/extension.js (STYLE §6: activation stays cheap).
 */
export function loadEngine(): Promise<EngineModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would bundle the engine in
  engine ??= Promise.resolve().then(() => require(path.join(__dirname, "engine.js")) as EngineModule);
  return engine;
}
