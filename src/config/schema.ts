/**
 * The deployment file's schema: the single source of truth for what `config/<name>.yaml` may
 * say, its defaults, and the JSON Schema editors use (`npm run schema`). Cross-field rules that
 * a schema cannot express live in `checks.ts`; derived values in `resolve.ts`.
 */
import { z } from "zod";
import { DURATION_HELP, DURATION_PATTERN, QUANTITY_HELP, QUANTITY_PATTERN } from "./units";

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

const NAME_PATTERN = "^[a-z][a-z0-9-]{0,30}[a-z0-9]$";
/** Names that become Kubernetes labels, Terraform addresses and AWS resource names. */
export const Name = z
  .string()
  .regex(new RegExp(NAME_PATTERN), { message: "lowercase letters, digits and '-', 2-32 characters, starting with a letter" });

export const Quantity = z.string().regex(new RegExp(QUANTITY_PATTERN), { message: QUANTITY_HELP });
export const Duration = z.string().regex(new RegExp(DURATION_PATTERN), { message: DURATION_HELP });

const CIDR_PATTERN = "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$";
export const Cidr = z.string().regex(new RegExp(CIDR_PATTERN), { message: "an IPv4 CIDR block such as 10.1.0.0/16" });

const DOMAIN_PATTERN = "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$";
const Domain = z.string().regex(new RegExp(DOMAIN_PATTERN), { message: "a lowercase DNS name such as hub.example.org" });

const GITHUB_LOGIN = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, { message: "a GitHub login (letters, digits, single '-')" });

const EMAIL = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "an e-mail address" });

/**
 * A secret never appears in the deployment file. It arrives at apply time either as a
 * sensitive Terraform variable (TF_VAR_<name>, a Terraform Cloud workspace variable) or from
 * AWS Secrets Manager.
 */
export const SecretRef = z
  .strictObject({
    variable: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, { message: "a Terraform variable name (lowercase letters, digits, '_')" })
      .optional()
      .describe("Name of a sensitive Terraform variable that holds the secret (set TF_VAR_<name> at apply time)."),
    secretsManager: z
      .strictObject({
        secretId: z
          .string()
          .min(1)
          .describe("Name or ARN of the AWS Secrets Manager secret."),
        key: z
          .string()
          .optional()
          .describe("JSON key inside the secret string; the whole string when omitted."),
      })
      .optional()
      .describe("Read the secret from AWS Secrets Manager at apply time."),
  })
  .describe("Where a secret comes from: exactly one of `variable` or `secretsManager`.");

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

const Aws = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { message: "an AWS region such as us-east-2" })
    .describe("AWS region of the whole deployment."),
  accountId: z
    .string()
    .regex(/^[0-9]{12}$/, { message: "a 12-digit AWS account id" })
    .optional()
    .describe("When set, Terraform refuses to run against any other account (provider allowed_account_ids)."),
  tags: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.:/=+@ -]{1,127}$/, { message: "an AWS tag key" }),
      z.string().max(255),
    )
    .default({})
    .describe("Tags on every AWS resource, merged over dandihub's own (dandihub:deployment, managed-by)."),
});

