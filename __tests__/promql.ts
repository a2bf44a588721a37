/**
 * A small PromQL reader for tests: the metric names and label names an expression refers to.
 * Enough for our dashboards and rules (selectors, aggregations with by/without, vector
 * matching with on/ignoring/group_left, label_replace, subqueries, Grafana's label_values).
 */
const AGGREGATE_MODIFIERS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"]);
/** Aggregation operators may take `by (...)` before their argument, so need not precede "(". */
const AGGREGATORS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile"]);

export interface PromqlRefs {
  readonly metrics: string[];
  readonly labels: string[];
  /** Labels the expression creates (label_replace destinations). */
  readonly created: string[];
}

export function promqlRefs(expr: string): PromqlRefs {
  const created: string[] = [];
  for (const m of expr.matchAll(/label_replace\s*\([^"]*"([^"]+)"/g)) created.push(m[1]);
  // Strings, ranges/subqueries and Grafana variables carry no names.
  let text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, "").replace(/\$\w+/g, "");
  text = text.replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, "0");
  const metrics = new Set<string>();
  const labels = new Set<string>();
  const tokens = [...text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*|[{}(),]|=~|!~|!=|=/g)].map((m) => m[0]);
  const next = (i: number) => tokens[i + 1];
  let braceDepth = 0;
  let labelListDepth = -1;
  let parenDepth = 0;
  let labelValuesArgDepth = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "{") braceDepth++;
    else if (t === "}") braceDepth--;
    else if (t === "(") parenDepth++;
    else if (t === ")") {
      if (parenDepth === labelListDepth) labelListDepth = -1;
      if (parenDepth === labelValuesArgDepth) labelValuesArgDepth = -1;
      parenDepth--;
    } else if (/^[A-Za-z_:]/.test(t)) {
      if (braceDepth > 0) {
        if (["=", "!=", "=~", "!~"].includes(next(i))) labels.add(t);
      } else if (labelListDepth >= 0 && parenDepth === labelListDepth) {
        labels.add(t);
      } else if (AGGREGATE_MODIFIERS.has(t)) {
        if (next(i) === "(") labelListDepth = parenDepth + 1;
      } else if (AGGREGATORS.has(t) || next(i) === "(") {
        if (t === "label_values") labelValuesArgDepth = parenDepth + 1;
      } else if (labelValuesArgDepth >= 0 && parenDepth === labelValuesArgDepth && tokens[i - 1] === ",") {
        labels.add(t);
      } else if (!KEYWORDS.has(t.toLowerCase())) {
        metrics.add(t);
      }
    }
  }
  return { metrics: [...metrics].sort(), labels: [...labels].sort(), created };
}
