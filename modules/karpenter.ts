import type { Construct } from "constructs";
import { PinnedModule, type ModuleOptions } from "./pinned-module";
import { MODULES } from "./versions";

/** Inputs of terraform-aws-modules/eks/aws//modules/karpenter (names as in its variables.tf). */
export interface KarpenterInputs {
  readonly cluster_name: string;
  readonly namespace: string;
  readonly service_account: string;
  /** EKS Pod Identity association for the controller (instead of IRSA). */
  readonly create_pod_identity_association: boolean;
  readonly enable_spot_termination: boolean;
  readonly queue_name: string;
  readonly rule_name_prefix?: string;
  readonly iam_role_name: string;
  readonly iam_role_use_name_prefix: boolean;
  readonly node_iam_role_name: string;
  readonly node_iam_role_use_name_prefix: boolean;
  readonly node_iam_role_additional_policies?: Record<string, string>;
  readonly tags: Record<string, string>;
}

export class KarpenterModule extends PinnedModule<KarpenterInputs> {
  constructor(scope: Construct, id: string, inputs: KarpenterInputs, options?: ModuleOptions) {
    super(scope, id, MODULES.karpenter, inputs, options);
  }

  get queueName(): string {
    return this.getString("queue_name");
  }

  get nodeIamRoleName(): string {
    return this.getString("node_iam_role_name");
  }
}