const Backend = z
  .strictObject({
    local: z
      .strictObject({
        path: z
          .string()
          .min(1)
          .describe("State file path relative to the project directory (kept outside cdktf.out, which synth rewrites)."),
      })
      .optional()
      .describe("State in a local file (the default: terraform.<name>.tfstate)."),
    s3: z
      .strictObject({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name" }),
        key: z.string().min(1).describe("Object key of the state file."),
        region: z.string().optional().describe("Bucket region; the deployment's region when omitted."),
        kmsKeyId: z.string().optional().describe("KMS key for server-side encryption of the state."),
      })
      .optional()
      .describe("State in S3, encrypted, locked with an S3 lockfile (no DynamoDB table)."),
    cloud: z
      .strictObject({
        organization: z.string().min(1),
        workspace: z.string().min(1).describe("Name of the Terraform Cloud workspace."),
        hostname: z.string().optional().describe("Terraform Enterprise host; app.terraform.io when omitted."),
        executionMode: z
          .enum(["local", "agent"])
          .optional()
          .describe(
            "Where Terraform runs; set the workspace to the same mode. `local`: on the operator's machine, state in Terraform Cloud. " +
              "`agent`: on an HCP Terraform agent whose image has the AWS CLI, in a network that can reach the cluster's API. " +
              "Required: Terraform Cloud's own (remote) runners come from unpublished addresses and have no AWS CLI, so they cannot talk to the cluster.",
          ),
        agentCidrs: z
          .array(Cidr)
          .default([])
          .describe("executionMode agent: private networks of the agent (this VPC's or a peered one) allowed to reach the cluster's private API endpoint on 443."),
      })
      .optional()
      .describe("Terraform Cloud / Enterprise, one named workspace per deployment."),
  })
  .describe("Where Terraform keeps state: exactly one of local, s3 or cloud.");

const Network = z.strictObject({
  cidr: Cidr.default("10.1.0.0/16").describe("VPC CIDR, /16 to /20. Node subnets are carved from it."),
  azs: z
    .int()
    .min(2)
    .max(4)
    .default(2)
    .describe("Number of availability zones (2-4). Nodes, NAT and load balancer span them."),
  singleNatGateway: z
    .boolean()
    .default(true)
    .describe("One NAT gateway for all zones (cheaper, one zone is a single point of egress) instead of one per zone."),
});

const CoreNodes = z.strictObject({
  instanceTypes: z
    .array(z.string())
    .min(1)
    .default(["t4g.large"])
    .describe("Instance types of the on-demand core node group (hub, proxy, controllers); one architecture. Graviton (arm64) by default: cheaper, and every default component has arm64 images."),
  min: z.int().min(1).default(1),
  desired: z.int().min(1).default(2),
  max: z.int().min(1).default(3),
  diskSize: Quantity.default("50Gi").describe("Root volume of each core node."),
});

const Cluster = z.strictObject({
  kubernetesVersion: z
    .string()
    .regex(/^1\.[0-9]{2}$/, { message: "a Kubernetes minor version such as \"1.34\" (quoted)" })
    .default("1.34")
    .describe("EKS Kubernetes version. Upgrade one minor version at a time."),
  endpointPublicAccessCidrs: z
    .array(Cidr)
    .default(["0.0.0.0/0"])
    .describe("CIDRs allowed to reach the public EKS API endpoint. Empty list: private endpoint only."),
  admins: z
    .array(
      z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)\/[A-Za-z0-9+=,.@_/-]+$/, {
        message: "an IAM role or user ARN",
      }),
    )
    .default([])
    .describe("IAM principals given cluster-admin through EKS access entries (the deployer is always admin)."),
  coreNodes: CoreNodes.default(CoreNodes.parse({})),
});

const UserNodes = z.strictObject({
  instanceFamilies: z
    .array(z.string())
    .min(1)
    .default(["m6i", "m7i", "c6i", "c7i", "r6i", "r7i"])
    .describe("EC2 families Karpenter may launch for CPU profiles; more families mean deeper spot pools."),
  gpuFamilies: z
    .array(z.string())
    .optional()
    .describe("EC2 families for GPU profiles; derived from each profile's gpu.type when omitted."),
  diskSize: Quantity.default("100Gi").describe("Root volume of each user node (images are large)."),
  ami: z
    .string()
    .regex(/^al2023@(latest|v[0-9]{8})$/, { message: "an AL2023 alias such as al2023@latest or al2023@v20251104" })
    .default("al2023@latest")
    .describe("Karpenter AMI alias; pin a dated version in production to control node OS updates."),
  expireAfter: Duration.default("30d").describe("Replace user nodes after this age (security patches)."),
  terminationGracePeriod: Duration.default("24h").describe(
    "How long an expiring node waits for running notebooks before it is forcibly drained.",
  ),
  consolidateAfter: Duration.default("5m").describe("How long an empty user node lives before it is removed."),
});

