/**
 * The deployment file's schema, assembled from the section each feature owns
 * (src/features/<feature>/schema.ts): the single source of truth for what `config/<name>.yaml`
 * may say, its defaults, and the JSON Schema editors use (`npm run schema`). A group and a
 * profile are composed from every feature's fields, in the order the reference shows them.
 * Cross-field rules live in each feature's checks; derived values in its resolution.
 */
import { z } from "zod";
import * as auth from "../features/auth/schema";
import * as capacity from "../features/capacity/schema";
import * as cost from "../features/cost/schema";
import * as hub from "../features/hub/schema";
import * as images from "../features/images/schema";
import { Monitoring } from "../features/monitoring/schema";
import { Aws, Backend, Cluster, Network } from "../features/platform/schema";
import { Policy } from "../features/policy/schema";
import { Services } from "../features/services/schema";
import * as storage from "../features/storage/schema";
import { Name } from "./scalars";

const Group = z.strictObject({
  displayName: hub.groupFields.displayName,
  description: hub.groupFields.description,
  members: auth.groupFields.members,
  admins: hub.groupFields.admins,
  profiles: hub.groupFields.profiles,
  capacity: capacity.groupFields.capacity,
  limits: capacity.groupFields.limits,
  warm: capacity.groupFields.warm,
  env: hub.groupFields.env,
  labels: hub.groupFields.labels,
  mounts: storage.groupFields.mounts,
  storage: storage.groupFields.storage,
  budget: cost.groupFields.budget,
  quota: cost.groupFields.quota,
  readBuckets: storage.groupFields.readBuckets,
  customImages: images.groupFields.customImages,
  renamedFrom: z
    .union([Name, z.array(Name).min(1)])
    .optional()
    .describe(
      "The key (or keys, oldest first) this group had before. Its resources move to the new key with `moved` blocks instead of being replaced; its volume, bucket and their namespace, claim and volume names keep the key they were made under. Keep this for as long as the deployment lives (help/groups.md).",
    ),
});

const Profile = z.strictObject({
  displayName: hub.profileFields.displayName,
  description: hub.profileFields.description,
  default: hub.profileFields.default,
  cpu: capacity.profileFields.cpu,
  memory: capacity.profileFields.memory,
  gpu: capacity.profileFields.gpu,
  images: images.profileFields.images,
  capacity: capacity.profileFields.capacity,
  instanceTypes: capacity.profileFields.instanceTypes,
  customImages: images.profileFields.customImages,
});

export const DeploymentSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of this JSON Schema, for editors."),
    name: Name.describe("Stack name and prefix of every resource name (the EKS cluster is called this)."),
    environment: z
      .enum(["production", "development"])
      .default("production")
      .describe("development unlocks the dummy authenticator and plain HTTP."),
    aws: Aws,
    backend: Backend.optional().describe("Terraform state; a local file when omitted."),
    network: Network.prefault({}),
    cluster: Cluster.prefault({}),
    userNodes: capacity.UserNodes.prefault({}),
    hub: hub.Hub,
    auth: auth.Auth,
    images: z.record(Name, images.Image).describe("Container images users can start, by name."),
    profiles: z
      .record(Name, Profile)
      .describe("Server sizes users choose from, by name (the order here is the menu order); groups grant them."),
    customImages: images.CustomImages.prefault({}).describe("Users' own and built images."),
    imageCache: images.ImageCache.prefault({}).describe("ECR pull-through cache of the menu's images (quay.io, registry.k8s.io and public.ecr.aws; Docker Hub and ghcr.io with credentials)."),
    groups: z
      .record(Name, Group)
      .describe("Communities sharing the hub: who belongs, what they may start, on which nodes, within which limits."),
    storage: storage.Storage.prefault({}),
    cost: cost.Cost.prefault({}).describe("Billing tags, Kubecost, and inputs of the offline estimate."),
    monitoring: Monitoring.prefault({}).describe("Metrics, dashboards, alerts and logs for admins."),
    services: Services.prefault({}).describe("Services on the cluster for hub users."),
    policy: Policy,
  })
  .describe("A dandihub deployment: one JupyterHub on one EKS cluster.");

/** The deployment file as written (defaults not yet applied). */
export type DeploymentInput = z.input<typeof DeploymentSchema>;
/** The deployment file with schema defaults applied. */
export type Deployment = z.output<typeof DeploymentSchema>;
export type ProfileConfig = Deployment["profiles"][string];
export type ImageConfig = Deployment["images"][string];
export type GroupConfig = Deployment["groups"][string];
export type { SecretRefConfig } from "./scalars";

/** JSON Schema (draft-07) of the deployment file, for editor completion and checking. */
export function deploymentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DeploymentSchema, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  return { ...schema, $id: "https://github.com/dandi/dandihub/schema/deployment.schema.json", title: "dandihub deployment" };
}
