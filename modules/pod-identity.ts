import type { Construct } from "constructs";
import { PinnedModule, type ModuleOptions } from "./pinned-module";
import { MODULES } from "./versions";

/** One statement of the module's custom policy. Strings holding IAM variables must be escaped for Terraform (escapeTemplate). */
export interface PolicyStatement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly effect?: "Allow" | "Deny";
  readonly condition?: { test: string; variable: string; values: string[] }[];
}

export interface PodIdentityAssociation {
  readonly cluster_name: string;
  readonly namespace: string;
  readonly service_account: string;
}

/**
 * Inputs of terraform-aws-modules/eks-pod-identity/aws: an IAM role trusted by EKS Pod
 * Identity, with one of the module's maintained policies attached, associated with a service
 * account. Only the policy switches dandihub uses are typed.
 */
export interface PodIdentityInputs {
  readonly name: string;
  readonly use_name_prefix?: boolean;
  readonly attach_aws_ebs_csi_policy?: boolean;
  readonly aws_ebs_csi_kms_arns?: string[];
  readonly attach_aws_efs_csi_policy?: boolean;
  readonly attach_aws_lb_controller_policy?: boolean;
  readonly attach_custom_policy?: boolean;
  readonly policy_statements?: PolicyStatement[];
  readonly associations: Record<string, PodIdentityAssociation>;
  readonly tags: Record<string, string>;
}

export class PodIdentityModule extends PinnedModule<PodIdentityInputs> {
  constructor(scope: Construct, id: string, inputs: PodIdentityInputs, options?: ModuleOptions) {
    super(scope, id, MODULES.podIdentity, inputs, options);
  }

  get iamRoleArn(): string {
    return this.getString("iam_role_arn");
  }
}