const Tls = z
  .strictObject({
    acmCertificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[0-9a-f-]+$/, { message: "an ACM certificate ARN" })
      .optional()
      .describe("TLS terminated at the NLB with this ACM certificate (recommended)."),
    letsEncrypt: z
      .strictObject({ email: EMAIL.describe("Contact address for Let's Encrypt expiry notices.") })
      .optional()
      .describe("TLS from Let's Encrypt inside the hub's proxy (the NLB passes TCP through)."),
    none: z
      .literal(true)
      .optional()
      .describe("Plain HTTP. Refused unless environment is development."),
  })
  .describe("How the hub serves TLS: exactly one of acmCertificateArn, letsEncrypt or none.");

const Cull = z.strictObject({
  enabled: z.boolean().default(true),
  idleTimeout: Duration.default("1h").describe("Stop a server after this long without activity."),
  maxAge: Duration.optional().describe("Stop any server older than this, active or not. No limit when omitted."),
  every: Duration.default("10m").describe("How often the culler checks."),
});

const Hub = z.strictObject({
  domain: Domain.describe("Public host name of the hub; point a DNS CNAME at the load balancer."),
  tls: Tls,
  cull: Cull.default(Cull.parse({})),
  startTimeout: Duration.default("20m").describe("How long a server may take to start (node launch plus image pull)."),
  defaultUrl: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default("/lab").describe("Where a started server opens."),
  db: z
    .strictObject({ size: Quantity.default("10Gi").describe("Hub database volume (sqlite on encrypted gp3, retained).") })
    .default({ size: "10Gi" }),
  loadBalancerSourceRanges: z
    .array(Cidr)
    .default(["0.0.0.0/0"])
    .describe("CIDRs allowed to reach the hub's load balancer."),
  contact: z
    .string()
    .min(1)
    .default("the hub's administrators")
    .describe("Where users ask for help (an e-mail address or URL); shown when the hub refuses a login or a server."),
});

const GITHUB_ORG = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "a GitHub organization login" });
const GITHUB_MEMBERSHIP = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(:[A-Za-z0-9_.-]+)?$/, { message: "`org` or `org:team-slug`" });

const GitHubAuth = z.strictObject({
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{8,64}$/, { message: "a GitHub OAuth app client id" })
    .describe("Client id of the GitHub OAuth app (not secret)."),
  clientSecret: SecretRef.describe("Client secret of the GitHub OAuth app."),
  organizations: z
    .array(GITHUB_ORG)
    .default([])
    .describe(
      "GitHub organizations whose membership the hub reads (each must grant the OAuth app access). " +
        "Every `org` or `org:team` in groups.*.members.github must be under one of them.",
    ),
  adminTeams: z
    .array(GITHUB_MEMBERSHIP)
    .default([])
    .describe("Members of these `org:team`s (or orgs) are hub admins."),
});

const Archive = z.strictObject({
  name: Name.describe("Name groups use in members.archives."),
  displayName: z.string().min(1).describe("Shown to users, e.g. on the not-approved page."),
  api: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+(:[0-9]+)?$/, { message: "an https:// origin with no path, e.g. https://api.dandiarchive.org" })
    .describe("Origin of the archive's DANDI-style REST API."),
  web: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+(\/.*)?$/, { message: "an https:// URL" })
    .describe("Where users register; shown to users who are not (yet) approved."),
  token: SecretRef.describe("API token of a service account of the archive (approved user, or archive admin for `list`)."),
  check: z
    .enum(["search", "list"])
    .default("search")
    .describe(
      "`search`: exact match among /api/users/search/ results (approved token; a login with 10+ longer matches cannot be confirmed). " +
        "`list`: the full approved list from /api/users/?approved_only=true (archive-admin token), cached briefly.",
    ),
  timeout: Duration.default("5s").describe("How long one archive request may take before it counts as an outage."),
});

