/** Cross-field rules of the platform sections: state backend, VPC block, cluster and core nodes. */
import { CORE_COMPONENTS } from "../../core/catalog/core-images";
import { onDemandCoreFit, onDemandCoreWorkloads } from "./core-placement";
import { instanceType, type InstanceShape } from "../../core/catalog/instance-types";
import { overlaps, parseCidr, type Ipv4Block } from "../../core/util/cidr";
import { EKS_ADDON_VERSIONS, type KubernetesMinor } from "../../../modules/versions";
import type { ConfigProblem } from "../../config/errors";
import { cidrListProblems, exactlyOne, unknownInstanceType } from "../../config/rules";
import type { Deployment } from "../../config/schema";
import { SERVICE_CIDR_BLOCK } from "../../core/names";

/** Kubernetes minors EKS offers and Karpenter supports: those with pinned add-ons (modules/versions.ts). */
export const SUPPORTED_KUBERNETES = Object.keys(EKS_ADDON_VERSIONS) as readonly KubernetesMinor[];

export function checkPlatform(d: Deployment): ConfigProblem[] {
  return [...checkBackend(d), ...checkNetwork(d), ...checkCluster(d)];
}

function checkBackend(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [...exactlyOne(["backend"], d.backend, ["local", "s3", "cloud"])];
  const cloud = d.backend?.cloud;
  if (cloud && !cloud.executionMode) {
    problems.push({
      path: ["backend", "cloud"],
      atKey: true,
      message:
        "say where Terraform runs: executionMode: local (your machine, state in Terraform Cloud) or agent (an HCP Terraform agent with the AWS CLI that can reach the cluster's API). " +
        "Terraform Cloud's remote runners cannot: they come from unpublished addresses (the API endpoint is restricted to cluster.endpointPublicAccessCidrs) and have no AWS CLI for `aws eks get-token` (help/getting-started.md)",
    });
  }
  if (cloud?.agentCidrs.length && cloud.executionMode !== "agent") {
    problems.push({ path: ["backend", "cloud", "agentCidrs"], message: "only for executionMode: agent" });
  }
  if (cloud) problems.push(...cidrListProblems(["backend", "cloud", "agentCidrs"], cloud.agentCidrs));
  const local = d.backend?.local?.path;
  if (local !== undefined && (local.startsWith("/") || /^[A-Za-z]:[\\/]/.test(local) || local.split(/[\\/]/).includes(".."))) {
    problems.push({ path: ["backend", "local", "path"], message: "must be a path relative to the project directory, inside it (no leading /, no ..)" });
  }
  return problems;
}

function checkNat(d: Deployment): ConfigProblem[] {
  const n = d.network;
  if (n.nat !== "instance") return [];
  if (!n.singleNatGateway) {
    return [{ path: ["network", "singleNatGateway"], message: "false asks for one NAT per zone, but nat: instance runs one NAT instance: set network.nat: gateway for a gateway in every zone" }];
  }
  const shape = instanceType(n.natInstanceType);
  if (!shape) return [unknownInstanceType(["network", "natInstanceType"], n.natInstanceType)];
  if (shape.gpus) return [{ path: ["network", "natInstanceType"], message: `${n.natInstanceType} is a GPU instance: a NAT instance needs network bandwidth only (t4g.nano, t4g.small)` }];
  return [];
}

function checkNetwork(d: Deployment): ConfigProblem[] {
  const problems = [...checkNat(d), ...cidrListProblems(["cluster", "endpointPublicAccessCidrs"], d.cluster.endpointPublicAccessCidrs)];
  const vpc = parseCidr(d.network.cidr);
  if (typeof vpc === "string") return [{ path: ["network", "cidr"], message: `invalid CIDR: ${vpc}` }, ...problems];
  if (vpc.prefix < 16 || vpc.prefix > 20) {
    problems.push({ path: ["network", "cidr"], message: "the VPC needs a /16 to /20 block (pods take VPC addresses)" });
  }
  const reserved: [string, Ipv4Block][] = [
    [`${SERVICE_CIDR_BLOCK} (the cluster's service addresses)`, parseCidr(SERVICE_CIDR_BLOCK) as Ipv4Block],
    ["172.17.0.0/16 (Docker's bridge, unusable on EKS nodes)", { base: 0xac110000, prefix: 16 }],
    ["100.64.0.0/10 (carrier-grade NAT, used for EKS secondary ranges)", { base: 0x64400000, prefix: 10 }],
  ];
  for (const [label, block] of reserved) {
    if (overlaps(vpc, block)) problems.push({ path: ["network", "cidr"], message: `overlaps ${label}; choose a block in 10.0.0.0/8 or 192.168.0.0/16` });
  }
  // User servers' egress policy (z2jh: no private IPs) excludes exactly the RFC 1918 ranges: a VPC
  // outside them would leave every pod and NFS server reachable as "the internet".
  const rfc1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr(c) as Ipv4Block);
  if (!rfc1918.some((r) => overlaps(vpc, r) && vpc.prefix >= r.prefix)) {
    problems.push({ path: ["network", "cidr"], message: "must be a private (RFC 1918) block, in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16: user servers' egress policy keeps them off exactly those" });
  }
  return problems;
}

