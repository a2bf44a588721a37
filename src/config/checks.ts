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
import type { ConfigProblem } from "./errors";
import type { Deployment } from "./schema";

export { SUPPORTED_KUBERNETES } from "../features/platform/checks";

export function checkDeployment(d: Deployment): ConfigProblem[] {
  return [...checkPlatform(d), ...checkAuth(d), ...checkHub(d), ...checkCapacity(d), ...checkImages(d), ...checkStorage(d), ...checkCost(d), ...checkServices(d)];
}
