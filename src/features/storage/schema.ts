/** Homes, shared directories, scratch, cleanup, retention and backups; a group's storage and extra mounts. */
import { z } from "zod";
import { awsCronProblem } from "../../core/util/cron";
import { CRON, Duration, Name, NonZeroQuantity, Quantity } from "../../config/scalars";

const Mount = z.strictObject({
  name: Name.describe("Volume name inside the pod."),
  mountPath: z.string().regex(/^\/[A-Za-z0-9._/-]*$/, { message: "an absolute path" }),
  readOnly: z.boolean().default(false),
  nfs: z
    .strictObject({ server: z.string().min(1), path: z.string().regex(/^\//, { message: "an absolute export path" }) })
    .optional()
    .describe("An NFS export (EFS or any NFS server reachable from user nodes)."),
  pvc: z.strictObject({ claimName: z.string().min(1) }).optional().describe("An existing PersistentVolumeClaim in the hub's namespace."),
});

export const Storage = z.strictObject({
  mode: z
    .enum(["home-nfs", "efs"])
    .default("home-nfs")
    .describe(
      "home-nfs: an NFS server per group on its own encrypted gp3 volume, with hard XFS quotas per home and shared dir. " +
        "efs: an EFS file system per group (pay per GB used, no hard quotas).",
    ),
  servers: z
    .enum(["core", "dedicated"])
    .optional()
    .describe(
      "Where the NFS servers run (home-nfs mode). core: on the core node in the volumes' zone, no node of their own (they share it with the hub and controllers: a fault of that node stops both); needs amd64 core nodes (the server images are amd64 only), cluster.coreNodes.desired >= network.azs, and at most 20 volumes. dedicated: on a small on-demand node of their own in that zone. @default core when the core nodes can hold them, else dedicated",
    ),
  common: z
    .strictObject({
      size: Quantity.default("100Gi").describe("The most the hub-wide volume may hold (home-nfs mode); see groups.<name>.storage.volumeSize."),
      initialSize: Quantity.optional().describe("What it starts at when storage.growth is on. @default the smaller of 20Gi and size"),
    })
    .prefault({})
    .describe("The hub-wide shared directory (/shared/hub): read-only for users, writable by hub admins."),
  scratch: z
    .strictObject({
      enabled: z.boolean().default(true),
      expireAfter: Duration.default("30d").describe("S3 deletes scratch objects this long after they were written."),
    })
    .prefault({})
    .describe("Per-group S3 scratch space; each server gets its own prefix as $SCRATCH_BUCKET."),
  accessLogs: z
    .strictObject({
      enabled: z.boolean().default(true),
      keepDays: z.int().min(1).max(3650).default(365).describe("How long the access logs are kept."),
    })
    .prefault({})
    .describe(
      "S3 server access logs of every group bucket (scratch and home archives: user data), into one log bucket of the deployment, a prefix per group (checkov CKV_AWS_18). S3 charges only the log objects' storage ($0.023/GB-month); a busy group writes a few MB a day.",
    ),
  backups: z
    .strictObject({
      keepDays: z.int().min(1).max(3650).default(14).describe("How long daily backups are kept."),
      lock: z
        .boolean()
        .default(false)
        .describe(
          "AWS Backup Vault Lock in governance mode: recovery points cannot be deleted, nor kept shorter than keepDays, except by a principal allowed backup:DeleteBackupVaultLockConfiguration (no extra cost). Off by default: a locked vault outlives a teardown by design.",
        ),
      schedule: z
        .string()
        .regex(/^cron\(.+\)$/, { message: "an AWS cron expression such as cron(0 5 * * ? *)" })
        .superRefine((text, ctx) => {
          const problem = /^cron\(.+\)$/.test(text) ? awsCronProblem(text) : undefined;
          if (problem) ctx.addIssue({ code: "custom", message: `an AWS cron expression such as cron(0 5 * * ? *) (minute hour day-of-month month day-of-week year): ${problem}` });
        })
        .default("cron(0 5 * * ? *)")
        .describe("When the daily backup runs (AWS Backup, UTC)."),
    })
    .prefault({})
    .describe("AWS Backup of every volume and file system that holds user data (homes, shared dirs, the hub database)."),
  retention: z
    .strictObject({
      enabled: z.boolean().default(true),
      warnAfter: Duration.default("30d").describe("Leave a notice in homes of users inactive this long."),
      resetAfter: Duration.default("45d").describe("Archive to S3, then empty, homes of users inactive this long."),
      dryRun: z.boolean().default(true).describe("Only write the report of what would happen (the default)."),
      schedule: CRON.optional().describe("When the inactive-home check and weekly usage audit run (UTC). @default Mondays from 06:00, each group's job at its own minute (from its key), so they do not all start at once"),
    })
    .prefault({})
    .describe("The inactive-home policy: warn, then archive and reset; a usage report every run."),
  cleanup: z
    .array(
      z.strictObject({
        volume: Name.describe("A group name (its shared directory) or `common` (the hub-wide directory)."),
        path: z
          .string()
          .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: "a relative path such as scratch or tmp/old" })
          .describe("Directory under that shared directory whose old files are removed."),
        olderThan: Duration.describe("Files not modified for this long are removed."),
        dryRun: z.boolean().default(true).describe("Only write the report of what would be removed (the default)."),
        schedule: CRON.default("0 4 * * *"),
      }),
    )
    .default([])
    .describe("Scheduled removal of old files from shared directories, each with a report."),
  growth: z
    .strictObject({
      enabled: z.boolean().default(true).describe("Volumes start small and grow as they fill, up to their volumeSize (home-nfs mode)."),
      threshold: z.number().min(0.5).max(0.95).default(0.8).describe("Grow when this share of a volume is used."),
      schedule: CRON.optional().describe("How often each volume is measured (UTC). @default every 15 minutes, each volume at its own offset (from its name)"),
      dryRun: z.boolean().default(false).describe("Only report what would grow."),
    })
    .prefault({})
    .describe(
      "Volumes bought as they fill: a job per volume grows it (EBS allows one change per volume every 6 hours, so each step leaves room for twice the last 6 hours' growth) and the NFS server grows the file system. An alert fires at the cap.",
    ),
  kmsKey: z
    .enum(["customer", "aws-managed"])
    .default("customer")
    .describe(
      "The key user data is encrypted with: customer, one key of this deployment (rotated yearly; $1 a month plus requests; checkov CKV_AWS_189, CKV_AWS_166) for the home and shared volumes, the hub database, EFS and the backup vault; aws-managed, the accounts' aws/ebs and the vault's default key. Choose before the first apply: a volume's key cannot change, so switching later would replace every volume (the destroy guard stops that plan).",
    ),
  allowDestroy: z
    .boolean()
    .default(false)
    .describe("Lift the destroy guard (prevent_destroy) on volumes, file systems and buckets holding user data. Only for a deliberate teardown."),
});

const GroupStorage = z
  .strictObject({
    homeQuota: NonZeroQuantity.default("10Gi").describe("Hard limit of each member's home (home-nfs mode)."),
    sharedQuota: NonZeroQuantity.default("100Gi").describe("Hard limit of the group's shared directory (home-nfs mode)."),
    quotaOverrides: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "a (lowercase) hub username" }), NonZeroQuantity)
      .default({})
      .describe("Home limits for particular users."),
    volumeSize: Quantity.default("500Gi").describe(
      "The most the group's volume (homes and shared directory, home-nfs mode) may hold. With storage.growth on (the default) it starts at initialSize and grows by itself as it fills, up to this; with growth off it is made this size.",
    ),
    initialSize: Quantity.optional().describe("What the volume starts at when storage.growth is on. @default the smaller of 20Gi and volumeSize"),
  })
  .describe("The group's homes and shared directory.");

/** A group's volume, quotas, extra mounts and readable buckets (fields of `groups.<name>`). */
export const groupFields = {
  mounts: z.array(Mount).default([]).describe("Extra volumes mounted into every server of the group's members."),
  storage: GroupStorage.prefault({}),
  readBuckets: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name such as dandiarchive" }))
    .default([])
    .describe("S3 buckets members' servers may list and read with their group's role (e.g. an archive's bucket); nothing else."),
};
