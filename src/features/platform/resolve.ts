/** The platform's resolution: state backend, tags, subnets, the cluster and its core nodes. */
import { instanceType, type Arch } from "../../core/catalog/instance-types";
import { DEPLOYMENT_TAG } from "../../core/labels";
import { parseCidr, planSubnets, type Ipv4Block } from "../../core/util/cidr";
import type { Deployment } from "../../config/schema";
import { parseQuantity, toGiB } from "../../config/units";

export type Backend =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string; readonly region: string; readonly kmsKeyId?: string }
  | {
      readonly kind: "cloud";
      readonly organization: string;
      readonly workspace: string;
      readonly hostname?: string;
      /** Where Terraform runs (the workspace's execution mode): never Terraform Cloud's own runners. */
      readonly executionMode: "local" | "agent";
      /** Private networks of an HCP Terraform agent, let through to the private API endpoint. */
      readonly agentCidrs: readonly string[];
    };

export interface ResolvedNetwork {
  readonly cidr: string;
  readonly azs: number;
  readonly singleNatGateway: boolean;
  /** How private subnets reach the internet: NAT gateways, or one NAT instance of this type. */
  readonly nat: { readonly kind: "gateway" } | { readonly kind: "instance"; readonly instanceType: string; readonly arch: Arch };
  readonly flowLogs: { readonly enabled: boolean; readonly traffic: "REJECT" | "ALL"; readonly retentionDays: number };
  readonly privateSubnets: readonly string[];
  readonly publicSubnets: readonly string[];
}

export interface ResolvedCoreNodes {
  readonly instanceTypes: readonly string[];
  readonly arch: Arch;
  readonly min: number;
  readonly desired: number;
  readonly max: number;
  readonly diskGiB: number;
  /** The spot share: stateless system pods only; the on-demand nodes then run in the volumes' zone alone. */
  readonly spot?: { readonly instanceTypes: readonly string[]; readonly desired: number; readonly max: number };
}

export interface ResolvedCluster {
  /** The EKS cluster's name: the deployment's. */
  readonly name: string;
  readonly kubernetesVersion: string;
  /** EKS control-plane log types sent to CloudWatch. */
  readonly logTypes: readonly string[];
  readonly endpointPublicAccessCidrs: readonly string[];
  /** Principals with cluster-admin; none only in development (then the creator's session is admin). */
  readonly admins: readonly string[];
  /** The principal of the creator's access entry of an older cluster, now one of admins. */
  readonly createdBy?: string;
  readonly coreNodes: ResolvedCoreNodes;
  /** Controllers on the core nodes run this many replicas (two at most, one per core node). */
  readonly controllerReplicas: number;
}

export function resolveBackend(d: Deployment): Backend {
  const b = d.backend;
  if (b?.s3) return { kind: "s3", bucket: b.s3.bucket, key: b.s3.key, region: b.s3.region ?? d.aws.region, kmsKeyId: b.s3.kmsKeyId };
  if (b?.cloud) {
    const c = b.cloud;
    // The checks refuse a cloud backend without an execution mode.
    return { kind: "cloud", organization: c.organization, workspace: c.workspace, hostname: c.hostname, executionMode: c.executionMode!, agentCidrs: c.agentCidrs };
  }
  return { kind: "local", path: b?.local?.path ?? `terraform.${d.name}.tfstate` };
}

/** Tags for every AWS resource: the deployment's own merged over dandihub's. */
export function resolveTags(d: Deployment): Readonly<Record<string, string>> {
  return { [DEPLOYMENT_TAG]: d.name, "managed-by": "dandihub", ...d.aws.tags };
}

export function resolveNetwork(d: Deployment): ResolvedNetwork {
  const subnets = planSubnets(parseCidr(d.network.cidr) as Ipv4Block, d.network.azs);
  return { cidr: d.network.cidr, azs: d.network.azs, singleNatGateway: d.network.singleNatGateway, nat: resolveNat(d), flowLogs: { ...d.network.flowLogs }, privateSubnets: subnets.private, publicSubnets: subnets.public };
}

/** The NAT instance's root disk: the AMI's size; nothing is stored on it. */
export const NAT_ROOT_GIB = 8;

function resolveNat(d: Deployment): ResolvedNetwork["nat"] {
  if (d.network.nat === "gateway") return { kind: "gateway" };
  // The checks refuse an unknown type before resolution.
  return { kind: "instance", instanceType: d.network.natInstanceType, arch: instanceType(d.network.natInstanceType)!.arch };
}

export function resolveCluster(d: Deployment): ResolvedCluster {
  const core = d.cluster.coreNodes;
  return {
    name: d.name,
    kubernetesVersion: d.cluster.kubernetesVersion,
    logTypes: d.cluster.controlPlaneLogs === "all" ? ["api", "audit", "authenticator", "controllerManager", "scheduler"] : ["api", "audit", "authenticator"],
    endpointPublicAccessCidrs: d.cluster.endpointPublicAccessCidrs,
    admins: d.cluster.admins,
    createdBy: d.cluster.createdBy,
    coreNodes: {
      instanceTypes: core.instanceTypes,
      arch: instanceType(core.instanceTypes[0])!.arch,
      min: core.min,
      desired: core.desired,
      max: core.max,
      diskGiB: toGiB(parseQuantity(core.diskSize)),
      ...(core.spot ? { spot: { instanceTypes: core.spot.instanceTypes, desired: core.spot.desired, max: core.spot.max } } : {}),
    },
    controllerReplicas: Math.min(2, core.desired + (core.spot?.desired ?? 0)),
  };
}
