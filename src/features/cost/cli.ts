/**
 * npm run cost -- config/<name>.yaml [--json] [--usage group:profile=USERSxHOURS[@AT_ONCE] ...] [--spot-discount 0.6]
 *
 * Offline: reads the deployment file and the price table in src/features/cost/prices.ts, nothing else.
 */
import { ConfigError } from "../../config/errors";
import { loadDeployment } from "../../config/load";
import type { HubConfig } from "../../config/resolve";
import { estimate, type Usage } from "./estimate";
import { readFileSync, writeFileSync } from "node:fs";
import { parseSpotPriceHistory, type SpotPrices } from "./spot";
import { renderChart } from "./chart";
import { renderEstimate } from "./report";

export const USAGE = "usage: npm run cost -- <deployment.yaml> [--json] [--usage group:profile=USERSxHOURS[@AT_ONCE] ...] [--spot-discount 0..0.9] [--spot-prices FILE] [--svg FILE]";

export interface CostArgs {
  readonly file: string;
  readonly json: boolean;
  readonly usage: Record<string, Record<string, { users: number; hoursPerMonth: number; concurrent?: number }>>;
  readonly spotDiscount?: number;
  /** A describe-spot-price-history response to price spot from (--spot-prices FILE). @default the assumed discount */
  readonly spotPrices?: string;
  /** Where to write the chart (--svg FILE). @default no chart */
  readonly svg?: string;
}

export class ArgumentError extends Error {}

export function parseCostArgs(argv: readonly string[]): CostArgs {
  let file: string | undefined;
  let json = false;
  let spotDiscount: number | undefined;
  let svg: string | undefined;
  let spotPrices: string | undefined;
  const usage: CostArgs["usage"] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--usage") {
      const v = argv[++i] ?? "";
      const m = /^([a-z0-9-]+):([a-z0-9-]+)=([0-9.]+)x([0-9.]+)(?:@([0-9]+))?$/.exec(v);
      if (!m) throw new ArgumentError(`--usage ${JSON.stringify(v)}: expected group:profile=USERSxHOURS[@AT_ONCE], e.g. dandi:base=20x40 or workshop:base=40x6@40`);
      (usage[m[1]] ??= {})[m[2]] = { users: Number(m[3]), hoursPerMonth: Number(m[4]), ...(m[5] ? { concurrent: Number(m[5]) } : {}) };
    } else if (a === "--spot-discount") {
      const v = Number(argv[++i]);
      if (!(v >= 0 && v <= 0.9)) throw new ArgumentError(`--spot-discount ${JSON.stringify(argv[i] ?? "")}: expected a number from 0 to 0.9`);
      spotDiscount = v;
    } else if (a === "--spot-prices") {
      spotPrices = argv[++i];
      if (!spotPrices || spotPrices.startsWith("-")) throw new ArgumentError("--spot-prices needs a file: the output of aws ec2 describe-spot-price-history (help/cost.md)");
    } else if (a === "--svg") {
      svg = argv[++i];
      if (!svg || svg.startsWith("-")) throw new ArgumentError("--svg needs a file to write, e.g. --svg cost.svg");
    } else if (a.startsWith("-")) throw new ArgumentError(`unknown option ${a}`);
    else if (file) throw new ArgumentError(`one deployment file at a time (got ${file} and ${a})`);
    else file = a;
  }
  if (!file) throw new ArgumentError("which deployment file?");
  return { file, json, usage, spotDiscount, spotPrices, svg };
}

/**
 * Usage from the command line replaces the file's cost.usage line by line: the profiles it names,
 * keeping the others of the group, and the file's `concurrent` for a profile unless @AT_ONCE says.
 */
function mergedUsage(config: HubConfig, cli: CostArgs["usage"]): Usage {
  const problems: string[] = [];
  for (const [group, profiles] of Object.entries(cli)) {
    const g = config.groups.find((x) => x.key === group);
    if (!g) problems.push(`--usage: no group ${group}; groups: ${config.groups.map((x) => x.key).join(", ")}`);
    else for (const p of Object.keys(profiles)) if (!g.profiles.includes(p)) problems.push(`--usage: group ${group} has no profile ${p}; it has ${g.profiles.join(", ")}`);
  }
  if (problems.length) throw new ArgumentError(problems.join("\n"));
  const merged: Record<string, Record<string, Usage[string][string]>> = Object.fromEntries(Object.entries(config.cost.usage).map(([g, lines]) => [g, { ...lines }]));
  for (const [group, lines] of Object.entries(cli)) {
    const into = (merged[group] ??= {});
    for (const [profile, line] of Object.entries(lines)) {
      const before = into[profile];
      into[profile] = { ...line, ...(line.concurrent === undefined && before?.concurrent !== undefined ? { concurrent: before.concurrent } : {}) };
    }
  }
  return merged;
}

function readSpotPrices(file: string): SpotPrices {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ArgumentError(`--spot-prices ${file}: ${(e as Error).message}`);
  }
  try {
    // The discount is the estimate's: it prices the types the file does not cover.
    return parseSpotPriceHistory(json, file, 0);
  } catch (e) {
    throw new ArgumentError(`--spot-prices ${(e as Error).message}`);
  }
}

/** Runs the CLI; returns the exit code. */
export function runCost(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    const args = parseCostArgs(argv);
    const config = loadDeployment(args.file);
    const e = estimate(config, { usage: mergedUsage(config, args.usage), spotDiscount: args.spotDiscount, spotPrices: args.spotPrices ? readSpotPrices(args.spotPrices) : undefined });
    out(args.json ? `${JSON.stringify(e, null, 2)}\n` : renderEstimate(e));
    if (args.svg) {
      writeFileSync(args.svg, renderChart(config, e));
      err(`wrote ${args.svg}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ArgumentError) {
      err(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`${e.format()}\n`);
      return 1;
    }
    throw e;
  }
}
