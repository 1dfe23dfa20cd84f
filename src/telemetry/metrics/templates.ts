/**
 * Metric templates (prodinsights.yaml) turned into PromQL: variables filled in with escaped label
 * values, and a template for one arm or version turned into one query for all of them, by
 * grouping its aggregations by that label, so that a report costs one query per metric.
 */

export interface TemplateValues {
  readonly model?: string;
  readonly version?: string;
  readonly experiment?: string;
  readonly arm?: string;
  /** The range of `[$window]`, in milliseconds. */
  readonly windowMs?: number;
}

/** A PromQL duration for a range in ms: whole days, hours, minutes or seconds where they fit. */
export function promDuration(ms: number): string {
  if (!(Number.isFinite(ms) && ms >= 1)) throw new Error(`promDuration: a range must be at least 1 ms, got ${ms}`);
  for (const [unit, size] of [["d", 86400e3], ["h", 3600e3], ["m", 60e3], ["s", 1e3]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}

/** A label value as the inside of a PromQL double-quoted string: backslash, quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Fills `$model`, `$version`, `$experiment`, `$arm` (escaped: they sit inside label matchers'
 * quotes) and `$window` (a duration). A variable the template uses but `values` lacks is an error.
 */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$([A-Za-z_]\w*)/g, (whole, name: string) => {
    if (name === "window") {
      if (values.windowMs === undefined) throw new Error(`fillTemplate: the template uses $window but no window was given: ${template}`);
      return promDuration(values.windowMs);
    }
    const value = (values as Record<string, unknown>)[name];
    if (typeof value !== "string") throw new Error(`fillTemplate: the template uses $${name} but no ${name} was given: ${template}`);
    return escapeLabelValue(value);
  });
}

const AGGREGATIONS = "sum|avg|min|max|count";

/**
 * The template for one value of `label` (`arm="$arm"`) as a template for every value at once: the
 * matcher is dropped and every aggregation is grouped by the label as well, e.g.
 * `sum(increase(x{experiment="$experiment",arm="$arm"}[$window]))` becomes
 * `sum by (arm) (increase(x{experiment="$experiment"}[$window]))`. Undefined when the template has
 * no such matcher or no aggregation to group (the caller then queries value by value).
 */
export function groupByLabel(template: string, label: "arm" | "version"): string | undefined {
  const matcher = new RegExp(`(\\{|,)\\s*${label}\\s*=\\s*"\\$${label}"\\s*(?=,|\\})`, "g");
  if (!matcher.test(template)) return undefined;
  let out = template.replace(matcher, "$1").replace(/\{\s*,?\s*/g, "{").replace(/,\s*,/g, ",").replace(/,\s*\}/g, "}");
  if (out.includes(`$${label}`)) return undefined; // used elsewhere too: not a plain matcher
  let grouped = 0;
  out = out.replace(new RegExp(`\\b(${AGGREGATIONS})\\s*(?:by\\s*\\(([^)]*)\\)\\s*)?\\(`, "g"), (_whole, op: string, by: string | undefined) => {
    grouped++;
    const labels = by === undefined ? [] : by.split(",").map((l) => l.trim()).filter(Boolean);
    if (!labels.includes(label)) labels.push(label);
    return `${op} by (${labels.join(", ")}) (`;
  });
  // `without (...)` and other operators cannot simply be grouped; neither can no aggregation at all.
  if (grouped === 0 || /\bwithout\s*\(/.test(out)) return undefined;
  return out;
}
