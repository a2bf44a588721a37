import type { Construct } from "constructs";
import { PinnedModule, type ModuleOptions } from "./pinned-module";
import { MODULES } from "./versions";

/** An EKS add-on as the eks module's `addons` map takes it. */
export interface EksAddon {
  readonly before_compute?: boolean;
  readonly most_recent?: boolean;
  readonly addon_version?: string;
  /** JSON string of the add-on's configuration schema. */
  readonly configuration_values?: string;
  readonly pod_identity_association?: { role_arn: string; service_account: string }[];
  readonly resolve_conflicts_on_create?: "NONE" | "OVERWRITE";
  readonly resolve_conflicts_on_update?: "NONE" | "OVERWRITE" | "PRESERVE";
}

export interface EksAccessEntry {
  readonly principal_arn: string;
  readonly type?: string;
  readonly policy_associations: Record<string, { policy_arn: string; access_scope: { type: "cluster" | "namespace"; namespaces?: string[] } }>;
}

export interface EksManagedNodeGroup {
  readonly name?: string;
  readonly use_name_prefix?: boolean;
  readonly ami_type: string;
  readonly instance_types: string[];
  readonly capacity_type: "ON_DEMAND" | "SPOT";
  readonly min_size: number;
  readonly max_size: number;
  readonly desired_size: number;
  readonly subnet_ids?: string[];
  readonly labels?: Record<string, string>;
  readonly taints?: Record<string, { key: string; value?: string; effect: string }>;
  readonly block_device_mappings?: Record<
    string,
    { device_name: string; ebs: { volume_size: number; volume_type: string; encrypted: boolean; delete_on_termination: boolean } }
  >;
  readonly metadata_options?: { http_endpoint: string; http_tokens: string; http_put_response_hop_limit: number };
  readonly update_config?: { max_unavailable?: number; max_unavailable_percentage?: number };
  readonly iam_role_additional_policies?: Record<string, string>;
  readonly tags?: Record<string, string>;
}

/** An extra rule on the cluster (control plane) security group. */
export interface EksSecurityGroupRule {
  readonly protocol?: string;
  readonly from_port: number;
  readonly to_port: number;
  readonly type?: "ingress" | "egress";
  readonly description?: string;
  readonly cidr_blocks?: string[];
}

/** Inputs of terraform-aws-modules/eks/aws that dandihub sets (names as in its variables.tf). */
export interface EksInputs {
  readonly name: string;
  readonly kubernetes_version: string;
  readonly vpc_id: string;
  readonly subnet_ids: string[];
  readonly control_plane_subnet_ids?: string[];
  readonly endpoint_public_access: boolean;
  readonly endpoint_private_access: boolean;
  readonly endpoint_public_access_cidrs?: string[];
  readonly security_group_additional_rules?: Record<string, EksSecurityGroupRule>;
  readonly authentication_mode?: "API" | "API_AND_CONFIG_MAP";
  readonly enable_cluster_creator_admin_permissions: boolean;
  readonly access_entries?: Record<string, EksAccessEntry>;
  readonly create_kms_key?: boolean;
  readonly encryption_config: { resources: string[] };
  readonly enable_kms_key_rotation?: boolean;
  readonly service_ipv4_cidr?: string;
  readonly enabled_log_types?: string[];
  readonly cloudwatch_log_group_retention_in_days?: number;
  readonly addons: Record<string, EksAddon>;
  readonly eks_managed_node_groups: Record<string, EksManagedNodeGroup>;
  readonly node_security_group_tags?: Record<string, string>;
  readonly enable_irsa?: boolean;
  readonly deletion_protection?: boolean;
  readonly tags: Record<string, string>;
}

export class EksModule extends PinnedModule<EksInputs> {
  constructor(scope: Construct, id: string, inputs: EksInputs, options?: ModuleOptions) {
    super(scope, id, MODULES.eks, inputs, options);
  }

  get clusterName(): string {
    return this.getString("cluster_name");
  }

  get clusterEndpoint(): string {
    return this.getString("cluster_endpoint");
  }

  get clusterCertificateAuthorityData(): string {
    return this.getString("cluster_certificate_authority_data");
  }

  get nodeSecurityGroupId(): string {
    return this.getString("node_security_group_id");
  }

  get clusterPrimarySecurityGroupId(): string {
    return this.getString("cluster_primary_security_group_id");
  }
}