const DandiOAuth = z.strictObject({
  archive: Name.describe("The archive (in auth.archives) that is the OAuth provider; approved users join groups listing it."),
  clientId: z.string().min(1).describe("Client id the archive's admins registered for this hub."),
  clientSecret: SecretRef.optional().describe("Client secret, for a confidential client; omit for a public PKCE client."),
});

const Cognito = z
  .strictObject({
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: "a Cognito domain prefix (lowercase letters, digits, '-')" })
      .optional()
      .describe("Prefix of the hosted login page <prefix>.auth.<region>.amazoncognito.com; unique per region. Default: <name>-dandihub."),
  })
  .describe("An Amazon Cognito user pool this stack creates, with a hosted login page (development only).");

const Auth = z
  .strictObject({
    admins: z.array(GITHUB_LOGIN).default([]).describe("Hub admin users (explicit list)."),
    github: GitHubAuth.optional().describe("Log in with GitHub (the default for production hubs)."),
    archives: z
      .array(Archive)
      .default([])
      .describe("DANDI-style archives whose approved users may log in (with GitHub or dandiOAuth) and join the groups that list them."),
    dandiOAuth: DandiOAuth.optional().describe("Log in through a DANDI-style archive as OAuth2 provider (PKCE); only APPROVED users."),
    cognito: Cognito.optional().describe("Log in through a Cognito user pool created here. Development only."),
    dummy: z
      .strictObject({})
      .optional()
      .describe("Any user name logs in without a password (testing only). Refused unless environment is development."),
  })
  .describe("How users log in: exactly one of github, dandiOAuth, cognito, dummy; membership comes from groups.");

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "an environment variable name" });
const LABEL_KEY = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, { message: "a Kubernetes label key" });
const LABEL_VALUE = z
  .string()
  .regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/, { message: "a Kubernetes label value (63 characters, alphanumeric ends)" });

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

const CRON = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, { message: "a five-field cron schedule such as \"0 4 * * *\" (UTC)" });

const Storage = z.strictObject({
  mode: z
    .enum(["home-nfs", "efs"])
    .default("home-nfs")
    .describe(
      "home-nfs: an NFS server per group on its own encrypted gp3 volume, with hard XFS quotas per home and shared dir. " +
        "efs: an EFS file system per group (pay per GB used, no hard quotas).",
    ),
  common: z
    .strictObject({ size: Quantity.default("100Gi").describe("Volume size (home-nfs mode).") })
    .default({ size: "100Gi" })
    .describe("The hub-wide shared directory (/shared/hub): read-only for users, writable by hub admins."),
  scratch: z
    .strictObject({
      enabled: z.boolean().default(true),
      expireAfter: Duration.default("30d").describe("S3 deletes scratch objects this long after they were written."),
    })
    .default({ enabled: true, expireAfter: "30d" })
    .describe("Per-group S3 scratch space; each server gets its own prefix as $SCRATCH_BUCKET."),
  backups: z
    .strictObject({
      keepDays: z.int().min(1).max(3650).default(14).describe("How long daily backups are kept."),
      schedule: z
        .string()
        .regex(/^cron\(.+\)$/, { message: "an AWS cron expression such as cron(0 5 * * ? *)" })
        .default("cron(0 5 * * ? *)")
        .describe("When the daily backup runs (AWS Backup, UTC)."),
    })
    .default({ keepDays: 14, schedule: "cron(0 5 * * ? *)" })
    .describe("AWS Backup of every volume and file system that holds user data (homes, shared dirs, the hub database)."),
  retention: z
    .strictObject({
      enabled: z.boolean().default(true),
      warnAfter: Duration.default("30d").describe("Leave a notice in homes of users inactive this long."),
      resetAfter: Duration.default("45d").describe("Archive to S3, then empty, homes of users inactive this long."),
      dryRun: z.boolean().default(true).describe("Only write the report of what would happen (the default)."),
      schedule: CRON.default("0 6 * * 1").describe("When the inactive-home check and weekly usage audit run (UTC)."),
    })
    .default({ enabled: true, warnAfter: "30d", resetAfter: "45d", dryRun: true, schedule: "0 6 * * 1" })
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
  allowDestroy: z
    .boolean()
    .default(false)
    .describe("Lift the destroy guard (prevent_destroy) on volumes, file systems and buckets holding user data. Only for a deliberate teardown."),
});

