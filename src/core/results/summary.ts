/**
 * The text/markdown summary that sits next to each result document in a notebook output
 * (DESIGN.md §2), so that a notebook reads on GitHub and in any viewer without the extension:
 * a bold verdict sentence, a compact table of the key numbers, then the document's warnings.
 * Numbers read as in the CLI (src/core/format.ts). Every value that comes from production (arm,
 * feature, metric and version names, label values, queries, reasons and warnings) goes through
 * escapeMarkdown, because a label value must never become markup or HTML in the notebook.
 */
import { count, decimal, percent, pIs, points, pValue } from "../format";
import type { AbComparison, AbResult } from "./ab";
import type { CanaryCheck, CanaryMetricCheck, CanaryResult } from "./canary";
import type { DriftFeature, DriftLevel, DriftResult } from "./drift";
import type { JumpsMetric, JumpsResult, JumpsWindowEstimate, ReleaseJump } from "./jumps";
import type { AbReportDocument, CompareResult, ReportDocument, RolloutReport, SampleSizeResult, TimeseriesResult } from "./report";

/** Rows a table shows before it says how many it left out. */
const MAX_ROWS = 20;

const MARKDOWN_PUNCTUATION = /[\\`*_[\]|#~$]/g;

/**
 * Text for any place in a Markdown document, a table cell included: Markdown punctuation
 * (\ ` * _ [ ] | # ~, and $ for the math renderers of GitHub and Jupyter) is backslash-escaped,
 * `&`, `<` and `>` become entities so that no HTML can start, and line breaks become spaces.
 * @example escapeMarkdown("<b>|*x*") // "&lt;b&gt;\\|\\*x\\*"
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, " ")
    .replace(MARKDOWN_PUNCTUATION, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** The Markdown summary of a result document: verdict, key numbers, warnings. */
export function markdownSummary(doc: ReportDocument): string {
  const blocks = blocksOf(doc).filter((b) => b !== "");
  return `${blocks.join("\n\n")}\n`;
}

function blocksOf(doc: ReportDocument): string[] {
  switch (doc.kind) {
    case "ab":
      return abSummary(doc);
    case "drift":
      return driftSummary(doc);
    case "jumps":
      return jumpsSummary(doc);
    case "compare":
      return compareSummary(doc);
    case "timeseries":
      return timeseriesSummary(doc);
    case "samplesize":
      return sampleSizeSummary(doc);
    case "canary":
      return canarySummary(doc);
    case "rollout":
      return rolloutSummary(doc);
    default: {
      const unknown: never = doc;
      return [escapeMarkdown(`Unknown result document: ${JSON.stringify((unknown as { kind?: unknown }).kind)}`)];
    }
  }
}

// ---- Markdown pieces -------------------------------------------------------------------------

/** Our own wording, which may hold "<" (p < 1e-16): entities and escapes as for data. */
const md = escapeMarkdown;

/** A GFM table; cells are Markdown already (escaped by the caller). */
function table(columns: readonly { label: string; right?: boolean }[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => (c === "" ? " " : c)).join(" | ")} |`;
  const rule = `|${columns.map((c) => (c.right ? "---:" : "---")).join("|")}|`;
  return [line(columns.map((c) => c.label)), rule, ...rows.map((r) => line(columns.map((_, i) => r[i] ?? "")))].join("\n");
}

/** At most MAX_ROWS rows, and a sentence for the ones left out. */
function capped<T>(items: readonly T[], what: string): { shown: readonly T[]; more: string } {
  if (items.length <= MAX_ROWS) return { shown: items, more: "" };
  return { shown: items.slice(0, MAX_ROWS), more: `… and ${count(items.length - MAX_ROWS)} more ${what}.` };
}

/**
 * A bullet list. An item must not open a block of its own ("- x", "1. x", "---" after the bullet
 * would nest a list or draw a rule), so a leading marker is escaped too.
 */
function list(items: readonly string[]): string {
  return items
    .map((item) => `- ${item.replace(/^(\s*)([-+=])/, "$1\\$2").replace(/^(\s*\d{1,9})([.)])/, "$1\\$2")}`)
    .join("\n");
}

function warningList(warnings: readonly string[]): string {
  return list(warnings.map((w) => `Warning: ${md(w)}`));
}

// ---- Numbers ---------------------------------------------------------------------------------

/** decimal(), with zero as "0". */
function num(value: number, digits = 4): string {
  return value === 0 ? "0" : decimal(value, digits);
}

function signed(value: number, digits = 3): string {
  return `${value > 0 ? "+" : ""}${num(value, digits)}`;
}

/** "[+10.1%, +19.2%]". */
function interval(ci: readonly [number, number], format: (v: number) => string): string {
  return `[${format(ci[0])}, ${format(ci[1])}]`;
}

/** ms since the epoch -> "2026-10-11T00:00Z", as the CLI prints times. */
function time(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : `${date.toISOString().slice(0, 16)}Z`;
}

const relative = (v: number): string => percent(v, 1, true);

/** p-value text safe in Markdown ("< 1e-16" holds a "<"). */
const pCell = (p: number): string => md(pValue(p));

// ---- ab --------------------------------------------------------------------------------------

type OkComparison = Extract<AbComparison, { status: "ok" }>;

function abFormat(metricKind: AbResult["metricKind"]): { value: (v: number) => string; diff: (v: number) => string } {
  return metricKind === "proportion" ? { value: (v) => percent(v, 1), diff: (v) => points(v) } : { value: (v) => num(v, 4), diff: (v) => signed(v, 3) };
}

/** The lift with its interval: relative when it exists, else the absolute difference. */
function liftText(doc: Pick<AbResult, "metricKind">, c: OkComparison): string {
  if (c.relative.status === "ok") return `${relative(c.relative.estimate)} ${interval(c.relative.ci, relative)}`;
  const f = abFormat(doc.metricKind);
  return `${f.diff(c.absolute.estimate)} ${interval(c.absolute.ci, f.diff)}`;
}

function adjustedP(doc: Pick<AbResult, "correction">, p: number): string {
  return md(doc.correction === "none" ? pIs(p) : `adjusted ${pIs(p)}`);
}

function abVerdictLine(doc: AbReportDocument): string {
  const ok = doc.comparisons.filter((c): c is OkComparison => c.status === "ok");
  const baseline = md(doc.arms[0]?.name ?? "the baseline");
  const level = percent(doc.confidence, 0);
  if (doc.verdict === "insufficient-data" || ok.length === 0) {
    const reasons = [
      ...doc.comparisons.flatMap((c) => (c.status === "ok" ? [] : [c.reason])),
      ...doc.arms.flatMap((a) => (a.status === "ok" ? [] : [`arm '${a.name}': ${a.reason}`])),
    ];
    const reason = reasons.length > 0 ? [...new Set(reasons)].slice(0, 3).join("; ") : "no arm could be compared with the baseline";
    return `**Insufficient data:** ${md(reason)}`;
  }
  const strongest = ok.reduce((a, b) => (b.adjustedPValue < a.adjustedPValue ? b : a));
  const numbers = (c: OkComparison, named: boolean): string => `${named ? `${md(c.arm)}: ` : ""}${liftText(doc, c)}, ${adjustedP(doc, c.adjustedPValue)}`;
  if (doc.srm.status === "ok" && doc.srm.flagged) {
    return (
      `**Sample ratio mismatch: no winner declared** · chi-square ${num(doc.srm.statistic, 3)}, ${md(pIs(doc.srm.pValue))}; ` +
      "the traffic split differs from the expected one, so assignment or logging is broken."
    );
  }
  if (doc.verdict === "winner") {
    const name = doc.winner ?? ok.find((c) => c.verdict === "winner")?.arm ?? "";
    const winner = ok.find((c) => c.arm === name) ?? strongest;
    return `**Winner: ${md(winner.arm)}** · ${numbers(winner, false)}`;
  }
  if (doc.verdict === "loser") {
    const who = ok.length === 1 ? `${md(strongest.arm)} is` : "every arm is";
    return `**No winner: ${who} worse than ${baseline}** · ${numbers(strongest, ok.length > 1)}`;
  }
  return `**Inconclusive: no arm beats ${baseline} at ${level} confidence** · ${numbers(strongest, true)}`;
}

function abSummary(doc: AbReportDocument): string[] {
  const f = abFormat(doc.metricKind);
  const byArm = new Map(doc.comparisons.map((c) => [c.arm, c]));
  const level = percent(doc.confidence, 0);
  const rows = doc.arms.map((arm, i): string[] => {
    const value = arm.status === "ok" ? `${f.value(arm.estimate)} ${interval(arm.ci, f.value)}` : `insufficient data: ${md(arm.reason)}`;
    const head = [md(arm.name), count(arm.n), value];
    if (i === 0) return [...head, "baseline", "", ""];
    const c = byArm.get(arm.name);
    if (!c) return [...head, "", "", ""];
    if (c.status !== "ok") return [...head, "", "", `insufficient data: ${md(c.reason)}`];
    return [...head, liftText(doc, c), pCell(c.adjustedPValue), c.verdict];
  });
  const correction = doc.correction === "none" ? "p" : `p (${doc.correction === "bh" ? "Benjamini-Hochberg" : "Holm"})`;
  const blocks = [
    abVerdictLine(doc),
    table(
      [
        { label: "arm" },
        { label: "units", right: true },
        { label: `${doc.metricKind === "proportion" ? "rate" : "mean"} [${level} CI]`, right: true },
        { label: `lift [${level} CI]`, right: true },
        { label: correction, right: true },
        { label: "verdict" },
      ],
      rows,
    ),
  ];
  const notes = [`${doc.direction === "higher" ? "Higher" : "Lower"} is better.`];
  if (doc.power.status === "ok") notes.push(`Power ${percent(doc.power.value, 0)} to detect ${f.diff(doc.power.mde)}.`);
  if (doc.srm.status === "ok" && !doc.srm.flagged) notes.push(`Sample ratio check: ${md(pIs(doc.srm.pValue))} (ok).`);
  else if (doc.srm.status !== "ok") notes.push(`Sample ratio check: ${md(doc.srm.reason)}.`);
  blocks.push(notes.join(" "));
  // The first line already says it when the split is off.
  const srmShown = doc.srm.status === "ok" && doc.srm.flagged && doc.verdict !== "insufficient-data";
  blocks.push(warningList(doc.warnings.filter((w) => !(srmShown && /^Sample ratio mismatch/i.test(w)))));
  return blocks;
}

// ---- drift -----------------------------------------------------------------------------------

const LEVEL_LABEL: Record<DriftLevel, string> = { none: "none", possible: "possible", drift: "**drift**" };
const LEVEL_ORDER: Record<DriftLevel | "insufficient-data", number> = { drift: 0, possible: 1, none: 2, "insufficient-data": 3 };

function driftRow(f: DriftFeature): string[] {
  const name = md(f.name);
  if (f.status !== "ok") return [name, "", "", "", "", `insufficient data: ${md(f.reason)}`];
  const isTest = f.comparedWith === "pValue";
  const statistic = f.statistic !== undefined ? num(f.statistic, 3) : isTest ? num(f.score, 3) : "";
  const measure = isTest ? (f.pValue !== undefined ? md(pIs(f.pValue)) : "") : num(f.score, 3);
  const threshold = isTest ? md(`p < ${num(f.threshold)}`) : `≥ ${num(f.threshold)}`;
  return [name, f.method, statistic, measure, threshold, LEVEL_LABEL[f.level]];
}

function driftSummary(doc: DriftResult): string[] {
  const { counts } = doc;
  const shares =
    doc.shareDrifted === undefined
      ? ""
      : ` · ${count(counts.drift)} of ${count(doc.tested)} features drifted (${percent(doc.shareDrifted, 0)}), ${count(counts.possible)} possibly; ` +
        `the dataset counts as drifted at ${percent(doc.driftShare, 0)}` +
        (counts.insufficientData > 0 ? `; ${count(counts.insufficientData)} could not be tested` : "");
  let verdict: string;
  if (doc.verdict === "insufficient-data") {
    const reasons = [...new Set(doc.features.flatMap((f) => (f.status === "ok" ? [] : [f.reason])))];
    verdict = `**Insufficient data:** no feature could be tested${reasons.length > 0 ? ` (${md(reasons.slice(0, 3).join("; "))})` : ""}`;
  } else {
    verdict = `**${doc.verdict === "drift" ? "Dataset drift" : doc.verdict === "possible" ? "Possible dataset drift" : "No dataset drift"}**${shares}`;
  }
  const ordered = doc.features
    .map((f, i) => ({ f, i }))
    .sort((a, b) => LEVEL_ORDER[a.f.status === "ok" ? a.f.level : a.f.status] - LEVEL_ORDER[b.f.status === "ok" ? b.f.level : b.f.status] || a.i - b.i)
    .map(({ f }) => f);
  const { shown, more } = capped(ordered, "features");
  const rest = ordered.slice(shown.length);
  const restLevels = (["drift", "possible", "none"] as const)
    .map((l) => [l, rest.filter((f) => f.status === "ok" && f.level === l).length] as const)
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${count(n)} ${l}`);
  const restInsufficient = rest.filter((f) => f.status !== "ok").length;
  if (restInsufficient > 0) restLevels.push(`${count(restInsufficient)} insufficient data`);
  const blocks = [verdict];
  if (doc.features.length > 0) {
    blocks.push(
      table(
        [{ label: "feature" }, { label: "method" }, { label: "statistic", right: true }, { label: "p or distance", right: true }, { label: "threshold", right: true }, { label: "level" }],
        shown.map(driftRow),
      ),
    );
  }
  if (more) blocks.push(`${more.slice(0, -1)}: ${restLevels.join(", ")}.`);
  blocks.push(warningList(doc.warnings));
  return blocks;
}

