import { Construct } from "constructs";
import { EksModule, type EksAccessEntry, type EksAddon } from "../../../modules/eks";
import { PodIdentityModule } from "../../../modules/pod-identity";
import { CORE_NODE_LABELS } from "../../core/labels";
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
  /** Private networks allowed to the private API endpoint on 443 (an HCP Terraform agent's). @default none */
  readonly agentCidrs?: readonly string[];
}

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

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
      // The association is made by the add-on itself (pod_identity_association below).
      associations: {},
      tags,
    });

    const efsCsi =
      props.efsCsiDriver
        ? new PodIdentityModule(this, "efs-csi-role", { name: `${c.name}-efs-csi`, use_name_prefix: false, attach_aws_efs_csi_policy: true, associations: {}, tags })
        : undefined;

    const addons: Record<string, EksAddon> = {
      // Must exist before nodes join: networking and the Pod Identity agent.
      "vpc-cni": {
        before_compute: true,
        most_recent: true,
        // Calico enforces policy (features/isolation): the VPC CNI only assigns addresses.
        configuration_values: JSON.stringify(VPC_CNI_CONFIGURATION),
      },
      "eks-pod-identity-agent": { before_compute: true, most_recent: true },
      "kube-proxy": { most_recent: true },
      coredns: { most_recent: true },
      "metrics-server": { most_recent: true },
      "aws-ebs-csi-driver": {
        most_recent: true,
        pod_identity_association: [{ role_arn: ebsCsi.iamRoleArn, service_account: "ebs-csi-controller-sa" }],
      },
    };
    if (efsCsi) {
      addons["aws-efs-csi-driver"] = {
        most_recent: true,
        pod_identity_association: [{ role_arn: efsCsi.iamRoleArn, service_account: "efs-csi-controller-sa" }],
      };
    }

    const accessEntries: Record<string, EksAccessEntry> = Object.fromEntries(
      c.admins.map((arn, i) => [
        `admin-${i}`,
        {
          principal_arn: arn,
          policy_associations: { admin: { policy_arn: CLUSTER_ADMIN_POLICY, access_scope: { type: "cluster" } } },
        },
      ]),
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
      enable_cluster_creator_admin_permissions: true,
      access_entries: accessEntries,
      create_kms_key: true,
      enable_kms_key_rotation: true,
      encryption_config: { resources: ["secrets"] },
      // Fixed: a different range replaces the cluster.
      service_ipv4_cidr: SERVICE_CIDR_BLOCK,
      enabled_log_types: ["api", "audit", "authenticator"],
      cloudwatch_log_group_retention_in_days: 90,
      addons,
      eks_managed_node_groups: {
        core: {
          name: `${c.name}-core`,
          use_name_prefix: true,
          ami_type: c.coreNodes.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
          instance_types: [...c.coreNodes.instanceTypes],
          capacity_type: "ON_DEMAND",
          min_size: c.coreNodes.min,
          max_size: c.coreNodes.max,
          desired_size: c.coreNodes.desired,
          labels: { ...CORE_NODE_LABELS },
          block_device_mappings: {
            xvda: {
              device_name: "/dev/xvda",
              ebs: { volume_size: c.coreNodes.diskGiB, volume_type: "gp3", encrypted: true, delete_on_termination: true },
            },
          },
          // IMDSv2 only, and unreachable from pods (one hop): controllers use Pod Identity.
          metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 },
          update_config: { max_unavailable: 1 },
          tags,
        },
      },
      node_security_group_tags: { ...props.discoveryTag },
      enable_irsa: false,
      tags,
    });
  }
}