const GroupStorage = z
  .strictObject({
    homeQuota: Quantity.default("10Gi").describe("Hard limit of each member's home (home-nfs mode)."),
    sharedQuota: Quantity.default("100Gi").describe("Hard limit of the group's shared directory (home-nfs mode)."),
    quotaOverrides: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "a (lowercase) hub username" }), Quantity)
      .default({})
      .describe("Home limits for particular users."),
    volumeSize: Quantity.default("500Gi").describe("Size of the group's volume holding homes and the shared directory (home-nfs mode); it can grow later."),
  })
  .describe("The group's homes and shared directory.");

const Budget = z
  .strictObject({
    monthlyUsd: z.number().positive().describe("Monthly limit in USD of everything tagged with the group (nodes, volumes, buckets)."),
    alertEmails: z.array(EMAIL).min(1).describe("Who is told when spending crosses a threshold."),
    actualPercent: z
      .array(z.number().positive().max(1000))
      .min(1)
      .default([80, 100])
      .describe("Alert when actual spending this month passes these percentages of the limit."),
    forecastPercent: z
      .array(z.number().positive().max(1000))
      .default([100])
      .describe("Alert when AWS forecasts the month to end above these percentages of the limit."),
  })
  .describe("An AWS Budget over the group's tag. Alerts only: the hard cap is the group's NodePool limits.");

const Group = z.strictObject({
  displayName: z.string().min(1),
  description: z.string().default(""),
  members: z
    .strictObject({
      github: z.array(GITHUB_MEMBERSHIP).default([]).describe("GitHub `org` or `org:team-slug` whose members belong."),
      archives: z.array(Name).default([]).describe("Archives (auth.archives) whose approved users belong."),
      users: z.array(GITHUB_LOGIN).default([]).describe("Explicit usernames."),
    })
    .describe("Who belongs: the union of the sources given."),
  admins: z
    .array(GITHUB_LOGIN)
    .default([])
    .describe("Users who may see, start and stop this group's servers (a JupyterHub role scoped to the group)."),
  profiles: z.array(Name).min(1).describe("Profiles (by name) members may start; a user in several groups sees the union."),
  capacity: z
    .enum(["spot", "on-demand", "per-profile"])
    .default("spot")
    .describe("Capacity type of the group's nodes; per-profile takes each profile's `capacity` (spot with on-demand workshop profiles)."),
  limits: z
    .strictObject({
      cpu: z.number().positive().describe("Most vCPUs the group's CPU nodes may have together."),
      memory: Quantity.describe("Most memory the group's CPU nodes may have together."),
      gpus: z.int().min(0).default(0).describe("Most GPUs the group's GPU nodes may have together."),
      onDemandShare: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe("With capacity per-profile: the part of cpu/memory/gpus given to the on-demand pools (the rest to spot)."),
    })
    .describe("Hard caps, enforced as Karpenter NodePool limits on the group's pools."),
  env: z.record(ENV_NAME, z.string()).default({}).describe("Environment variables of servers started for this group."),
  labels: z.record(LABEL_KEY, LABEL_VALUE).default({}).describe("Extra pod labels of servers started for this group."),
  mounts: z.array(Mount).default([]).describe("Extra volumes mounted into every server of the group's members."),
  storage: GroupStorage.default(GroupStorage.parse({})),
  budget: Budget.optional(),
  readBuckets: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name such as dandiarchive" }))
    .default([])
    .describe("S3 buckets members' servers may list and read with their group's role (e.g. an archive's bucket); nothing else."),
  customImages: z
    .strictObject({
      own: z.boolean().default(false).describe("Members may start any image from customImages.allowedRegistries."),
      build: z.boolean().default(false).describe("Members may build an image from a Git repository and start it."),
    })
    .default({ own: false, build: false }),
});