// ---- jumps -----------------------------------------------------------------------------------

function metricFormat(metric: JumpsMetric): { value: (v: number) => string; diff: (v: number) => string } {
  return metric.kind === "proportion" ? { value: (v) => percent(v, 2), diff: (v) => points(v) } : { value: (v) => num(v, 3), diff: (v) => signed(v, 3) };
}

function metricTitle(metric: JumpsMetric): string {
  return md(metric.quantile !== undefined && !/p\d+$/i.test(metric.name) ? `${metric.name} (p${Math.round(metric.quantile * 100)})` : metric.name);
}

function windowValue(w: JumpsWindowEstimate, value: (v: number) => string): string {
  return w.censored === "above" ? md(`> ${value(w.estimate)}`) : w.censored === "below" ? md(`< ${value(w.estimate)}`) : value(w.estimate);
}

function jumpVerdict(j: ReleaseJump): string {
  if (j.status !== "ok") return "insufficient data";
  return j.direction === "worse" ? "**worse**" : j.direction === "better" ? "better" : "no significant change";
}

function jumpsSummary(doc: JumpsResult): string[] {
  const f = metricFormat(doc.metric);
  const metric = metricTitle(doc.metric);
  const ok = doc.jumps.filter((j): j is Extract<ReleaseJump, { status: "ok" }> => j.status === "ok");
  const worse = ok.filter((j) => j.direction === "worse");
  const better = ok.filter((j) => j.direction === "better");
  const jumpNumbers = (j: Extract<ReleaseJump, { status: "ok" }>): string =>
    `${f.diff(j.difference.estimate)} ${interval(j.difference.ci, f.diff)}, ${md(`adjusted ${pIs(j.adjustedPValue)}`)}`;
  const versions = (js: readonly ReleaseJump[]): string => js.map((j) => md(j.version)).join(", ");
  let verdict: string;
  if (doc.jumps.length === 0) verdict = `**No releases to test** for ${metric}`;
  else if (ok.length === 0) {
    const reasons = [...new Set(doc.jumps.flatMap((j) => (j.status === "ok" ? [] : [j.reason])))];
    verdict = `**Insufficient data:** no release of ${metric} could be tested (${md(reasons.slice(0, 3).join("; "))})`;
  } else if (worse.length > 0) {
    const worst = worse.reduce((a, b) => (b.adjustedPValue < a.adjustedPValue ? b : a));
    verdict = `**${metric} got worse after ${versions(worse)}** · ${md(worst.version)}: ${jumpNumbers(worst)}`;
  } else if (better.length > 0) {
    const best = better.reduce((a, b) => (b.adjustedPValue < a.adjustedPValue ? b : a));
    verdict = `**${metric} got better after ${versions(better)}; no release made it worse** · ${md(best.version)}: ${jumpNumbers(best)}`;
  } else {
    verdict = `**No release changed ${metric} significantly** (${count(ok.length)} of ${count(doc.jumps.length)} releases tested)`;
  }
  const blocks = [verdict];
  if (doc.jumps.length > 0) {
    const { shown, more } = capped(doc.jumps, "releases");
    const level = percent(doc.settings.confidence, 0);
    blocks.push(
      table(
        [
          { label: "release" },
          { label: "at" },
          { label: "before → after", right: true },
          { label: `change [${level} CI]`, right: true },
          { label: `p (${doc.settings.correction === "holm" ? "Holm" : doc.settings.correction})`, right: true },
          { label: "verdict" },
        ],
        shown.map((j): string[] => {
          if (j.status !== "ok") return [md(j.version), time(j.t), `n ${count(j.before.n)} → ${count(j.after.n)}`, "", "", `insufficient data: ${md(j.reason)}`];
          return [
            md(j.version),
            time(j.t),
            `${windowValue(j.before, f.value)} → ${windowValue(j.after, f.value)}`,
            `${f.diff(j.difference.estimate)} ${interval(j.difference.ci, f.diff)}`,
            pCell(j.adjustedPValue),
            jumpVerdict(j),
          ];
        }),
      ),
    );
    if (more) blocks.push(more);
  }
  const notes: string[] = [];
  const cp = doc.changePoints;
  if (cp.status === "ok") {
    const unannounced = cp.points.filter((p) => p.coincidesWith.length === 0);
    if (unannounced.length > 0) {
      const shown = unannounced.slice(0, 5).map((p) => `${time(p.t)} ${f.diff(p.shift)} (${p.direction})`);
      notes.push(`Changes no release explains: ${shown.join(", ")}${unannounced.length > 5 ? `, and ${count(unannounced.length - 5)} more` : ""}.`);
    }
  } else notes.push(`Change points: ${md(cp.reason)}.`);
  const t = doc.trend;
  notes.push(
    t.status === "ok"
      ? `Trend over ${count(t.n)} buckets: ${f.diff(t.slope)} per day ${interval(t.slopeCi, f.diff)}, ${md(pIs(t.pValue))}, ${t.significant ? t.direction : "no significant trend"}.`
      : `Trend: ${md(t.reason)}.`,
  );
  blocks.push(notes.join(" "));
  blocks.push(warningList(doc.warnings));
  return blocks;
}

