/**
 * Model assertions (Kang, Raghavan, Bailis & Zaharia, "Model Assertions for Monitoring and
 * Improving ML Models", MLSys 2020): invariants a model's inputs and outputs should hold, declared
 * per model in gateway.yaml and checked on every request. A violation is counted and logged, never
 * blocking: the request is served as it would be without the check.
 *
 * Each violation is named for the `assertion` label of `model_assertion_violations_total`; the
 * names come from the declaration (`required:tenure`, `domain:plan`), so their number is bounded
 * by the config, never by the traffic.
 */

export interface FeatureAssertion {
  readonly type?: "number" | "string" | "boolean";
  /** The feature must be present (not missing, not null). */
  readonly required?: boolean;
  /** Numbers: the allowed range, inclusive. */
  readonly min?: number;
  readonly max?: number;
  /** Strings: the categories allowed. */
  readonly values?: readonly string[];
}

export interface ModelAssertions {
  /** The prediction's allowed range, inclusive; a prediction that is not a finite number violates it. */
  readonly prediction?: { readonly min?: number; readonly max?: number };
  readonly features?: Readonly<Record<string, FeatureAssertion>>;
}

export interface AssertionViolation {
  /** The label value: `prediction_range`, or `<kind>:<feature>` with kind required, type, range or domain. */
  readonly assertion: string;
  /** For the log line; label and feature values are shown as JSON, cut to 60 characters. */
  readonly detail: string;
}

function shown(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Every assertion `features` and `prediction` break; empty when all hold. */
export function checkAssertions(spec: ModelAssertions, features: Readonly<Record<string, unknown>> | undefined, prediction: unknown): AssertionViolation[] {
  const out: AssertionViolation[] = [];
  if (spec.prediction) {
    const { min, max } = spec.prediction;
    const ok = typeof prediction === "number" && Number.isFinite(prediction) && (min === undefined || prediction >= min) && (max === undefined || prediction <= max);
    if (!ok) out.push({ assertion: "prediction_range", detail: `prediction ${shown(prediction)} is not a number in [${min ?? "-inf"}, ${max ?? "inf"}]` });
  }
  for (const [name, rule] of Object.entries(spec.features ?? {})) {
    const value = features !== undefined && Object.prototype.hasOwnProperty.call(features, name) ? features[name] : undefined;
    if (value === undefined || value === null) {
      if (rule.required) out.push({ assertion: `required:${name}`, detail: `feature ${name} is missing` });
      continue;
    }
    if (rule.type !== undefined && typeOf(value) !== rule.type) {
      out.push({ assertion: `type:${name}`, detail: `feature ${name} is ${typeOf(value)} ${shown(value)}, not ${rule.type}` });
      continue;
    }
    if (typeof value === "number" && (!Number.isFinite(value) || (rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max))) {
      out.push({ assertion: `range:${name}`, detail: `feature ${name} = ${shown(value)} is outside [${rule.min ?? "-inf"}, ${rule.max ?? "inf"}]` });
    }
    if (rule.values !== undefined && typeof value === "string" && !rule.values.includes(value)) {
      out.push({ assertion: `domain:${name}`, detail: `feature ${name} = ${shown(value)} is not one of ${rule.values.length} known categories` });
    }
  }
  return out;
}