const Image = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+([._\/-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
      message: "an image repository such as dandiarchive/dandihub or quay.io/org/image",
    })
    .describe("Image repository (registry host optional)."),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "an image tag" })
    .describe("Image tag. Prefer immutable tags: pre-pulled nodes keep old copies of mutable ones."),
  displayName: z.string().optional().describe("Label in the server options menu."),
  gpu: z.boolean().default(false).describe("Image carries CUDA; pre-pulled only on GPU nodes."),
  prePull: z.boolean().default(true).describe("Pre-pull on user nodes so spawns do not wait on a pull."),
});

const Profile = z.strictObject({
  displayName: z.string().min(1),
  description: z.string().default(""),
  default: z.boolean().default(false).describe("Selected by default in the server options form."),
  cpu: z
    .strictObject({
      guarantee: z.number().positive().describe("vCPUs reserved for the server."),
      limit: z.number().positive().describe("vCPUs the server may burst to."),
    })
    .describe("CPU in vCPUs (0.25 = a quarter core)."),
  memory: z.strictObject({
    guarantee: Quantity.describe("Memory reserved for the server."),
    limit: Quantity.describe("Memory at which the server is killed."),
  }),
  gpu: z
    .strictObject({
      count: z.int().min(1).max(8).default(1),
      type: z.enum(["t4", "a10g", "l4", "l40s", "t4g"]).describe("GPU model; selects the instance families."),
    })
    .optional(),
  images: z
    .array(Name)
    .min(1)
    .describe("Names from `images`; the first is preselected, the others form a menu."),
  capacity: z
    .enum(["spot", "on-demand"])
    .default("spot")
    .describe("Used by groups with capacity per-profile: spot is cheapest but may be interrupted with 2 minutes notice; on-demand for workshops and long runs."),
  instanceTypes: z
    .array(z.string())
    .optional()
    .describe("Pin the profile to these instance types (e.g. [g4dn.2xlarge]); any that fit otherwise."),
  customImages: z
    .boolean()
    .default(true)
    .describe("Offer your-own-image and build-an-image choices here, to groups granted them (groups.*.customImages)."),
});

const CustomImages = z.strictObject({
  allowedRegistries: z
    .array(
      z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?\/([a-z0-9._-]+\/)*$/, {
        message: "a registry or repository prefix ending in /, such as quay.io/ or ghcr.io/my-org/",
      }),
    )
    .default([])
    .describe(
      "Where users' own images may come from: registry or repository prefixes (quay.io/, ghcr.io/dandi/, docker.io/dandiarchive/). " +
        "Images built here (groups with build) are always allowed. A reference needs a tag or digest.",
    ),
  build: z
    .strictObject({
      hubImage: z
        .strictObject({ name: z.string().min(1), tag: z.string().min(1) })
        .describe("A hub image with jupyterhub-fancy-profiles (the build UI); the stock z2jh hub image does not have it."),
      keepDays: z.int().min(1).default(30).describe("Built images not pushed for this long are deleted from ECR."),
    })
    .optional()
    .describe("Building images from Git repositories (repo2docker through binderhub-service), for groups with customImages.build."),
  pullSecrets: z
    .array(
      z.strictObject({
        server: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, { message: "a registry host such as ghcr.io" }),
        username: z.string().min(1),
        password: SecretRef.describe("Registry password or token."),
      }),
    )
    .default([])
    .describe("Credentials for pulling images from private registries (the secrets stay out of the synthesized output)."),
});

