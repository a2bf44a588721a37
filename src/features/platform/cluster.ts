import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
import { Construct } from "constructs";
import { EksModule, type EksAccessEntry, type EksAddon, type EksManagedNodeGroup } from "../../../modules/eks";
import { PodIdentityModule } from "../../../modules/pod-identity";
import { EKS_ADDON_VERSIONS, type EksAddonName, type KubernetesMinor } from "../../../modules/versions";
import { DataResource, Fn } from "../../core/cdktf";
import { CORE_NODE_LABELS } from "../../core/labels";
import { MovedBlocks } from "../../core/renames";
import { SERVICE_CIDR_BLOCK } from "../../core/names";
import { VPC_CNI_CONFIGURATION } from "../isolation/calico-values";
import type { ResolvedCluster } from "./resolve";

export interface ClusterProps {
  /** The cluster's resolved settings. */
  readonly cluster: ResolvedCluster;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** The VPC and the private subnets nodes and the control plane's interfaces go in. */
  readonly vpcId: string;
  /** The VPC's private subnets. */
  readonly privateSubnetIds: string[];
  /** Tag that lets Karpenter discover the node security group. */
  readonly discoveryTag: Readonly<Record<string, string>>;
  /** Install the EFS CSI driver (storage.mode efs). @default false */
  readonly efsCsiDriver?: boolean;
  /** Customer managed keys the EBS CSI driver attaches and creates volumes with. @default none */
  readonly ebsKmsKeyArns?: readonly string[];
  /** Private networks allowed to the private API endpoint on 443 (an HCP Terraform agent's). @default none */
  readonly agentCidrs?: readonly string[];
}

/**
 * The core node groups: on-demand, and with a spot share a second group on spot beside it. Then
 * the on-demand nodes run only in the volumes' zone (the first private subnet's), where the pods
 * that keep to them (ON_DEMAND_CORE_NODE_LABELS) have their volumes; the spot nodes in every zone.
 */
function coreNodeGroups(c: ResolvedCluster, privateSubnetIds: string[], tags: Record<string, string>): Record<string, EksManagedNodeGroup> {
  const core = c.coreNodes;
  const common = {
    use_name_prefix: true,
    ami_type: core.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
    labels: { ...CORE_NODE_LABELS },
    block_device_mappings: {
      xvda: {
        device_name: "/dev/xvda",
        ebs: { volume_size: core.diskGiB, volume_type: "gp3", encrypted: true, delete_on_termination: true },
      },
    },
    // IMDSv2 only, and unreachable from pods (one hop): controllers use Pod Identity.
    metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 },
    update_config: { max_unavailable: 1 },
    tags,
  } as const;
  const groups: Record<string, EksManagedNodeGroup> = {
    core: {
      ...common,
      name: `${c.name}-core`,
      instance_types: [...core.instanceTypes],
      capacity_type: "ON_DEMAND",
      min_size: core.min,
      max_size: core.max,
      desired_size: core.desired,
      ...(core.spot ? { subnet_ids: [Fn.element(privateSubnetIds, 0)] } : {}),
    },
  };
  if (core.spot) {
    groups["core-spot"] = {
      ...common,
      name: `${c.name}-core-spot`,
      instance_types: [...core.spot.instanceTypes],
      capacity_type: "SPOT",
      min_size: 0,
      max_size: core.spot.max,
      desired_size: core.spot.desired,
    };
  }
  return groups;
}

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** Key of the admin policy in an entry's associations (the module keys associations `<entry>_<this>`). */
const ADMIN_POLICY_KEY = "admin";

/**
 * The EKS control plane, its managed add-ons and the small on-demand core node group that runs
 * the hub, the proxy and the controllers. User servers never land here (z2jh requires user
 * pods on `node-purpose: user` nodes, which only Karpenter creates).
 */
export class Cluster extends Construct {
  readonly eks: EksModule;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const c = props.cluster;
    const tags = { ...props.tags };
    const agentCidrs = props.agentCidrs ?? [];

    const ebsCsi = new PodIdentityModule(this, "ebs-csi-role", {
      name: `${c.name}-ebs-csi`,
      use_name_prefix: false,
      attach_aws_ebs_csi_policy: true,
      ...(props.ebsKmsKeyArns?.length ? { aws_ebs_csi_kms_arns: [...props.ebsKmsKeyArns] } : {}),
      // The association is made by the add-on itself (pod_identity_association below).
      associations: {},
      tags,
    });

    const efsCsi =
      props.efsCsiDriver
        ? new PodIdentityModule(this, "efs-csi-role", { name: `${c.name}-efs-csi`, use_name_prefix: false, attach_aws_efs_csi_policy: true, associations: {}, tags })
        : undefined;

