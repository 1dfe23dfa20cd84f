import * as vscode from "vscode";
import type { Config, PolicyConfig } from "../config/types";
import type { ChaosRuleInput, GatewayAdmin } from "../rollout/gateway";
import type { RolloutProvider } from "../rollout/provider";
import type { ExtensionContextHolder } from "./context";
import { loadEngine } from "./loadEngine";
import { type CommandTarget, pickModel, pickName, pickVersion, targetOf } from "./pick";
import type { ModelSnapshot, ProductionSnapshot } from "./production/types";
import { canaryEnding, describePolicy, weightChanges } from "./rolloutPreview";
import type { GatewaySecrets } from "./secrets";
import type { ProductionStore } from "./store";
import type { WorkspaceConfigWatcher } from "./workspace";

/** One change to production: what the user confirms, and the call that makes it. */
interface Change {
  readonly model: string;
  /** "Promote churn v3" */
  readonly title: string;
  /** Lines of the preview: what changes, from what to what. */
  readonly preview: readonly string[];
  /** The confirm button: "Promote". */
  readonly verb: string;
  /** Makes the change and returns the outcome in a sentence; `signal` aborts on cancel. */
  readonly run: (backend: Backend, signal: AbortSignal, progress: vscode.Progress<{ message?: string }>) => Promise<string>;
}

/**
 * What an action acts through: the model's rollout provider, and for a gateway model the admin API
 * too (canaries it hosts, shadows, chaos).
 */
interface Backend {
  readonly provider: RolloutProvider;
  readonly admin?: GatewayAdmin;
}

const POLL_MS = 2000;

/**
 * The actions that change production (DESIGN §2.5): each shows what will change, asks for a modal
 * confirmation, shows progress that can be cancelled, refreshes what the editor shows, and reports
 * the outcome with a link to the rollout report. Refused with the reason in an untrusted workspace.
 */
