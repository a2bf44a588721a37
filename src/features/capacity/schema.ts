/**
 * User capacity: the families Karpenter may launch, each profile's size and GPU, and each group's
 * capacity type and hard limits.
 */
import { z } from "zod";
import { NODE_AMI_ALIAS } from "../../../modules/versions";
import { Duration, NonZeroQuantity, Quantity, quantityBetween } from "../../config/scalars";

export const UserNodes = z.strictObject({
  instanceFamilies: z
    .array(z.string())
    .min(1)
    .default(["m6i", "m7i", "c6i", "c7i", "r6i", "r7i"])
    .describe("EC2 families Karpenter may launch for CPU profiles; more families mean deeper spot pools."),
  gpuFamilies: z
    .array(z.string())
    .optional()
    .describe("EC2 families for GPU profiles; derived from each profile's gpu.type when omitted."),
  diskSize: Quantity.optional().describe(
    "Root volume of every user node. @default per pool, from the images that land there: the sum of their images.<name>.nodeDisk and 20Gi for logs and writable layers, rounded up to 10Gi, when every one of them says its nodeDisk and the pool offers no own images; else 100Gi",
  ),
  ami: z
    .string()
    .regex(/^al2023@(latest|v[0-9]{8})$/, { message: "an AL2023 alias such as al2023@v20260903 (a dated release), or al2023@latest (development only)" })
    .default(NODE_AMI_ALIAS)
    .describe("Karpenter AMI alias: a dated AL2023 release (the default is dandihub's pin, help/versions.md). A new one rolls through user nodes as Karpenter replaces drifted nodes; storage nodes move only by the maintenance runbook. al2023@latest only in development."),
  expireAfter: Duration.default("30d").describe("Replace user nodes after this age (security patches)."),
  terminationGracePeriod: Duration.default("24h").describe(
    "How long an expiring node waits for running notebooks before it is forcibly drained.",
  ),
  consolidateAfter: Duration.default("5m").describe("How long an empty user node lives before it is removed."),
});

/** A user server's memory: at least what a Jupyter server needs to start, at most any instance's. */
const ServerMemory = quantityBetween(128 * 2 ** 20, 24 * 2 ** 40, "from 128Mi (a Jupyter server needs that to start) to 24Ti");

/** A profile's size, GPU, capacity type and instance pins (fields of `profiles.<name>`). */
export const profileFields = {
  cpu: z
    .strictObject({
      // Too large is caught with the instances that would have to hold it (profile fits no instance).
      guarantee: z.number().positive().describe("vCPUs reserved for the server."),
      limit: z.number().positive().describe("vCPUs the server may burst to."),
    })
    .describe("CPU in vCPUs (0.25 = a quarter core)."),
  memory: z.strictObject({
    guarantee: ServerMemory.describe("Memory reserved for the server."),
    limit: ServerMemory.describe("Memory at which the server is killed."),
  }),
  gpu: z
    .strictObject({
      count: z.int().min(1).max(8).default(1),
      type: z.enum(["t4", "a10g", "l4", "l40s", "t4g"]).describe("GPU model; selects the instance families."),
    })
    .optional(),
  capacity: z
    .enum(["spot", "on-demand"])
    .default("spot")
    .describe("Used by groups with capacity per-profile: spot is cheapest but may be interrupted with 2 minutes notice; on-demand for workshops and long runs."),
  instanceTypes: z
    .array(z.string())
    .optional()
    .describe("Pin the profile to these instance types (e.g. [g4dn.2xlarge]); any that fit otherwise."),
};

/** A group's capacity type and hard limits (fields of `groups.<name>`). */
export const groupFields = {
  capacity: z
    .enum(["spot", "on-demand", "per-profile"])
    .default("spot")
    .describe("Capacity type of the group's nodes; per-profile takes each profile's `capacity` (spot with on-demand workshop profiles)."),
  limits: z
    .strictObject({
      cpu: z.number().positive().max(1_000_000).describe("Most vCPUs the group's CPU nodes may have together (at most 1000000)."),
      memory: NonZeroQuantity.describe("Most memory the group's CPU nodes may have together."),
      gpus: z.int().min(0).default(0).describe("Most GPUs the group's GPU nodes may have together."),
      onDemandShare: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe("With capacity per-profile: the part of cpu/memory/gpus given to the on-demand pools (the rest to spot)."),
    })
    .describe("Hard caps, enforced as Karpenter NodePool limits on the group's pools."),
  warm: z
    .strictObject({
      servers: z.int().min(1).max(100).describe("Placeholders kept, each the size of one server of the profile."),
      profile: z.string().optional().describe("Whose size and pool the placeholders take. @default the group's first profile"),
      when: z
        .string()
        .regex(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))? ([01][0-9]|2[0-3]):00-([01][0-9]|2[0-4]):00 [A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, {
          message: 'days, whole hours and an IANA time zone, such as "Mon-Fri 08:00-18:00 America/New_York"',
        })
        .describe('When: days (one, or a range such as Mon-Fri), whole hours, and an IANA time zone, e.g. "Mon-Fri 08:00-18:00 America/New_York".'),
    })
    .optional()
    .describe(
      "Warm capacity: placeholder pods on the group's pool during working hours, so the first servers of the day start on a node that is already up. They yield to any user server (a lower priority), and cost what that many servers would (npm run cost shows it).",
    ),
};