// ---- compare ---------------------------------------------------------------------------------

const COMPARE_VERDICT: Record<OkComparison["verdict"], string> = { winner: "**better**", loser: "**worse**", inconclusive: "no significant difference" };

function compareSummary(doc: CompareResult): string[] {
  const baseline = md(doc.baseline);
  const candidate = md(doc.candidate);
  const distributions = doc.distributions ?? [];
  const worse: string[] = [];
  const better: string[] = [];
  let tested = 0;
  const rows = doc.metrics.map((m): string[] => {
    const r = m.result;
    const f = r.metricKind === "proportion" ? { value: (v: number) => percent(v, 2), diff: (v: number) => points(v) } : abFormat(r.metricKind);
    const arm = (a: (typeof r.arms)[number] | undefined): string =>
      a === undefined ? "" : a.status === "ok" ? `${f.value(a.estimate)} (n ${count(a.n)})` : `insufficient data: ${md(a.reason)}`;
    const [base, cand] = r.arms;
    const c = r.comparisons[0];
    if (!c || c.status !== "ok") return [md(m.metric), arm(base), arm(cand), "", "", `insufficient data${c ? `: ${md(c.reason)}` : ""}`];
    tested++;
    if (c.verdict === "loser") worse.push(md(m.metric));
    if (c.verdict === "winner") better.push(md(m.metric));
    const rel = c.relative.status === "ok" ? ` (${relative(c.relative.estimate)})` : "";
    return [md(m.metric), arm(base), arm(cand), `${f.diff(c.absolute.estimate)} ${interval(c.absolute.ci, f.diff)}${rel}`, pCell(c.adjustedPValue), COMPARE_VERDICT[c.verdict]];
  });
  for (const d of distributions) {
    tested++;
    if (d.verdict === "worse") worse.push(md(d.metric));
    if (d.verdict === "better") better.push(md(d.metric));
  }
  const parts: string[] = [];
  if (worse.length > 0) parts.push(`${candidate} worse than ${baseline} on ${worse.join(", ")}`);
  if (better.length > 0) parts.push(`${worse.length > 0 ? "better" : `${candidate} better than ${baseline}`} on ${better.join(", ")}`);
  const verdict =
    parts.length > 0
      ? `**${parts.join("; ")}**`
      : tested > 0
        ? `**No significant difference between ${candidate} and ${baseline}** (${count(tested)} metric${tested === 1 ? "" : "s"})`
        : `**Insufficient data to compare ${candidate} with ${baseline}**`;
  const blocks = [`${verdict} · model ${md(doc.model)}`];
  if (rows.length > 0) {
    blocks.push(
      table(
        [
          { label: "metric" },
          { label: `${baseline} (baseline)`, right: true },
          { label: candidate, right: true },
          { label: "difference [CI]", right: true },
          { label: "p", right: true },
          { label: "verdict" },
        ],
        rows,
      ),
    );
  }
  if (distributions.length > 0) {
    blocks.push(
      table(
        [
          { label: "metric" },
          { label: "quantile", right: true },
          { label: baseline, right: true },
          { label: candidate, right: true },
          { label: `P(${candidate} &gt; ${baseline})`, right: true },
          { label: "p (Mann-Whitney)", right: true },
          { label: "verdict" },
        ],
        distributions.map((d) => [
          md(d.metric),
          `p${num(d.quantile * 100, 3)}`,
          `${num(d.baseline.value, 3)} (n ${count(d.baseline.n)})`,
          `${num(d.candidate.value, 3)} (n ${count(d.candidate.n)})`,
          d.probabilityHigher.toFixed(3),
          pCell(d.pValue),
          d.verdict === "no significant difference" ? d.verdict : `**${d.verdict}**`,
        ]),
      ),
    );
  }
  const skipped = doc.skipped ?? [];
  const warnings = doc.metrics.flatMap((m) => [...m.warnings, ...m.result.warnings].map((w) => `${m.metric}: ${w}`));
  blocks.push(list([...skipped.map((s) => `${md(s.metric)}: skipped (${md(s.reason)})`), ...warnings.map((w) => `Warning: ${md(w)}`)]));
  return blocks;
}

