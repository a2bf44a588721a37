/** Cross-field rules of cost: Kubecost needs monitoring; usage names groups and profiles they grant. */
import type { ConfigProblem } from "../../config/errors";
import { noSuchGroup } from "../../config/renames";
import type { Deployment } from "../../config/schema";

export function checkCost(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (d.cost.kubecost && !d.monitoring.enabled) {
    problems.push({ path: ["cost", "kubecost"], message: "Kubecost runs on the cluster's Prometheus: turn monitoring.enabled on, or this off" });
  }
  for (const [key, g] of Object.entries(d.groups)) {
    if (g.quota && !d.monitoring.enabled) {
      problems.push({ path: ["groups", key, "quota"], atKey: true, message: "is checked at spawn from the cluster's Prometheus: turn monitoring.enabled on, or remove it" });
    }
    if (g.budget?.enforce && !d.monitoring.enabled) {
      problems.push({ path: ["groups", key, "budget"], atKey: true, message: "is enforced at spawn (enforce: true, the default) from the cluster's Prometheus: turn monitoring.enabled on, or set enforce: false (AWS Budget e-mails only)" });
    }
  }
  for (const [group, profiles] of Object.entries(d.cost.usage)) {
    const g = d.groups[group];
    if (!g) {
      problems.push({ path: ["cost", "usage", group], message: noSuchGroup(d.groups, group) });
      continue;
    }
    for (const profile of Object.keys(profiles)) {
      if (!g.profiles.includes(profile)) problems.push({ path: ["cost", "usage", group, profile], message: `group ${group} is not granted this profile; it has ${g.profiles.join(", ")}` });
    }
  }
  return problems;
}
