// What the cursor in a `promql` cell asks for, and hovers over function names. The query is written
// with `|` where the cursor stands.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PROMQL_FUNCTIONS, promqlCompletionContext, promqlHover, promqlString, type PromqlCompletionContext } from "../../../src/telemetry/prometheus/promqlContext";

function at(query: string): PromqlCompletionContext {
  const offset = query.indexOf("|");
  assert.ok(offset >= 0, "mark the cursor with |");
  return promqlCompletionContext(query.slice(0, offset) + query.slice(offset + 1), offset);
}

function hoverAt(query: string) {
  const offset = query.indexOf("|");
  return promqlHover(query.slice(0, offset) + query.slice(offset + 1), offset);
}

test("a bare identifier position wants a metric (or a function), with the word under the cursor", () => {
  assert.deepEqual(at("|"), { kind: "metric", prefix: "", from: 0, to: 0 });
  assert.deepEqual(at("mod|"), { kind: "metric", prefix: "mod", from: 0, to: 3 });
  assert.deepEqual(at("mod|el_requests_total"), { kind: "metric", prefix: "mod", from: 0, to: 20 });
  assert.deepEqual(at("sum(rate(model_re|"), { kind: "metric", prefix: "model_re", from: 9, to: 17 });
  assert.deepEqual(at("sum(rate(x[5m])) / |"), { kind: "metric", prefix: "", from: 19, to: 19 });
  assert.deepEqual(at("x and |"), { kind: "metric", prefix: "", from: 6, to: 6 });
  assert.deepEqual(at("x > bool ab|"), { kind: "metric", prefix: "ab", from: 9, to: 11 });
  assert.deepEqual(at("histogram_quantile(0.95, |)"), { kind: "metric", prefix: "", from: 25, to: 25 });
  assert.deepEqual(at("job:requests:rate5|m"), { kind: "metric", prefix: "job:requests:rate5", from: 0, to: 19 }, "recording rule names hold colons");
  assert.deepEqual(at("# a note\nup + |"), { kind: "metric", prefix: "", from: 14, to: 14 });
  // Where an operator is expected, not a metric.
  assert.deepEqual(at("sum(x)|"), { kind: "none" });
  assert.deepEqual(at("sum(x) |"), { kind: "none" });
  assert.deepEqual(at("up |"), { kind: "none" });
});

test("inside {…}: label names of the metric before the braces, or of the __name__ matcher", () => {
  assert.deepEqual(at("model_requests_total{|}"), { kind: "labelName", metric: "model_requests_total", prefix: "", from: 21, to: 21 });
  assert.deepEqual(at('model_requests_total{model="churn", ver|}'), { kind: "labelName", metric: "model_requests_total", prefix: "ver", from: 36, to: 39 });
  assert.deepEqual(at('model_requests_total{mo|del="churn"}'), { kind: "labelName", metric: "model_requests_total", prefix: "mo", from: 21, to: 26 });
  assert.deepEqual(at("rate(model_errors_total{|"), { kind: "labelName", metric: "model_errors_total", prefix: "", from: 24, to: 24 });
  assert.deepEqual(at("{|}"), { kind: "labelName", prefix: "", from: 1, to: 1 });
  assert.deepEqual(at('{__name__="model_errors_total", |}'), { kind: "labelName", metric: "model_errors_total", prefix: "", from: 32, to: 32 });
  assert.deepEqual(at('{__name__=~"model_.*", |}'), { kind: "labelName", prefix: "", from: 23, to: 23 }, "a regex names no one metric");
  // After a label name, an operator is expected.
  assert.deepEqual(at("x{model |}"), { kind: "none" });
});

test("after by ( / without ( and the other label lists: label names, of the one metric aggregated", () => {
  assert.deepEqual(at("sum by (|) (rate(model_requests_total[5m]))"), { kind: "labelName", metric: "model_requests_total", prefix: "", from: 8, to: 8 });
  assert.deepEqual(at("sum(rate(model_requests_total[5m])) by (ver|)"), { kind: "labelName", metric: "model_requests_total", prefix: "ver", from: 40, to: 43 });
  assert.deepEqual(at("sum without (le, |) (x)"), { kind: "labelName", metric: "x", prefix: "", from: 17, to: 17 });
  assert.deepEqual(at("sum by (|"), { kind: "labelName", prefix: "", from: 8, to: 8 });
  assert.deepEqual(at("sum by (|) (a / b)"), { kind: "labelName", prefix: "", from: 8, to: 8 }, "two metrics: none named");
  assert.deepEqual(at('count_values("v", x) by (|)'), { kind: "labelName", metric: "x", prefix: "", from: 25, to: 25 });
  assert.deepEqual(at("a / on(|) b"), { kind: "labelName", prefix: "", from: 7, to: 7 });
  assert.deepEqual(at("a * ignoring(le) group_left(fe|) b"), { kind: "labelName", prefix: "fe", from: 28, to: 30 });
  assert.deepEqual(at("sum by (a |)"), { kind: "none" });
});