const Monitoring = z.strictObject({
  enabled: z.boolean().default(true).describe("Prometheus, Grafana, dashboards, alerts and the hub event log."),
  retention: Duration.default("400d").describe("How long Prometheus keeps metrics (400d: this month against the same month last year)."),
  storageSize: Quantity.default("100Gi").describe("Prometheus volume (gp3, retained). Prometheus stops at 90% of it, dropping the oldest data first."),
  alertEmails: z
    .array(EMAIL)
    .default([])
    .describe("Alerts go to an SNS topic with these addresses subscribed (each must confirm the e-mail AWS sends)."),
  logRetentionDays: z
    .union([z.literal(1), z.literal(3), z.literal(5), z.literal(7), z.literal(14), z.literal(30), z.literal(60), z.literal(90), z.literal(120), z.literal(150), z.literal(180), z.literal(365), z.literal(400), z.literal(545), z.literal(731), z.literal(1827), z.literal(3653)])
    .default(365)
    .describe("Days CloudWatch keeps the hub event log, and S3 keeps load balancer access logs (a CloudWatch retention value)."),
  grafanaViewers: z
    .array(z.string())
    .default([])
    .describe("Users (besides hub admins, who are Grafana admins) who may view the dashboards; group admins are added automatically."),
});

const DaskGroup = z.strictObject({
  maxCores: z.number().positive().describe("Most worker cores one cluster of this group's members may have."),
  maxMemory: Quantity.describe("Most worker memory one cluster may have."),
  maxWorkers: z.int().positive().default(50).describe("Most workers one cluster may have."),
});

const DaskGateway = z.strictObject({
  groups: z
    .record(Name, DaskGroup)
    .describe("Groups whose members may create Dask clusters, with each group's per-cluster limits. Workers run on the group's own nodes (spot if it has spot nodes)."),
  worker: z
    .strictObject({
      cores: z.number().positive().default(2).describe("Default cores per worker."),
      memory: Quantity.default("8Gi").describe("Default memory per worker."),
      maxCores: z.number().positive().default(8).describe("Most cores a user may ask per worker."),
      maxMemory: Quantity.default("32Gi").describe("Most memory a user may ask per worker."),
    })
    .default({ cores: 2, memory: "8Gi", maxCores: 8, maxMemory: "32Gi" }),
  image: z
    .strictObject({ name: z.string().min(1), tag: z.string().min(1) })
    .optional()
    .describe("Scheduler and worker image; it must have the same dask and distributed as the users' notebooks. Default: the chart's."),
  idleTimeout: Duration.default("30m").describe("A cluster nobody uses is shut down after this long."),
});

const ChartService = z.strictObject({
  chart: z.strictObject({
    repository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/, { message: "an https:// or oci:// chart repository" }),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { message: "an exact chart version such as 1.2.3 (no ranges)" }),
  }),
  namespace: Name.optional().describe("Namespace of the release (created). Default: the hub's, so it can use hub service tokens."),
  values: z.record(z.string(), z.unknown()).default({}).describe("Helm values, as the chart documents them. No secrets: they would be in the plan."),
  hub: z
    .strictObject({
      url: z.string().regex(/^http:\/\/\S+$/, { message: "the in-cluster http:// address of the service" }),
      groups: z.array(Name).min(1).describe("Groups whose members may use it (the hub role access:services!service=<name>)."),
      podLabels: z
        .record(LABEL_KEY, LABEL_VALUE)
        .optional()
        .describe("Labels of the service's pods that call the hub API (they are let through the hub's NetworkPolicy). Default: app.kubernetes.io/instance=<name>, Helm's standard release label."),
    })
    .optional()
    .describe("Publish it as a JupyterHub service at /services/<name>/, behind the hub's login."),
  serviceAccount: z.string().optional().describe("The service account its pods use, for the IAM role."),
  iam: z
    .array(z.strictObject({ actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z*]+$/)).min(1), resources: z.array(z.string().min(1)).min(1) }))
    .default([])
    .describe("IAM statements for its service account (Pod Identity); no wildcard resources (policy DH008)."),
});

const Services = z.strictObject({
  daskGateway: DaskGateway.optional().describe("Dask Gateway behind the hub: granted groups create Dask clusters from a notebook."),
  charts: z.record(Name, ChartService).default({}).describe("Other Helm releases hub users can use, by name."),
});

