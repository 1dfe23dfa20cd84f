/**
 * A canary hosted outside the gateway (`prodinsights canary run`, for CI): the state machine of
 * core/canary driven in real time against a rollout target, which moves the traffic and measures
 * both versions. It waits out each step's pause, measures the step's window, and carries out each
 * decision; an abort (Ctrl-C, a CI timeout) rolls the traffic back before it returns, because a
 * canary left half-way is the worst outcome for a gate.
 */
import { advanceCanary, newCanary, type CanaryState } from "../core/canary/canary";
import type { CanaryMeasurement, CanaryPolicy } from "../core/canary/policy";
import type { CanaryDecision } from "../core/results/canary";

/** A canary that could not go on; its message says where it stopped and what traffic may be left. */
export class CanaryHostError extends Error {
  override readonly name = "CanaryHostError";
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}

export interface CanaryTarget {
  setWeight(weight: number): Promise<void>;
  promote(): Promise<void>;
  rollback(): Promise<void>;
  /** Starts a measurement window now. */
  startWindow(): Promise<void>;
  /** The measurements of every policy metric since the window started. */
  measure(): Promise<CanaryMeasurement[]>;
}

export interface HostOptions {
  readonly now?: () => number;
  /** Sleeps `ms`; rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onDecision?: (decision: CanaryDecision, state: CanaryState) => void;
}

const sleepFor = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Runs the canary to its end (promoted or rolled back) and returns its final document. */
export async function hostCanary(target: CanaryTarget, policy: CanaryPolicy, options: HostOptions = {}): Promise<CanaryState & { aborted?: boolean }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  let state = newCanary();
  // The candidate's share as last set at the target: the state moves on before the target does.
  let applied = 0;
  try {
    for (;;) {
      const measured = state.status === "running" ? await target.measure() : undefined;
      const next = advanceCanary(state, policy, now(), measured);
      const decided = next.state !== state;
      state = next.state;
      if (decided) {
        const action = next.action;
        if (action.type === "set-weight") {
          await target.setWeight(action.weight);
          applied = action.weight;
        }
        else if (action.type === "promote") await target.promote();
        else if (action.type === "rollback") await target.rollback();
        if (action.type === "set-weight" || action.type === "wait") await target.startWindow();
        options.onDecision?.(state.decisions.at(-1)!, state);
      }
      if (state.status === "promoted" || state.status === "rolled-back") return state;
      // A new step is judged when its pause is over, not before: a window of no time has nothing
      // in it, and a metrics backend refuses a range of 0 ms.
      const until = next.action.type === "wait" ? next.action.until : next.action.type === "set-weight" ? state.stepStartedAt + policy.steps[state.step]!.pauseMs : now();
      await sleep(Math.max(0, until - now()), options.signal);
    }
  } catch (err) {
    if (options.signal?.aborted) {
      await target.rollback();
      return { ...state, status: "rolled-back", weight: 0, aborted: true };
    }
    // The target failed mid-canary (a provider that died): try to take the candidate's traffic
    // back, and say what may be left if that fails too.
    const rolledBack = await target.rollback().then(
      () => true,
      () => false,
    );
    const left = rolledBack ? "its traffic was rolled back" : applied > 0 ? `the candidate may still have ${applied}% of traffic: roll back once the provider answers` : "no traffic had moved";
    throw new CanaryHostError(`${(err as Error).message}; the canary stopped at step ${state.step + 1}, and ${left}`, err);
  }
}