    // Exact versions from the pins table: nothing moves until the table (or the cluster version) does.
    const version = (addon: EksAddonName) => ({ addon_version: EKS_ADDON_VERSIONS[c.kubernetesVersion as KubernetesMinor][addon], most_recent: false });
    const addons: Record<string, EksAddon> = {
      // Must exist before nodes join: networking and the Pod Identity agent.
      "vpc-cni": {
        before_compute: true,
        ...version("vpc-cni"),
        // Calico enforces policy (features/isolation): the VPC CNI only assigns addresses.
        configuration_values: JSON.stringify(VPC_CNI_CONFIGURATION),
      },
      "eks-pod-identity-agent": { before_compute: true, ...version("eks-pod-identity-agent") },
      "kube-proxy": version("kube-proxy"),
      coredns: version("coredns"),
      "metrics-server": version("metrics-server"),
      "aws-ebs-csi-driver": {
        ...version("aws-ebs-csi-driver"),
        pod_identity_association: [{ role_arn: ebsCsi.iamRoleArn, service_account: "ebs-csi-controller-sa" }],
      },
    };
    if (efsCsi) {
      addons["aws-efs-csi-driver"] = {
        ...version("aws-efs-csi-driver"),
        pod_identity_association: [{ role_arn: efsCsi.iamRoleArn, service_account: "efs-csi-controller-sa" }],
      };
    }

    // Keyed by principal, so adding or removing an admin touches that admin's entry only.
    const accessEntries: Record<string, EksAccessEntry> = Object.fromEntries(
      c.admins.map((arn) => [arn, { principal_arn: arn, policy_associations: { [ADMIN_POLICY_KEY]: { policy_arn: CLUSTER_ADMIN_POLICY, access_scope: { type: "cluster" } } } }]),
    );

    this.eks = new EksModule(this, "eks", {
      name: c.name,
      kubernetes_version: c.kubernetesVersion,
      vpc_id: props.vpcId,
      subnet_ids: props.privateSubnetIds,
      endpoint_public_access: c.endpointPublicAccessCidrs.length > 0,
      endpoint_private_access: true,
      endpoint_public_access_cidrs: c.endpointPublicAccessCidrs.length ? [...c.endpointPublicAccessCidrs] : undefined,
      // An HCP Terraform agent in this VPC (or a peered one) reaches the private endpoint.
      security_group_additional_rules: agentCidrs.length
        ? { "terraform-agent": { type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: [...agentCidrs], description: "Kubernetes API from the HCP Terraform agent" } }
        : undefined,
      authentication_mode: "API",
      // The creator's entry follows whoever runs Terraform (a second operator's apply would
      // replace it): only a development cluster without named admins relies on it.
      enable_cluster_creator_admin_permissions: c.admins.length === 0,
      access_entries: accessEntries,
      create_kms_key: true,
      enable_kms_key_rotation: true,
      encryption_config: { resources: ["secrets"] },
      // Fixed: a different range replaces the cluster.
      service_ipv4_cidr: SERVICE_CIDR_BLOCK,
      enabled_log_types: [...c.logTypes],
      cloudwatch_log_group_retention_in_days: 90,
      addons,
      eks_managed_node_groups: coreNodeGroups(c, props.privateSubnetIds, tags),
      node_security_group_tags: { ...props.discoveryTag },
      enable_irsa: false,
      tags,
    });
    if (c.admins.length) {
      this.moveAccessEntries(c);
      this.requireAdminCaller(c.admins);
    }
  }

  /**
   * State of clusters made before entries were keyed by principal: `admin-<i>` entries, and the
   * creator's (`cluster_creator`) when cluster.createdBy names it, move to their principal's key.
   */
  private moveAccessEntries(c: ResolvedCluster): void {
    const moved = new MovedBlocks(this, "access-entry-keys");
    const entry = (key: string) => `module.${this.eks.friendlyUniqueId}.aws_eks_access_entry.this[${JSON.stringify(key)}]`;
    const policy = (key: string) => `module.${this.eks.friendlyUniqueId}.aws_eks_access_policy_association.this[${JSON.stringify(`${key}_${ADMIN_POLICY_KEY}`)}]`;
    const move = (from: string, to: string) => {
      moved.add(entry(from), entry(to));
      moved.add(policy(from), policy(to));
    };
    // EKS allows one entry per principal: the creator's was never also an admin-<i>.
    c.admins.forEach((arn, i) => arn !== c.createdBy && move(`admin-${i}`, arn));
    if (c.createdBy) move("cluster_creator", c.createdBy);
  }

  /** The plan stops when the role running Terraform is not an admin: its apply would lock it out. */
  private requireAdminCaller(admins: readonly string[]): void {
    const caller = new DataAwsCallerIdentity(this, "caller");
    const session = new DataAwsIamSessionContext(this, "caller-session", { arn: caller.arn });
    new DataResource(this, "caller-is-admin", {
      input: { caller: session.issuerArn },
      lifecycle: {
        precondition: [
          {
            condition: Fn.contains([...admins], session.issuerArn),
            errorMessage: "The role running Terraform is not in cluster.admins: add it to the deployment file (help/runbooks.md, \"Who has kubectl\"), or run as one of the roles listed there.",
          },
        ],
      },
    });
  }
}
