/**
 * Cross-field rules of the deployment file that a schema cannot say, each feature's in its own
 * folder (src/features/<feature>/checks.ts): one-of choices, names that refer to other sections,
 * sizes that must fit a node. All of them run on every file, so every independent problem is
 * reported in one run.
 */
import { checkAuth } from "../features/auth/checks";
import { checkCapacity } from "../features/capacity/checks";
import { checkCost } from "../features/cost/checks";
import { checkHub } from "../features/hub/checks";
import { checkImages } from "../features/images/checks";
import { checkPlatform } from "../features/platform/checks";
import { checkServices } from "../features/services/checks";
import { checkStorage } from "../features/storage/checks";
import { COMMON_VOLUME } from "../features/storage/layout";
import type { ConfigProblem } from "./errors";
import { formerKeysOf } from "./renames";
import type { Deployment } from "./schema";

export { SUPPORTED_KUBERNETES } from "../features/platform/checks";

export function checkDeployment(d: Deployment): ConfigProblem[] {
  return [...checkRenames(d), ...checkPlatform(d), ...checkAuth(d), ...checkHub(d), ...checkCapacity(d), ...checkImages(d), ...checkStorage(d), ...checkCost(d), ...checkServices(d)];
}

/** A former key names one past group: not a current one, not another group's past, not `common`. */
function checkRenames(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const claimedBy = new Map<string, string>();
  for (const [key, g] of Object.entries(d.groups)) {
    const former = formerKeysOf(g.renamedFrom);
    const at = (i: number) => (typeof g.renamedFrom === "string" ? ["groups", key, "renamedFrom"] : ["groups", key, "renamedFrom", i]);
    former.forEach((old, i) => {
      if (old === key) problems.push({ path: at(i), message: `is this group's own key; renamedFrom lists the keys it had before` });
      else if (old === COMMON_VOLUME) problems.push({ path: at(i), message: `"${COMMON_VOLUME}" is the hub-wide volume, never a group` });
      else if (old in d.groups) problems.push({ path: at(i), message: `${old} is a current group: two groups cannot share the resources made under one key` });
      else if (former.indexOf(old) !== i) problems.push({ path: at(i), message: `${old} is listed twice` });
      else if (claimedBy.has(old)) problems.push({ path: at(i), message: `groups.${claimedBy.get(old)} was also renamed from ${old}: the resources made under one key belong to one group` });
      else claimedBy.set(old, key);
    });
  }
  return problems;
}
