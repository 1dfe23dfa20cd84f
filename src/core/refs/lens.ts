/**
 * What a code lens on a model version says, and the sparkline its hover shows, from facts the
 * editor host gathered (traffic, errors against the stable version, drift). Pure text, so that
 * the lens reads the same in every host and is tested without an editor.
 */
import { percent, pIs, points } from "../format";

export interface VersionFacts {
  readonly model: string;
  readonly version: string;
  /** Percent of the model's traffic now. */
  readonly weight?: number;
  /** The version's error rate, against the stable version's, with the test's p-value. */
  readonly errors?: { readonly rate: number; readonly baselineRate?: number; readonly baselineVersion?: string; readonly pValue?: number };
  /** Features at the "drift" level in the latest drift check. */
  readonly driftedFeatures?: number;
}

/** `churn v3 · 25% traffic · errors 1.2% (+0.40 pp vs v2, p = 0.003) · drift: 2 features` */
export function lensTitle(f: VersionFacts): string {
  const parts = [`${f.model} ${f.version}`];
  if (f.weight !== undefined) parts.push(`${Number(f.weight.toFixed(1))}% traffic`);
  if (f.errors) {
    const { rate, baselineRate, baselineVersion, pValue } = f.errors;
    const against = baselineRate !== undefined && baselineVersion !== undefined && baselineVersion !== f.version ? ` (${points(rate - baselineRate)} vs ${baselineVersion}${pValue !== undefined ? `, ${pIs(pValue)}` : ""})` : "";
    parts.push(`errors ${percent(rate)}${against}`);
  }
  if (f.driftedFeatures !== undefined) parts.push(f.driftedFeatures === 0 ? "no drift" : `drift: ${f.driftedFeatures} feature${f.driftedFeatures === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

/**
 * An inline SVG sparkline of `values` (NaN for no data, drawn as a gap), `width` × `height`
 * pixels, for a Markdown hover. `label` becomes the SVG's title, escaped.
 */
export function sparkline(values: readonly number[], label: string, width = 160, height = 32): string {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const span = hi - lo || 1;
  const x = (i: number): number => (values.length <= 1 ? width / 2 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v: number): number => height - 1 - ((v - lo) / span) * (height - 2);
  const segments: string[] = [];
  let current = "";
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      if (current) segments.push(current);
      current = "";
      return;
    }
    current += `${current ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  // A lone point between gaps is a path with no length: give it a pixel so it shows.
  const drawn = segments.map((d) => (d.includes("L") ? d : `${d}h1`));
  const escaped = label.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escaped}</title>${drawn.map((d) => `<path d="${d}" fill="none" stroke="currentColor" stroke-width="1.5"/>`).join("")}</svg>`;
}
