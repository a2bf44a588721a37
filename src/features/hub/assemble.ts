/**
 * The hub's chart values for a deployment: the hub's own part and every feature's contribution,
 * merged (values.ts). What the values refer to that constructs create (buckets, the ECR
 * registry, pull secrets, the Cognito client, the access-log bucket) comes in `ctx`.
 */
import type { HubConfig } from "../../config/resolve";
import { authHubContribution, type CognitoClient } from "../auth/hub";
import { budgetsHubContribution } from "../cost/hub";
import { KUBECOST_URL, PROMETHEUS_URL } from "../monitoring/values";
import { buildGroups, unlistedChoice } from "../images/custom-images";
import { imagesHubContribution } from "../images/hub";
import { monitoringHubContribution } from "../monitoring/hub";
import { servicesHubContribution } from "../services/hub";
import { storageHubContribution } from "../storage/hub";
import { spawnerProfile } from "./settings";
import { buildHubValues } from "./values";

export interface HubContext {
  /** Group bucket names (scratch, home archives), by group. */
  readonly buckets: Readonly<Record<string, string>>;
  /** This deployment's ECR registry host with a trailing slash (built images). */
  readonly ecrRegistry: string;
  /** Secrets (dockerconfigjson) for private registries, by name. */
  readonly imagePullSecrets: readonly string[];
  /** The Cognito app client, with the Cognito login. @default none */
  readonly cognito?: CognitoClient;
  /** Bucket for the load balancer's access logs, when it terminates TLS and monitoring is on. @default none */
  readonly accessLogBucket?: string;
}

export function hubValues(config: HubConfig, ctx: HubContext): Record<string, unknown> {
  const profiles = config.profiles.map((p) =>
    spawnerProfile(p, {
      unlisted: unlistedChoice(config.customImages, config.groups, p, { ecrRegistry: ctx.ecrRegistry }),
      builders: buildGroups(config.customImages, config.groups, p),
    }),
  );
  const audience = { admins: config.auth.admins, groups: config.groups, viewers: config.monitoring.grafanaViewers };
  return buildHubValues(
    { hub: config.hub, tags: config.tags, groups: config.groups, profiles, defaultProfile: config.defaultProfile, accessLogBucket: ctx.accessLogBucket },
    [
      authHubContribution({ auth: config.auth, hubUrl: config.hub.url, groups: config.groups, cognito: ctx.cognito }),
      storageHubContribution({ storage: config.storage, groups: config.groups }),
      imagesHubContribution({ images: config.images, customImages: config.customImages, hubUrl: config.hub.url, pullSecretNames: ctx.imagePullSecrets }),
      ...(config.monitoring.enabled ? [monitoringHubContribution(config.hub.url, audience)] : []),
      servicesHubContribution(config.services),
      ...(config.monitoring.enabled
        ? [budgetsHubContribution({ groups: config.groups, pools: config.pools, spotDiscount: config.cost.spotDiscount, failMode: config.cost.budgetFailMode, prometheusUrl: PROMETHEUS_URL, kubecostUrl: config.cost.kubecost ? KUBECOST_URL : undefined })]
        : []),
    ],
  );
}
