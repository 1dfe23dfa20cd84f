/**
 * Arms in analysis order when nobody listed them: the baseline first (the one named, else
 * "control", else "baseline", else the first by name), then the rest by name.
 *
 * @example armOrder(["treatment", "control"]) // ["control", "treatment"]
 */
export function armOrder(names: Iterable<string>, baselineArm?: string): string[] {
  const sorted = [...names].sort();
  const baseline = [baselineArm, "control", "baseline"].find((b) => b !== undefined && sorted.includes(b)) ?? sorted[0];
  return baseline === undefined ? [] : [baseline, ...sorted.filter((n) => n !== baseline)];
}
