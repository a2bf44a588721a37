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
    .default(["t3a.large"])
    .describe("Instance types of the on-demand core node group (hub, proxy, controllers); one architecture."),
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
  kubeAuth: z
    .enum(["exec", "token"])
    .optional()
    .describe(
      "How the helm/kubernetes providers authenticate: `exec` runs `aws eks get-token` (needs the AWS CLI), " +
        "`token` reads a short-lived token at plan time (works in Terraform Cloud). Default: token for the cloud backend, else exec.",
    ),
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
  capacity: z
    .enum(["spot", "on-demand"])
    .default("spot")
    .describe("Capacity type for profiles that do not choose one."),
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
  limits: z
    .strictObject({
      cpu: z.number().positive().default(1000).describe("Most vCPUs all user nodes together may have."),
      memory: Quantity.default("4Ti"),
      gpus: z.int().min(0).default(16),
    })
    .default({ cpu: 1000, memory: "4Ti", gpus: 16 })
    .describe("Hard cap on each user node pool (Karpenter NodePool limits): no pool grows past it."),
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
});

const GitHubAuth = z.strictObject({
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{8,64}$/, { message: "a GitHub OAuth app client id" })
    .describe("Client id of the GitHub OAuth app (not secret)."),
  clientSecret: SecretRef.describe("Client secret of the GitHub OAuth app."),
  allowedOrganizations: z
    .array(z.string().regex(/^[A-Za-z0-9-]+(:[A-Za-z0-9_.-]+)?$/, { message: "`org` or `org:team`" }))
    .default([])
    .describe("GitHub organizations (`org`) or teams (`org:team`) whose members may log in."),
  allowedUsers: z.array(GITHUB_LOGIN).default([]).describe("GitHub logins allowed in addition to the organizations."),
});

const Auth = z
  .strictObject({
    admins: z.array(GITHUB_LOGIN).default([]).describe("Hub admin users (explicit list)."),
    github: GitHubAuth.optional().describe("Log in with GitHub (the default for production hubs)."),
    dummy: z
      .strictObject({})
      .optional()
      .describe("Any user name logs in without a password (testing only). Refused unless environment is development."),
  })
  .describe("How users log in: exactly one authenticator.");

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
    .optional()
    .describe("spot: cheapest, may be interrupted with 2 minutes notice. Default: userNodes.capacity."),
  instanceTypes: z
    .array(z.string())
    .optional()
    .describe("Pin the profile to these instance types (e.g. [g4dn.2xlarge]); any that fit otherwise."),
});

const Storage = z.strictObject({
  home: z
    .strictObject({
      size: Quantity.default("10Gi").describe("Size of each user's home volume (an encrypted, retained gp3 volume)."),
    })
    .default({ size: "10Gi" }),
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
      .describe("Server sizes users choose from, by name (the order here is the menu order)."),
    storage: Storage.default(Storage.parse({})),
  })
  .describe("A dandihub deployment: one JupyterHub on one EKS cluster.");

/** The deployment file as written (defaults not yet applied). */
export type DeploymentInput = z.input<typeof DeploymentSchema>;
/** The deployment file with schema defaults applied. */
export type Deployment = z.output<typeof DeploymentSchema>;
export type ProfileConfig = Deployment["profiles"][string];
export type ImageConfig = Deployment["images"][string];
export type SecretRefConfig = z.output<typeof SecretRef>;

/** JSON Schema (draft-07) of the deployment file, for editor completion and checking. */
export function deploymentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DeploymentSchema, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  return { ...schema, $id: "https://github.com/dandi/dandihub/schema/deployment.schema.json", title: "dandihub deployment" };
}