test("inside a matcher's quotes: label values, with the range between the quotes", () => {
  assert.deepEqual(at('model_requests_total{model="ch|"}'), {
    kind: "labelValue",
    metric: "model_requests_total",
    label: "model",
    prefix: "ch",
    from: 28,
    to: 30,
    quote: '"',
  });
  assert.deepEqual(at('x{version="|v2"}'), { kind: "labelValue", metric: "x", label: "version", prefix: "", from: 11, to: 13, quote: '"' });
  assert.deepEqual(at('x{version=~"v|'), { kind: "labelValue", metric: "x", label: "version", prefix: "v", from: 12, to: 13, quote: '"' });
  assert.deepEqual(at('x{version!="v|", model="a"}'), { kind: "labelValue", metric: "x", label: "version", prefix: "v", from: 12, to: 13, quote: '"' });
  assert.deepEqual(at("x{version!~'v|'}"), { kind: "labelValue", metric: "x", label: "version", prefix: "v", from: 12, to: 13, quote: "'" });
  assert.deepEqual(at('x{a="say \\"hi|"}'), { kind: "labelValue", metric: "x", label: "a", prefix: 'say "hi', from: 5, to: 13, quote: '"' });
  assert.deepEqual(at('{__name__="model_e|"}'), { kind: "labelValue", label: "__name__", prefix: "model_e", from: 11, to: 18, quote: '"' });
  // A bare `label=`: the value needs its own quotes.
  assert.deepEqual(at("x{model=|"), { kind: "labelValue", metric: "x", label: "model", prefix: "", from: 8, to: 8, quote: undefined });
  assert.deepEqual(at("x{model=ch|}"), { kind: "labelValue", metric: "x", label: "model", prefix: "ch", from: 8, to: 10, quote: undefined });
});

test("nothing in durations, numbers, comments and strings that are not label values", () => {
  for (const query of [
    "rate(x[5|m])",
    "rate(x[|",
    "rate(x[5m:|])",
    "x offset 5|",
    "x offset |",
    "x @ |",
    "1.5|",
    "x > 1e+|",
    "0x1|f",
    "# comm|ent",
    "up # a no|te",
    'label_replace(x, "ds|t", "$1", "src", "(.*)")',
    'count_values("v|", x)',
    'x{a="b"}|',
    'x{a="b"|}',
  ]) {
    assert.deepEqual(at(query), { kind: "none" }, query);
  }
});

test("promqlString escapes a value for the quote it goes into, or quotes it", () => {
  assert.equal(promqlString('say "hi" \\ there', '"'), 'say \\"hi\\" \\\\ there');
  assert.equal(promqlString("it's", "'"), "it\\'s");
  assert.equal(promqlString("plain", undefined), '"plain"');
  assert.equal(promqlString('a"b', undefined), '"a\\"b"');
  assert.equal(promqlString("raw\\n", "`"), "raw\\n");
});

test("the function list: unique names, one line each, aggregations included", () => {
  const names = PROMQL_FUNCTIONS.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of ["rate", "increase", "histogram_quantile", "label_replace", "avg_over_time", "quantile_over_time", "absent", "clamp"]) {
    assert.equal(PROMQL_FUNCTIONS.find((f) => f.name === name)?.kind, "function", name);
  }
  for (const name of ["sum", "avg", "count", "count_values", "topk", "bottomk", "quantile", "group", "stddev", "stdvar", "min", "max"]) {
    assert.equal(PROMQL_FUNCTIONS.find((f) => f.name === name)?.kind, "aggregation", name);
  }
  for (const f of PROMQL_FUNCTIONS) {
    assert.ok(f.description.length > 0 && !f.description.includes("\n"), f.name);
    assert.ok(f.signature.startsWith(f.name), f.name);
  }
});

test("hover over a function or aggregation name that is called", () => {
  const rate = hoverAt("sum(ra|te(x[5m]))")!;
  assert.deepEqual([rate.from, rate.to], [4, 8]);
  assert.match(rate.markdown, /^```promql\nrate\(v range-vector\)\n```\n\nPromQL function: per counter series/);
  assert.match(hoverAt("|sum by (a) (x)")!.markdown, /^```promql\nsum \[by\|without \(labels\)\] \(v instant-vector\)\n```\n\nPromQL aggregation operator/);
  assert.match(hoverAt("su|m without (le) (x)")!.markdown, /aggregation operator/);
  assert.match(hoverAt("x / ti|me()")!.markdown, /^```promql\ntime\(\)\n```/);
  assert.match(hoverAt("histogram_quan|tile (0.9, x)")!.markdown, /φ-quantile estimated from histogram buckets/);
  // Not a call, or not in an expression: a metric or label that happens to share the name.
  assert.equal(hoverAt("ra|te"), undefined);
  assert.equal(hoverAt('{ra|te="x"}'), undefined);
  assert.equal(hoverAt("sum by (ti|me) (x)"), undefined);
  assert.equal(hoverAt('x{a="ra|te()"}'), undefined);
  assert.equal(hoverAt("model_reque|sts_total"), undefined);
});
