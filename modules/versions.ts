/**
 * Every upstream Terraform module dandihub calls, pinned exactly, in one place.
 *
 * The prebuilt CDKTF bindings write exact provider versions into the root module (aws 6.25.0,
 * helm 3.1.1, kubernetes 2.38.0), so every module in the tree must accept them. These are the
 * newest tags whose whole nested tree accepts aws 6.25.0 (the next tags need aws >= 6.28);
 * `__tests__/provider-matrix.test.ts` proves the intersection from ../shared/upstream data and
 * `help/versions.md` explains how to move them.
 */
export interface ModulePin {
  /** Terraform registry source, `//` for a submodule. */
  readonly source: string;
  /** Exact release, no range: a plan must not change because upstream tagged something. */
  readonly version: string;
}

export const MODULES = {
  vpc: { source: "terraform-aws-modules/vpc/aws", version: "6.5.1" },
  vpcEndpoints: { source: "terraform-aws-modules/vpc/aws//modules/vpc-endpoints", version: "6.5.1" },
  eks: { source: "terraform-aws-modules/eks/aws", version: "21.11.0" },
  karpenter: { source: "terraform-aws-modules/eks/aws//modules/karpenter", version: "21.11.0" },
  podIdentity: { source: "terraform-aws-modules/eks-pod-identity/aws", version: "2.6.0" },
} as const satisfies Record<string, ModulePin>;

/**
 * Terraform CLI floor. The pinned module trees need >= 1.5.7 (eks v21, kms v4, pod-identity v2);
 * the S3 backend's native lockfile (`use_lockfile`) needs 1.10.
 */
export const TERRAFORM_REQUIRED_VERSION = ">= 1.10.0";