export class RolloutActions {
  /** Canaries (`model/version`) whose end a progress notification already told. */
  private readonly told = new Set<string>();

  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly workspace: WorkspaceConfigWatcher,
    private readonly store: ProductionStore,
    private readonly secrets: GatewaySecrets,
    private readonly afterChange: (model: string) => void,
  ) {}

  /** Whether the end of this canary was already told to the user (so the status bar need not). */
  toldEnd(model: string, version: string): boolean {
    return this.told.has(`${model}/${version}`);
  }

  async promote(arg: unknown): Promise<void> {
    const { m, t, snapshot } = await this.modelOf(arg, "Promote Version");
    if (!m) return;
    const version = await pickVersion(snapshot, m.name, t, `Promote a version of ${m.name}`, (role) => role !== "stable");
    if (!version) return;
    await this.apply({
      model: m.name,
      title: `Promote ${m.name} ${version}`,
      verb: "Promote",
      preview: [...weightChanges(m, (v) => (v === version ? 100 : 0)), `Stable version: ${m.stable ?? "none"} → ${version}.`, ...(m.canary?.active ? [`The canary of ${m.canary.version} ends.`] : [])],
      run: async ({ provider }, signal) => {
        await provider.promote(m.name, version, signal);
        return `${m.name} ${version} promoted: it takes all traffic and is the stable version.`;
      },
    });
  }

  async rollback(arg: unknown): Promise<void> {
    const { m } = await this.modelOf(arg, "Roll Back Version");
    if (!m?.stable) return;
    const stable = m.stable;
    await this.apply({
      model: m.name,
      title: `Roll back ${m.name} to ${stable}`,
      verb: "Roll Back",
      preview: [...weightChanges(m, (v) => (v === stable ? 100 : 0)), ...(m.canary?.active ? [`The canary of ${m.canary.version} is rolled back.`] : []), ...(m.shadow ? [`The shadow of ${m.shadow.version} stops.`] : [])],
      run: async ({ provider }, signal) => {
        await provider.rollback(m.name, signal);
        return `${m.name} rolled back: ${stable} takes all traffic.`;
      },
    });
  }

  async abort(arg: unknown): Promise<void> {
    const { m } = await this.modelOf(arg, "Abort Rollout", (x) => Boolean(x.canary?.active));
    if (!m) return;
    // The gateway's own canary, or another provider's canary version.
    const providerCanary = m.provider !== "gateway" && m.stable ? m.versions.find((v) => v.role === "canary") : undefined;
    const canary = m.canary?.active ? m.canary : providerCanary ? { version: providerCanary.name, baseline: m.stable! } : undefined;
    if (!canary) throw new Error(`${m.name} has no canary in progress`);
    await this.apply({
      model: m.name,
      title: `Abort the canary of ${m.name} ${canary.version}`,
      verb: "Abort",
      preview: weightChanges(m, (v) => (v === canary.baseline ? 100 : 0)),
      run: async ({ provider }, signal) => {
        await provider.abort(m.name, signal);
        return `The canary of ${m.name} ${canary.version} was aborted: ${canary.baseline} takes all traffic.`;
      },
    });
  }

  async canary(arg: unknown): Promise<void> {
    const { m, t, config, snapshot } = await this.modelOf(arg, "Start Canary Rollout");
    if (!m) return;
    const baseline = m.stable;
    const version = await pickVersion(snapshot, m.name, t, `Start a canary of ${m.name}`, (role) => role !== "stable");
    if (!version || !baseline) return;
    const policyName = config.models.get(m.name)?.policy ?? "canary";
    const policy = config.policies.get(policyName);
    if (m.provider !== "gateway") return this.providerCanary(m, version, baseline, config, policy);
    await this.apply({
      model: m.name,
      title: `Start a canary of ${m.name} ${version}`,
      verb: "Start Canary",
      preview: [
        `Against ${baseline}, with ${policy ? `policy '${policyName}'` : "the gateway's default policy"}: ${policy ? describePolicy(policy) : "steps 10% → 50% → 100%"}.`,
        `It promotes ${version} when every step passes, and rolls back to ${baseline} when one fails.`,
        "Cancelling the progress notification aborts the canary.",
      ],
      run: async ({ admin }, signal, progress) => {
        if (!admin) throw new Error(`${m.name} has no gateway`);
        const engine = await loadEngine();
        await admin.startCanary(m.name, version, policy ? engine.gatewayPolicyInput(policy) : undefined, signal);
        return this.follow(admin, m.name, version, signal, progress);
      },
    });
  }

  /**
   * A canary on Unleash or Argo, which host none: this window runs the state machine, moving the
   * weight through the provider and judging each step on the model's metrics backend, as
   * `prodinsights canary run` does. Cancelling, or the extension stopping, rolls back.
   */
  private async providerCanary(m: ModelSnapshot, version: string, baseline: string, config: Config, policy: PolicyConfig | undefined): Promise<void> {
    if (!policy) throw new Error(`${m.name} names policy '${config.models.get(m.name)?.policy}', which prodinsights.yaml does not define`);
    const backendName = config.models.get(m.name)?.backend ?? config.defaultBackend;
    const backend = config.backends.get(backendName);
    if (backend?.type !== "prometheus") {
      throw new Error(`a canary of ${m.name} on ${m.provider} is judged on the model's metrics, and its backend '${backendName}' ${backend ? "reads prediction logs" : "is not in prodinsights.yaml"}: give the model a Prometheus backend`);
    }
    await this.apply({
      model: m.name,
      title: `Start a canary of ${m.name} ${version}`,
      verb: "Start Canary",
      preview: [
        `On ${m.provider}, against ${baseline}, with policy '${policy.name}': ${describePolicy(policy)}.`,
        `Each step is judged on ${backend.name}. It promotes ${version} when every step passes, and rolls back to ${baseline} when one fails.`,
        `${m.provider} does not run canaries itself: this window does, until the last step. Cancelling the progress notification, or closing the window, rolls back.`,
      ],
      run: async ({ provider }, signal, progress) => {
        const engine = await loadEngine();
        // The extension stopping (the window closing) stops the canary too, which rolls it back.
        const stopping = new AbortController();
        const registration = this.ctx.register({ dispose: () => stopping.abort() });
        try {
          const both = AbortSignal.any([signal, stopping.signal]);
          const prepared = await engine.prepareProviderCanary(config, provider, m.name, version, policy, both);
          // E.g. an Argo step that does not wait for the canary's checks: said, not refused.
          for (const warning of prepared.warnings) {
            this.ctx.log.warn(`canary of ${m.name} ${version}: ${warning}`);
            void vscode.window.showWarningMessage(`Canary of ${m.name} ${version}: ${warning}.`);
          }
          const api = await engine.connectBackend(backend, this.secrets.lookup());
          const result = await engine.runProviderCanary(prepared, config, provider, api, {
            signal: both,
            onDecision: (d) => {
              const what = d.action.type === "set-weight" ? `${d.action.weight}% of traffic to ${version}` : d.action.type;
              this.ctx.log.info(`canary of ${m.name} ${version}: ${what}: ${d.reasons.join("; ")}`);
              progress.report({ message: what });
              this.done(m.name);
            },
          });
          this.told.add(`${m.name}/${version}`);
          if (result.aborted) return `The canary of ${m.name} ${version} was stopped: ${baseline} takes all traffic.`;
          if (result.status === "promoted") return `${m.name} ${version} promoted: every step of the canary passed.`;
          throw new Error(`The canary of ${m.name} ${version} was rolled back: ${result.decisions.at(-1)?.reasons.join("; ") ?? "a step failed"}.`);
        } finally {
          registration.dispose();
        }
      },
    });
  }

  async shadow(arg: unknown): Promise<void> {
    const { m, t, snapshot } = await this.modelOf(arg, "Start Shadow Rollout", canShadow);
    if (!m) return;
    if (!canShadow(m)) throw new Error(`${m.name} rolls out through ${m.provider}, which cannot mirror traffic`);
    const version = await pickVersion(snapshot, m.name, t, `Shadow a version of ${m.name}`, (role) => role !== "stable");
    if (!version) return;
    const shareText = await vscode.window.showInputBox({
      title: `Shadow ${m.name} ${version}`,
      prompt: "Percent of requests to mirror to the shadow version (its answers are compared, never returned)",
      value: "100",
      ignoreFocusOut: true,
      validateInput: (text) => (percentIn(text) === undefined ? "Enter a percentage above 0 and at most 100." : undefined),
    });
    const share = shareText === undefined ? undefined : percentIn(shareText);
    if (share === undefined) return;
    await this.apply({
      model: m.name,
      title: `Shadow ${m.name} ${version}`,
      verb: "Start Shadow",
      preview: [`${share}% of ${m.name}'s requests are also sent to ${version}; users keep getting the current answers.`, ...(m.shadow ? [`It replaces the shadow of ${m.shadow.version}.`] : [])],
      run: async ({ provider }, signal) => {
        if (!provider.setShadow) throw new Error(`${m.name} rolls out through ${provider.kind}, which cannot mirror traffic`);
        await provider.setShadow(m.name, version, share, signal);
        return `${m.name} ${version} is shadowing ${share}% of requests.`;
      },
    });
  }

  async chaos(arg: unknown): Promise<void> {
    const { m, t, snapshot } = await this.modelOf(arg, "Start Chaos Experiment", gatewayOnly);
    if (!m) return;
    requireGateway(m, "cannot inject faults: chaos is the gateway's");
    const version = await pickVersion(snapshot, m.name, t, `Inject faults into a version of ${m.name}`);
    if (!version) return;
    const kind = await pickName(["error", "latency"], "fault", `Chaos on ${m.name} ${version}`, (k) => (k === "error" ? "answer 500 instead of the model" : "add 500 ms before the answer"));
    if (!kind) return;
    const shareText = await vscode.window.showInputBox({ title: `Chaos on ${m.name} ${version}`, prompt: "Percent of the version's requests that get the fault", value: "20", ignoreFocusOut: true, validateInput: (x) => (percentIn(x) === undefined ? "Enter a percentage above 0 and at most 100." : undefined) });
    const share = shareText === undefined ? undefined : percentIn(shareText);
    if (share === undefined) return;
    const rule: ChaosRuleInput = kind === "latency" ? { kind, version, share, duration: "5m", ms: 500 } : { kind: "error", version, share, duration: "5m" };
    await this.apply({
      model: m.name,
      title: `Chaos on ${m.name} ${version}`,
      verb: "Start Chaos",
      preview: [`For 5 minutes, ${share}% of ${version}'s requests ${kind === "error" ? "fail with a 500" : "wait 500 ms longer"}.`, "This hurts real traffic through the gateway. Stop it early with a rollback or by deleting it through the admin API."],
      run: async ({ admin }, signal) => {
        if (!admin) throw new Error(`${m.name} has no gateway`);
        await admin.startChaos(m.name, rule, signal);
        return `Chaos started on ${m.name} ${version} for 5 minutes.`;
      },
    });
  }

  /** Follows a gateway-hosted canary until it ends; cancelling aborts it. */
  private async follow(admin: GatewayAdmin, model: string, version: string, signal: AbortSignal, progress: vscode.Progress<{ message?: string }>): Promise<string> {
    let shown = "";
    for (;;) {
      if (signal.aborted) {
        await admin.abortCanary(model);
        return `The canary of ${model} ${version} was aborted.`;
      }
      const route = await admin.routing(model);
      const running = route.canary;
      if (!running || running.version !== version) {
        this.told.add(`${model}/${version}`);
        const ending = canaryEnding(model, version, route.lastCanary);
        if (!ending.ok) throw new Error(ending.message);
        return ending.message;
      }
      const r = running.result as { step?: number; weight?: number };
      const at = `step ${(r.step ?? 0) + 1}, ${r.weight ?? 0}% of traffic`;
      if (at !== shown) {
        // A new step: the views, lenses and any open rollout report show it too.
        shown = at;
        progress.report({ message: at });
        this.done(model);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  /**
   * The model an action is about, from a fresh read of the routing (the routing alone: an action
   * needs the weights now, not a whole refresh with every analysis).
   */
  private async modelOf(arg: unknown, title: string, filter: (m: ModelSnapshot) => boolean = () => true): Promise<{ m?: ModelSnapshot; t: CommandTarget; config: Config; snapshot: ProductionSnapshot }> {
    const t = targetOf(arg);
    this.refuseUntrusted(title);
    const { config } = await this.workspace.require();
    const snapshot = await this.store.routing(AbortSignal.timeout(30_000));
    if (!snapshot.connected) throw new Error(`${title}: not connected to the rollout backend (${snapshot.problems[0]?.message ?? "see the log"}). Run "Production Insights: Connect Backend…"`);
    const candidates = snapshot.models.filter(filter).map((m) => m.name);
    const name = t.model ?? (candidates.length ? await pickName(candidates, "model", title) : await pickModel(config, t, title));
    return { ...(name ? { m: snapshot.models.find((m) => m.name === name) } : {}), t, config, snapshot };
  }

  private refuseUntrusted(title: string): void {
    if (vscode.workspace.isTrusted) return;
    void vscode.window.showWarningMessage(`${title} is disabled: this workspace is not trusted, so Production Insights is read-only here.`, "Manage Workspace Trust").then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
    });
    throw new Untrusted();
  }

  /** The model's provider: the gateway with the editor's token, or the one prodinsights.yaml names with its secrets. */
  private async backend(model: string): Promise<Backend> {
    const loaded = await this.workspace.require();
    const engine = await loadEngine();
    if (loaded.config.models.get(model)?.rollout !== "gateway") {
      return { provider: await engine.providerFor(loaded.config, model, this.secrets.lookup(), { actor: "vscode", baseDir: loaded.folder, trusted: vscode.workspace.isTrusted }) };
    }
    const admin = await this.admin();
    return { provider: new engine.GatewayProvider(admin), admin };
  }

  private async admin(): Promise<GatewayAdmin> {
    const loaded = await this.workspace.require();
    const engine = await loadEngine();
    const token = await engine.resolveGatewayToken(loaded.config, { secret: await this.secrets.gatewayToken(), env: process.env, workspaceDir: loaded.folder });
    if (!token) throw new Error(`no admin token for the gateway at ${loaded.config.gateway.url}: run "Production Insights: Connect Backend…"`);
    return new engine.GatewayAdmin({ url: loaded.config.gateway.url, token: token.token, actor: "vscode" });
  }

  private async apply(change: Change): Promise<void> {
    const choice = await vscode.window.showWarningMessage(`${change.title}?`, { modal: true, detail: change.preview.join("\n") }, change.verb);
    if (choice !== change.verb) return;
    const backend = await this.backend(change.model);
    this.ctx.log.info(`${change.title}: confirmed`);
    let outcome: string;
    try {
      outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: change.title, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          return await change.run(backend, controller.signal, progress);
        } finally {
          sub.dispose();
        }
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`${change.title}: ${message}`);
      this.done(change.model);
      const open = await vscode.window.showErrorMessage(message, "Open Report");
      if (open) await vscode.commands.executeCommand("prodInsights.showRollout", { model: change.model });
      return;
    }
    this.ctx.log.info(`${change.title}: ${outcome}`);
    this.done(change.model);
    const open = await vscode.window.showInformationMessage(outcome, "Open Report");
    if (open) await vscode.commands.executeCommand("prodInsights.showRollout", { model: change.model });
  }

  private done(model: string): void {
    void this.store.refresh("after a rollout action");
    this.afterChange(model);
  }
}

/** Chaos is the gateway's alone; shadows the gateway's and Argo's, through Istio (docs/rollout-providers.md). */
const gatewayOnly = (m: ModelSnapshot): boolean => m.provider === "gateway";
const canShadow = (m: ModelSnapshot): boolean => m.provider === "gateway" || m.provider === "argo";

function requireGateway(m: ModelSnapshot, what: string): void {
  if (m.provider !== "gateway") throw new Error(`${m.name} rolls out through ${m.provider}, which ${what}`);
}

/** Thrown after the untrusted-workspace warning was shown: the command stops without a second message. */
export class Untrusted extends Error {
  override readonly name = "Untrusted";
}

function percentIn(text: string): number | undefined {
  const value = Number(text.trim().replace(/%$/, ""));
  return Number.isFinite(value) && value > 0 && value <= 100 ? value : undefined;
}
