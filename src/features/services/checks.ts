/** Cross-field rules of services: granted groups exist and have CPU nodes, chart services name real groups. */
import { HUB_SERVICES } from "../../core/names";
import type { ConfigProblem } from "../../config/errors";
import { noSuchGroup } from "../../config/renames";
import type { Deployment } from "../../config/schema";

/** Hub service names dandihub uses itself. */
export const RESERVED_SERVICES: readonly string[] = Object.values(HUB_SERVICES);

export function checkServices(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const dask = d.services.daskGateway;
  if (dask) {
    for (const g of Object.keys(dask.groups)) {
      const path = ["services", "daskGateway", "groups", g];
      if (!d.groups[g]) problems.push({ path, atKey: true, message: noSuchGroup(d.groups, g) });
      else if (!d.groups[g].profiles.some((p) => d.profiles[p] && !d.profiles[p].gpu)) problems.push({ path, atKey: true, message: "the group has no CPU profile, so no CPU nodes for Dask workers" });
    }
  }
  for (const [name, svc] of Object.entries(d.services.charts)) {
    const path = ["services", "charts", name];
    if (RESERVED_SERVICES.includes(name)) problems.push({ path, atKey: true, message: `dandihub uses this service name itself; reserved: ${RESERVED_SERVICES.join(", ")}` });
    (svc.hub?.groups ?? []).forEach((g, i) => {
      if (!d.groups[g]) problems.push({ path: [...path, "hub", "groups", i], message: noSuchGroup(d.groups, g) });
    });
    if (svc.iam.length && !svc.serviceAccount) problems.push({ path: [...path, "iam"], message: "name the serviceAccount the role is for" });
    svc.iam.forEach((s, i) => {
      if (s.resources.includes("*")) problems.push({ path: [...path, "iam", i, "resources"], message: "name the resources (ARNs); '*' is refused (policy DH008)" });
    });
  }
  return problems;
}