// ---- timeseries ------------------------------------------------------------------------------

function timeseriesSummary(doc: TimeseriesResult): string[] {
  const query = md(doc.query);
  if (doc.series.length === 0) return [`**No data:** the query returned no series · ${query}`];
  const total = doc.series.reduce((sum, s) => sum + s.points.length, 0);
  const blocks = [`**${count(doc.series.length)} series, ${count(total)} points** · ${query}`];
  const { shown, more } = capped(doc.series, "series");
  blocks.push(
    table(
      [{ label: "series" }, { label: "points", right: true }, { label: "first", right: true }, { label: "last", right: true }, { label: "min", right: true }, { label: "max", right: true }],
      shown.map((s) => {
        const pairs = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`);
        const name = pairs.length > 0 ? md(`{${pairs.join(", ")}}`) : "(no labels)";
        const first = s.points[0];
        const last = s.points[s.points.length - 1];
        if (!first || !last) return [name, "0", "", "", "", ""];
        // A loop, not Math.min(...values): a long series would overflow the call stack.
        let min = first.v;
        let max = first.v;
        for (const p of s.points) {
          if (p.v < min) min = p.v;
          if (p.v > max) max = p.v;
        }
        return [name, count(s.points.length), num(first.v), num(last.v), num(min), num(max)];
      }),
    ),
  );
  if (more) blocks.push(more);
  const releases = doc.releases ?? [];
  if (releases.length > 0) {
    const listed = releases.slice(0, MAX_ROWS).map((r) => `${md(r.label)} at ${time(r.t)}`);
    blocks.push(`Releases: ${listed.join(", ")}${releases.length > MAX_ROWS ? `, and ${count(releases.length - MAX_ROWS)} more` : ""}.`);
  }
  return blocks;
}

// ---- samplesize ------------------------------------------------------------------------------

function sampleSizeSummary(doc: SampleSizeResult): string[] {
  const rel = doc.p1 > 0 ? `, ${relative(doc.p2 / doc.p1 - 1)} relative` : "";
  return [
    `**${count(doc.perArm)} units per arm, ${count(doc.total)} in all** · to detect ${percent(doc.p1)} → ${percent(doc.p2)} ` +
      `(${points(doc.p2 - doc.p1)}${rel}) with power ${percent(doc.power, 0)} at alpha ${num(doc.alpha)}, two-sided (two-proportion test).`,
    table(
      [{ label: "" }, { label: "value", right: true }],
      [
        ["baseline rate", percent(doc.p1, 2)],
        ["rate to detect", percent(doc.p2, 2)],
        ["alpha (two-sided)", num(doc.alpha)],
        ["power", percent(doc.power, 0)],
        ["units per arm", `${count(doc.perArm)} (exactly ${num(doc.n, 7)})`],
        ["units in all", count(doc.total)],
      ],
    ),
  ];
}

// ---- canary and rollout ----------------------------------------------------------------------

function metricCheckRow(step: number, m: CanaryMetricCheck): string[] {
  const n = `${count(m.n[0])} / ${count(m.n[1])}`;
  const verdict = m.verdict === "fail" ? "**fail**" : m.verdict;
  if (!("method" in m)) return [String(step + 1), md(m.metric), verdict, n, "", "", md(m.reason)];
  const diff = m.method === "two-proportion" ? points(m.difference) : signed(m.difference, 3);
  return [String(step + 1), md(m.metric), verdict, n, diff, pCell(m.pValue), md(m.reason)];
}

/** The last check of each step, one row per metric. */
function checksTable(checks: readonly CanaryCheck[]): string[] {
  if (checks.length === 0) return ["No checks yet."];
  const last = new Map<number, CanaryCheck>();
  for (const c of checks) last.set(c.step, c);
  const rows = [...last.entries()].sort(([a], [b]) => a - b).flatMap(([step, c]) => c.metrics.map((m) => metricCheckRow(step, m)));
  const { shown, more } = capped(rows, "metric checks");
  const blocks = [
    table(
      [
        { label: "step" },
        { label: "metric" },
        { label: "verdict" },
        { label: "n baseline / candidate", right: true },
        { label: "difference", right: true },
        { label: "p", right: true },
        { label: "reason" },
      ],
      shown,
    ),
  ];
  if (more) blocks.push(more);
  return blocks;
}

function actionText(d: CanaryResult["decisions"][number]): string {
  const a = d.action;
  switch (a.type) {
    case "set-weight":
      return `set weight ${num(a.weight, 3)}%`;
    case "wait":
      return `wait until ${time(a.until)}`;
    case "promote":
      return "**promote**";
    case "rollback":
      return "**roll back**";
  }
}

function decisionsTable(doc: CanaryResult): string[] {
  if (doc.decisions.length === 0) return [];
  const skipped = Math.max(0, doc.decisions.length - MAX_ROWS);
  const blocks = [
    table(
      [{ label: "at" }, { label: "decision" }, { label: "reasons" }],
      doc.decisions.slice(skipped).map((d) => [time(d.t), actionText(d), md(d.reasons.join("; "))]),
    ),
  ];
  if (skipped > 0) blocks.push(`The ${count(skipped)} earlier decisions are left out.`);
  return blocks;
}

/** "pass", or "fail (error_rate, latency)": the metrics behind a check's outcome. */
function outcomeText(c: CanaryCheck): string {
  const behind = c.outcome === "pass" ? [] : c.metrics.filter((m) => m.verdict === c.outcome).map((m) => md(m.metric));
  return `${c.outcome}${behind.length > 0 ? ` (${behind.join(", ")})` : ""}`;
}

function canaryHeadline(doc: CanaryResult, what: string): string {
  const last = doc.checks[doc.checks.length - 1];
  const checks = `${count(doc.checks.length)} check${doc.checks.length === 1 ? "" : "s"}`;
  const lastText = last ? `last check (step ${last.step + 1}): ${outcomeText(last)}` : "no checks yet";
  switch (doc.status) {
    case "promoted":
      return `**${what} promoted** · ${checks}, ${lastText}`;
    case "rolled-back": {
      const failed = [...doc.checks].reverse().find((c) => c.outcome === "fail");
      return `**${what} rolled back** · ${failed ? `step ${failed.step + 1} failed: ${outcomeText(failed)}` : lastText}`;
    }
    case "running":
      return `**${what} running: ${doc.step < 0 ? "no step started" : `step ${doc.step + 1}`}, ${num(doc.weight, 3)}% of traffic** · ${lastText}`;
    case "pending":
      return `**${what} pending** · ${doc.step < 0 ? "no step started" : `step ${doc.step + 1}`}, ${lastText}`;
  }
}

function canarySummary(doc: CanaryResult): string[] {
  return [canaryHeadline(doc, "Canary"), ...checksTable(doc.checks), ...decisionsTable(doc)];
}

function rolloutSummary(doc: RolloutReport): string[] {
  const model = md(doc.model);
  const canary = doc.canary;
  const verdict = canary
    ? canaryHeadline(canary.result, `${model}: ${canary.active ? "canary" : "last canary"} ${md(canary.version)} against ${md(canary.baseline)}`)
    : `**${model}: ${md(doc.stable)} stable** · no canary has run, on ${doc.provider}`;
  const role = (version: string): string =>
    version === doc.stable ? "stable" : canary?.active && version === canary.version ? "canary" : version === doc.shadow?.version ? "shadow" : "";
  const blocks = [
    verdict,
    table(
      [{ label: "version" }, { label: "weight", right: true }, { label: "role" }],
      doc.weights.map((w) => [md(w.version), `${num(w.weight, 3)}%`, role(w.version)]),
    ),
  ];
  const notes = [`Provider ${doc.provider}; a rollback returns to ${md(doc.stable)}.`];
  if (doc.shadow) notes.push(`Shadow: ${md(doc.shadow.version)} receives a copy of ${num(doc.shadow.share, 3)}% of requests, compared and never served.`);
  blocks.push(notes.join(" "));
  if (canary) {
    const r = canary.result;
    blocks.push(
      table(
        [{ label: "step" }, { label: "weight", right: true }, { label: "state" }, { label: "last check" }, { label: "checks", right: true }],
        canary.steps.map((weight, i) => {
          const checks = r.checks.filter((c) => c.step === i);
          const last = checks[checks.length - 1];
          const state = i < r.step ? "done" : i === r.step ? (canary.active ? "**current**" : r.status) : r.status === "promoted" ? "skipped" : "pending";
          return [String(i + 1), `${num(weight, 3)}%`, state, last ? outcomeText(last) : "", count(checks.length)];
        }),
      ),
    );
    blocks.push(...checksTable(r.checks).filter((b) => b !== "No checks yet."), ...decisionsTable(r));
  }
  return blocks;
}