const Waiver = z.strictObject({
  rule: z.string().regex(/^DH\d{3}$/, { message: "a rule id such as DH010 (help/security.md)" }),
  address: z
    .string()
    .min(1)
    .optional()
    .describe("The finding's address as synth prints it; a trailing * matches a prefix. Omitted: every finding of the rule."),
  reason: z.string().min(20, { message: "say why, in a sentence" }).describe("Printed at every synth."),
});

const Usage = z.strictObject({
  users: z.number().min(0).describe("How many users start this profile in a month."),
  hoursPerMonth: z.number().min(0).max(744).describe("Hours each of them runs a server in a month."),
  concurrent: z
    .number()
    .positive()
    .optional()
    .describe("Servers running at once when they run (a workshop: everyone); users x hours / 730 when omitted."),
});

const Cost = z.strictObject({
  kubecost: z
    .boolean()
    .default(false)
    .describe("Install Kubecost (free tier) on the cluster's Prometheus: costs by group label and user. Needs monitoring."),
  activateTags: z
    .boolean()
    .default(false)
    .describe(
      "Activate dandihub:group and dandihub:deployment as cost allocation tags from this stack (per-group bills and budgets need them active). " +
        "Only the payer account of an AWS Organization may activate tags (member accounts get AccessDenied), and only once the keys appear in billing data, " +
        "about a day after the first tagged resource: turn this on in a standalone account after that, or activate them in the payer account (help/cost.md).",
    ),
  spotDiscount: z
    .number()
    .min(0)
    .max(0.9)
    .default(0.6)
    .describe("Estimate only (npm run cost): spot price as a discount off on-demand. Spot prices move; 0.6 is typical of m/c/r families."),
  usage: z
    .record(Name, z.record(Name, Usage))
    .default({})
    .describe("Estimate only: expected use per group and profile (users x hours), for npm run cost."),
});

// ---------------------------------------------------------------------------------------------
// The deployment file
// ---------------------------------------------------------------------------------------------

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
    network: Network.default(Network.parse({})),
    cluster: Cluster.default(Cluster.parse({})),
    userNodes: UserNodes.default(UserNodes.parse({})),
    hub: Hub,
    auth: Auth,
    images: z.record(Name, Image).describe("Container images users can start, by name."),
    profiles: z
      .record(Name, Profile)
      .describe("Server sizes users choose from, by name (the order here is the menu order); groups grant them."),
    customImages: CustomImages.default(CustomImages.parse({})).describe("Users' own and built images."),
    groups: z
      .record(Name, Group)
      .describe("Communities sharing the hub: who belongs, what they may start, on which nodes, within which limits."),
    storage: Storage.default(Storage.parse({})),
    cost: Cost.default(Cost.parse({})).describe("Billing tags, Kubecost, and inputs of the offline estimate."),
    monitoring: Monitoring.default(Monitoring.parse({})).describe("Metrics, dashboards, alerts and logs for admins."),
    services: Services.default({ charts: {} }).describe("Services on the cluster for hub users."),
    policy: z
      .strictObject({ waivers: z.array(Waiver).default([]).describe("Accepted exceptions to the policy rules, each with its reason.") })
      .default({ waivers: [] })
      .describe("The security policy checked at synth (help/security.md)."),
  })
  .describe("A dandihub deployment: one JupyterHub on one EKS cluster.");

/** The deployment file as written (defaults not yet applied). */
export type DeploymentInput = z.input<typeof DeploymentSchema>;
/** The deployment file with schema defaults applied. */
export type Deployment = z.output<typeof DeploymentSchema>;
export type ProfileConfig = Deployment["profiles"][string];
export type ImageConfig = Deployment["images"][string];
export type SecretRefConfig = z.output<typeof SecretRef>;
export type GroupConfig = Deployment["groups"][string];

/** JSON Schema (draft-07) of the deployment file, for editor completion and checking. */
export function deploymentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DeploymentSchema, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  return { ...schema, $id: "https://github.com/dandi/dandihub/schema/deployment.schema.json", title: "dandihub deployment" };
}
