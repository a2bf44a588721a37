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

/**
 * The AMI every Karpenter node runs: an AL2023 release, by date. `al2023@latest` would move
 * every node to each new release as AWS publishes it (Karpenter replaces drifted nodes);
 * help/versions.md says how to move this pin.
 */
export const NODE_AMI_ALIAS = "al2023@v20260903";

/**
 * The NAT instance's AMI (network.nat: instance): one Amazon Linux 2023 release, by name. A
 * newer release replaces the instance (a pause in egress while it boots), so it moves only when
 * this does; help/versions.md says how.
 */
export const NAT_INSTANCE_AMI = {
  release: "2023.12.20260803.0",
  name: (arch: "arm64" | "x86_64") => `al2023-ami-${NAT_INSTANCE_AMI.release}-kernel-*-${arch}`,
} as const;

/** EKS add-ons dandihub installs. */
export type EksAddonName = "vpc-cni" | "eks-pod-identity-agent" | "kube-proxy" | "coredns" | "metrics-server" | "aws-ebs-csi-driver" | "aws-efs-csi-driver";

/**
 * Each add-on's version, per supported Kubernetes minor: exact, so a plan changes only when this
 * table does (`most_recent` would follow every AWS release). A Kubernetes minor dandihub supports
 * is one with a row here. Versions as published by EKS in 2026-07/09 (seen in public upgrades of
 * other deployments); `npm run addon-versions` lists what EKS offers now, with AWS credentials.
 */
export const EKS_ADDON_VERSIONS = {
  "1.32": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "kube-proxy": "v1.32.13-eksbuild.24",
    coredns: "v1.11.4-eksbuild.51",
    "metrics-server": "v0.8.1-eksbuild.1",
    "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    "aws-efs-csi-driver": "v3.3.0-eksbuild.1",
  },
  "1.33": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "kube-proxy": "v1.33.10-eksbuild.21",
    coredns: "v1.12.4-eksbuild.29",
    "metrics-server": "v0.8.1-eksbuild.1",
    "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    "aws-efs-csi-driver": "v3.3.0-eksbuild.1",
  },
  "1.34": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "kube-proxy": "v1.34.6-eksbuild.21",
    coredns: "v1.12.4-eksbuild.29",
    "metrics-server": "v0.8.1-eksbuild.1",
    "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    "aws-efs-csi-driver": "v3.3.0-eksbuild.1",
  },
  "1.35": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "kube-proxy": "v1.35.3-eksbuild.21",
    coredns: "v1.13.2-eksbuild.21",
    "metrics-server": "v0.8.1-eksbuild.1",
    "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    "aws-efs-csi-driver": "v3.3.0-eksbuild.1",
  },
} as const satisfies Record<string, Record<EksAddonName, string>>;

export type KubernetesMinor = keyof typeof EKS_ADDON_VERSIONS;

/**
 * The last day of EKS standard support for each supported minor: after it a cluster costs $0.60
 * an hour instead of $0.10 (extended support). Release date + 14 months, as the EKS Kubernetes
 * release calendar lists them (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html);
 * check it when adding a row.
 */
export const EKS_STANDARD_SUPPORT_ENDS: Readonly<Record<KubernetesMinor, string>> = {
  "1.32": "2026-03-23",
  "1.33": "2026-07-29",
  "1.34": "2026-12-02",
  "1.35": "2027-03-27",
};
