/**
 * The deployment's place in AWS and its platform: account and region, Terraform state, the VPC,
 * the EKS cluster and its core node group.
 */
import { z } from "zod";
import { Cidr, Quantity } from "../../config/scalars";

export const Aws = z.strictObject({
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
      z
        .string()
        .regex(/^[A-Za-z0-9_.:/=+@ -]{1,127}$/, { message: "an AWS tag key" })
        .refine((k) => !/^aws:/i.test(k), { message: "the aws: prefix is reserved for AWS's own tags" })
        .meta({ pattern: "^(?![aA][wW][sS]:)[A-Za-z0-9_.:/=+@ -]{1,127}$" }),
      z.string().max(255),
    )
    .refine((t) => Object.keys(t).length <= MAX_USER_TAGS, { message: `at most ${40} tags: AWS allows 50 per resource and dandihub adds up to 10 of its own` })
    .meta({ maxProperties: 40 })
    .default({})
    .describe("Tags on every AWS resource, merged over dandihub's own (dandihub:deployment, managed-by)."),
});

/** AWS's 50 tags per resource, less dandihub's own (deployment, managed-by, group, backup, Name, ...). */
const MAX_USER_TAGS = 40;

export const Backend = z
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

export const Network = z.strictObject({
  cidr: Cidr.default("10.1.0.0/16").describe("VPC CIDR, /16 to /20. Node subnets are carved from it."),
  azs: z
    .int()
    .min(2)
    .max(4)
    .default(2)
    .describe("Number of availability zones (2-4). Nodes, NAT and load balancer span them."),
  nat: z
    .enum(["instance", "gateway"])
    .default("instance")
    .describe("How private subnets reach the internet. instance: one small Graviton NAT instance (network.natInstanceType) in a group that replaces it when it fails, $7.36 a month against a gateway's $36.50 and no $0.045/GB processing; its bandwidth is the instance's (t4g.nano: 32 Mbit/s sustained, bursts to 5 Gbit/s), and image layers bypass it (ECR and S3 through the S3 gateway endpoint). gateway: AWS NAT gateways, up to 100 Gbit/s, one per zone with singleNatGateway: false."),
  natInstanceType: z
    .string()
    .default("t4g.nano")
    .describe("nat: instance: its instance type. A bigger size buys sustained bandwidth (t4g.small: 128 Mbit/s, t4g.medium: 256 Mbit/s)."),
  singleNatGateway: z
    .boolean()
    .default(true)
    .describe("nat: gateway: one NAT gateway for all zones (cheaper, one zone is a single point of egress) instead of one per zone."),
  flowLogs: z
    .strictObject({
      enabled: z.boolean().default(true),
      traffic: z.enum(["REJECT", "ALL"]).default("REJECT").describe("REJECT: refused connections only (what an investigation needs first, a small volume); ALL: every connection (CloudWatch ingestion at $0.50/GB)."),
      retentionDays: z.union([z.literal(30), z.literal(90), z.literal(365)]).default(90),
    })
    .prefault({})
    .describe("VPC flow logs to CloudWatch Logs (checkov CKV2_AWS_11)."),
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
  spot: z
    .strictObject({
      instanceTypes: z
        .array(z.string())
        .min(1)
        .describe("Spot instance types, the on-demand types' architecture; several, so one type's spot shortage does not leave the share empty."),
      desired: z.int().min(1).default(1),
      max: z.int().min(1).default(2),
    })
    .optional()
    .describe(
      "A spot share of the core nodes: a second node group, on spot, for the stateless system pods (DNS, controllers, schedulers, dashboards). The hub, the proxy and everything with a zonal volume (NFS servers, Prometheus) stay on the on-demand nodes, which then all run in the volumes' zone; the checks make sure they fit there. @default none: every core node on-demand",
    ),
});

/** An IAM role or user, as access entries name them (not an STS session). */
const PrincipalArn = z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)\/[A-Za-z0-9+=,.@_/-]+$/, {
  message:
    "an IAM role or user ARN such as arn:aws:iam::123456789012:role/hub-admins; for an assumed-role session (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION, what `aws sts get-caller-identity` prints) give its role, arn:aws:iam::ACCOUNT:role/NAME",
});

export const Cluster = z.strictObject({
  controlPlaneLogs: z
    .enum(["all", "audit"])
    .default("all")
    .describe("EKS control-plane logs to CloudWatch (kept 90 days). all: api, audit, authenticator, controllerManager, scheduler (checkov CKV_AWS_37); audit: api, audit, authenticator only (less ingestion: the controller manager and scheduler are the chatty two)."),
  kubernetesVersion: z
    .string()
    .regex(/^1\.[0-9]{2}$/, { message: "a Kubernetes minor version such as \"1.34\" (quoted)" })
    .default("1.35")
    .describe("EKS Kubernetes version. Upgrade one minor version at a time."),
  endpointPublicAccessCidrs: z
    .array(Cidr)
    .default(["0.0.0.0/0"])
    .describe("CIDRs allowed to reach the public EKS API endpoint. Empty list: private endpoint only."),
  admins: z
    .array(PrincipalArn)
    .default([])
    .describe(
      "IAM roles (or users) with cluster-admin, through EKS access entries: the people's roles and the role Terraform runs as (CI, Terraform Cloud). Required in production; the role running Terraform must be one of them (the plan checks).",
    ),
  createdBy: PrincipalArn.optional().describe(
    "Clusters made before admins were named: the role that created the cluster, as EKS recorded it. Its existing access entry becomes that admin's instead of being recreated (no moment without access). One of admins; remove it once applied.",
  ),
  coreNodes: CoreNodes.prefault({}),
});
