/** A proportion arm: conversions out of units. */
export interface ProportionArmInput {
  readonly name: string;
  readonly successes: number;
  readonly trials: number;
}

/** A mean arm: units with the sum and the sum of squares of the metric. */
export interface MeanArmInput {
  readonly name: string;
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export type AbArmInput = ProportionArmInput | MeanArmInput;

/** Per-arm count, mean and per-unit variance, with the reason it cannot be used, if any. */
export interface ArmStats {
  readonly name: string;
  readonly kind: "proportion" | "mean";
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
  readonly successes: number;
  readonly unusable?: string;
}

function requireNumber(fn: string, field: string, v: unknown, check: (n: number) => boolean, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) {
    throw new Error(`${fn}: '${field}' must be ${what}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Validates the arms and reduces them to moments. Proportion arms use the Bernoulli variance
 * p(1-p), so that their standard errors are the Wald ones; mean arms the unbiased variance.
 */
export function armStats(fn: string, arms: readonly AbArmInput[]): ArmStats[] {
  if (!Array.isArray(arms) || arms.length < 2) {
    throw new Error(`${fn}: 'arms' needs at least 2 arms (the baseline first), got ${Array.isArray(arms) ? arms.length : typeof arms}`);
  }
  const kind = "trials" in arms[0]! ? "proportion" : "mean";
  const names = new Set<string>();
  return arms.map((arm, i) => {
    const at = `arms[${i}]`;
    if (typeof arm !== "object" || arm === null) throw new Error(`${fn}: '${at}' must be an object`);
    if (typeof arm.name !== "string" || arm.name === "") throw new Error(`${fn}: '${at}.name' must be a non-empty string`);
    if (names.has(arm.name)) throw new Error(`${fn}: '${at}.name' repeats the arm name '${arm.name}'`);
    names.add(arm.name);
    const isProportion = "trials" in arm;
    if (isProportion !== (kind === "proportion")) {
      throw new Error(`${fn}: '${at}' is a ${isProportion ? "proportion" : "mean"} arm but the baseline is a ${kind} arm`);
    }
    if (isProportion) {
      const trials = requireNumber(fn, `${at}.trials`, arm.trials, (v) => Number.isInteger(v) && v >= 0, "a whole number >= 0");
      const successes = requireNumber(fn, `${at}.successes`, arm.successes, (v) => Number.isInteger(v) && v >= 0 && v <= trials, `a whole number from 0 to trials (${trials})`);
      const p = trials > 0 ? successes / trials : 0;
      return { name: arm.name, kind, n: trials, mean: p, variance: p * (1 - p), successes, ...(trials === 0 ? { unusable: "no units" } : {}) };
    }
    const n = requireNumber(fn, `${at}.n`, arm.n, (v) => Number.isInteger(v) && v >= 0, "a whole number >= 0");
    const sum = requireNumber(fn, `${at}.sum`, arm.sum, () => true, "a finite number");
    const sumSquares = requireNumber(fn, `${at}.sumSquares`, arm.sumSquares, (v) => v >= 0, "a finite number >= 0");
    if (n < 2) return { name: arm.name, kind, n, mean: n === 1 ? sum : 0, variance: 0, successes: 0, unusable: `${n} unit${n === 1 ? "" : "s"}; a mean needs at least 2` };
    const mean = sum / n;
    // Rounding can push a zero variance slightly negative; it is zero then.
    const variance = Math.max(0, (sumSquares - sum * mean) / (n - 1));
    return { name: arm.name, kind, n, mean, variance, successes: 0 };
  });
}
