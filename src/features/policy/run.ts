/** Runs the policy rules over a synthesized stack and applies the deployment file's waivers. */
import { formatPath } from "../../config/errors";
import { fieldLocator } from "../../config/load";
import type { HubConfig } from "../../config/resolve";
import { RULES, type Finding, type Rule } from "./rules";
import { policyView } from "./view";

export interface RuleFinding extends Finding {
  readonly rule: Rule;
}

export interface PolicyResult {
  readonly violations: readonly RuleFinding[];
  readonly waived: readonly (RuleFinding & { readonly reason: string; readonly waiver: number })[];
  /** Waivers that matched no finding (stale: remove them). */
  readonly unusedWaivers: readonly { readonly index: number; readonly rule: string; readonly address?: string }[];
}

function matches(pattern: string | undefined, address: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith("*") ? address.startsWith(pattern.slice(0, -1)) : address === pattern;
}

export function checkPolicy(config: HubConfig, stackJsonText: string, rules: readonly Rule[] = RULES): PolicyResult {
  const view = policyView(config, stackJsonText);
  const findings: RuleFinding[] = rules.flatMap((rule) => rule.check(view).map((f) => ({ ...f, rule })));
  const waivers = config.policy.waivers;
  const used = new Set<number>();
  const violations: RuleFinding[] = [];
  const waived: (RuleFinding & { reason: string; waiver: number })[] = [];
  for (const f of findings) {
    const i = waivers.findIndex((w) => w.rule === f.rule.id && matches(w.address, f.address));
    if (i < 0) violations.push(f);
    else {
      used.add(i);
      waived.push({ ...f, reason: waivers[i].reason, waiver: i });
    }
  }
  const unusedWaivers = waivers.map((w, index) => ({ index, rule: w.rule, address: w.address })).filter((w) => !used.has(w.index));
  return { violations, waived, unusedWaivers };
}

/**
 * What synth prints: violations (with fix) and stale waivers as errors, waived findings as notes.
 * With the file's text, each finding a field caused starts with that field's line and column.
 */
export function formatPolicy(config: HubConfig, result: PolicyResult, source?: string): { errors: string; notes: string } {
  const file = config.file ?? `${config.name}.yaml`;
  // Parsed only when some finding names a field, and then once.
  let locate: ReturnType<typeof fieldLocator> | undefined;
  const at = (field: readonly (string | number)[]) => {
    if (source === undefined) return `${file}: ${formatPath(field)}:`;
    locate ??= fieldLocator(source);
    const { line, column } = locate(field);
    return `${file}:${line}:${column}  ${formatPath(field)}:`;
  };
  const errors = [
    ...result.violations.map((v) =>
      v.field
        ? `${at(v.field)} policy ${v.rule.id} (${v.rule.title}) at ${v.address}: ${v.detail}\n    fix: ${v.rule.fix}`
        : `${file}: policy ${v.rule.id} (${v.rule.title}) at ${v.address}: ${v.detail} (no field of the file sets this: dandihub's constructs made it so)\n    fix: ${v.rule.fix}`,
    ),
    ...result.unusedWaivers.map((w) => `${at(["policy", "waivers", w.index])} waiver of ${w.rule}${w.address ? ` at ${w.address}` : ""} matches nothing; remove it`),
  ];
  // One line per waiver: a waiver over a pattern can match dozens of places with a few causes.
  const byWaiver = new Map<number, (typeof result.waived)[number][]>();
  for (const w of result.waived) byWaiver.set(w.waiver, [...(byWaiver.get(w.waiver) ?? []), w]);
  const notes = [...byWaiver.values()].map((ws) => {
    const [w] = ws;
    if (ws.length === 1) return `${file}: policy ${w.rule.id} waived at ${w.address}: ${w.detail} (reason: ${w.reason})`;
    const details = [...new Set(ws.map((x) => x.detail))];
    return `${file}: policy ${w.rule.id} waived at ${ws.length} places: ${details.join("; ")} (reason: ${w.reason})`;
  });
  return {
    errors: errors.length ? `${file}: ${errors.length} policy problem(s); nothing was synthesized.\n${errors.join("\n")}` : "",
    notes: notes.join("\n"),
  };
}
