/**
 * /metrics for a gateway on a fast simulated clock (the demo's replay). Prometheus scrapes once a
 * second of real time, which at thousands of times real speed is an hour of simulated time between
 * samples: too sparse for `increase(…[1h])` and for a 5-minute lookback to see a release. So the
 * gateway takes a snapshot of every series each simulated minute and the next scrape returns all
 * of them, each sample stamped with its minute. Prometheus stores them as if it had scraped every
 * minute (its out-of-order window must cover the replay; demo/prometheus.ts).
 *
 * Pending snapshots are bounded (MAX_PENDING): without a scraper the oldest are dropped.
 */
import type { MetricObjectWithValues, MetricValue } from "prom-client";

export const MAX_PENDING = 2000;

type Family = MetricObjectWithValues<MetricValue<string>>;

interface Snapshot {
  readonly t: number;
  readonly families: readonly Family[];
}

const escapeLabel = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** `name{a="1",b="2"}`, labels in the order prom-client lists them. */
function seriesOf(family: Family, value: MetricValue<string> & { metricName?: string }): string {
  const labels = Object.entries(value.labels ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
    .join(",");
  const name = value.metricName ?? family.name;
  return labels === "" ? name : `${name}{${labels}}`;
}

export class MetricSnapshots {
  private pending: Snapshot[] = [];

  take(t: number, families: readonly Family[]): void {
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    // prom-client hands out its live objects: copy the values, which go on changing.
    const copy = families.map((f) => ({ ...f, values: f.values.map((v) => ({ ...v, labels: { ...v.labels } })) }));
    this.pending.push({ t, families: copy });
  }

  /**
   * The exposition text of every pending snapshot, then forgets them. Only snapshots: a sample of
   * the values now, stamped now, could be later than the next snapshot's stamp (a snapshot is
   * stamped with its minute but read a little after), and a counter that seems to go down is a
   * reset to Prometheus, which would count it all again.
   */
  render(): string {
    const snapshots = this.pending;
    this.pending = [];
    const families = new Map<string, { family: Family; series: Map<string, string[]> }>();
    for (const { t, families: list } of snapshots) {
      for (const family of list) {
        let entry = families.get(family.name);
        if (!entry) families.set(family.name, (entry = { family, series: new Map() }));
        for (const value of family.values) {
          const key = seriesOf(family, value);
          let samples = entry.series.get(key);
          if (!samples) entry.series.set(key, (samples = []));
          samples.push(`${key} ${formatValue(value.value)} ${Math.floor(t)}`);
        }
      }
    }
    const out: string[] = [];
    for (const { family, series } of families.values()) {
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const samples of series.values()) out.push(...samples);
    }
    return `${out.join("\n")}\n`;
  }
}