function checkCluster(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [...checkAdmins(d)];
  const c = d.cluster;
  if (!(SUPPORTED_KUBERNETES as readonly string[]).includes(c.kubernetesVersion)) {
    problems.push({ path: ["cluster", "kubernetesVersion"], message: `supported: ${SUPPORTED_KUBERNETES.join(", ")}` });
  }
  const core = c.coreNodes;
  const shapes = core.instanceTypes.map((name, i) => {
    const shape = instanceType(name);
    if (!shape) problems.push(unknownInstanceType(["cluster", "coreNodes", "instanceTypes", i], name));
    else if (shape.gpus) problems.push({ path: ["cluster", "coreNodes", "instanceTypes", i], message: "core nodes cannot be GPU instances" });
    return shape;
  });
  const arches = new Set(shapes.filter((s): s is InstanceShape => !!s).map((s) => s.arch));
  if (arches.size > 1) {
    problems.push({ path: ["cluster", "coreNodes", "instanceTypes"], message: "a node group has one architecture: list only amd64 or only arm64 (Graviton) types" });
  } else if (arches.has("arm64")) {
    for (const component of CORE_COMPONENTS.filter((x) => !x.arm64 && x.enabled(d))) {
      problems.push({ path: ["cluster", "coreNodes", "instanceTypes"], message: `${component.name} has no arm64 image: use amd64 core types (e.g. t3a.large)` });
    }
  }
  if (!(core.min <= core.desired && core.desired <= core.max)) {
    problems.push({ path: ["cluster", "coreNodes"], message: `needs min <= desired <= max (got ${core.min} <= ${core.desired} <= ${core.max})` });
  }
  if (core.spot) problems.push(...checkSpotShare(d, [...arches][0]));
  return problems;
}

/** The spot share: the on-demand types' architecture, and on-demand nodes that still hold what is pinned to them. */
function checkSpotShare(d: Deployment, arch: string | undefined): ConfigProblem[] {
  const spot = d.cluster.coreNodes.spot!;
  const problems: ConfigProblem[] = [];
  spot.instanceTypes.forEach((name, i) => {
    const shape = instanceType(name);
    const path = ["cluster", "coreNodes", "spot", "instanceTypes", i];
    if (!shape) problems.push(unknownInstanceType(path, name));
    else if (shape.gpus) problems.push({ path, message: "core nodes cannot be GPU instances" });
    else if (arch && shape.arch !== arch) problems.push({ path, message: `is ${shape.arch}; the on-demand core types are ${arch}, and the same pods run on both` });
  });
  if (spot.desired > spot.max) problems.push({ path: ["cluster", "coreNodes", "spot"], message: `needs desired <= max (got ${spot.desired} <= ${spot.max})` });
  const fit = onDemandCoreFit(d);
  if (fit && !fit.fits) {
    const pinned = onDemandCoreWorkloads(d).map((w) => (w.pods > 1 ? `${w.pods} ${w.name}` : w.name)).join(", ");
    const core = d.cluster.coreNodes;
    problems.push({
      path: ["cluster", "coreNodes", "min"],
      message: `${core.min} x ${core.instanceTypes[0]} on-demand cannot hold what stays on on-demand nodes with a spot share (${pinned}): they request ${fit.cpu.toFixed(2)} vCPU and ${fit.memoryGiB.toFixed(1)} GiB, the nodes leave ${fit.freeCpu.toFixed(2)} vCPU and ${fit.freeMemoryGiB.toFixed(1)} GiB. Raise min (and desired), or pick a larger type`,
    });
  }
  return problems;
}

/** Named cluster admins: who has kubectl must not depend on who applied first. */
function checkAdmins(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { admins, createdBy } = d.cluster;
  if (!admins.length && d.environment !== "development") {
    problems.push({
      path: ["cluster", "admins"],
      atKey: true,
      message:
        "production needs named cluster admins: the role Terraform runs as (CI, Terraform Cloud) and the roles of the people who run kubectl (help/runbooks.md, \"Who has kubectl\"). Without them access belongs to whoever applied first",
    });
  }
  admins.forEach((arn, i) => {
    if (admins.indexOf(arn) !== i) problems.push({ path: ["cluster", "admins", i], message: `${arn} is listed twice (EKS allows one access entry per principal)` });
    const account = arn.split(":")[4];
    if (d.aws.accountId && account !== d.aws.accountId) problems.push({ path: ["cluster", "admins", i], message: `is in account ${account}, not aws.accountId ${d.aws.accountId}` });
  });
  if (createdBy !== undefined && !admins.includes(createdBy)) {
    problems.push({ path: ["cluster", "createdBy"], message: "must be one of cluster.admins: its entry is kept as that admin's" });
  }
  return problems;
}
