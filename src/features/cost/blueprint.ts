/**
 * The AWS JupyterHub blueprint's default deployment, as estimate inputs, for the comparison in
 * help/cost.md: awslabs/ai-on-eks `infra/jupyterhub` over `infra/base/terraform` at 90f920c6
 * (2026-05-31). Its variables give 2 zones and a single NAT gateway (tests check these against
 * the variables file in DANDIHUB_SHARED); its EKS node group gives the two m6i.xlarge core nodes
 * with the node group's default 20 GiB disk; the hub sits behind an internal NLB, homes on EFS,
 * the hub database on the chart's 1 GiB volume.
 */
import type { FloorInputs } from "./estimate";

export const BLUEPRINT_SOURCE = "awslabs/ai-on-eks infra/jupyterhub (base infra/base/terraform @ 90f920c6, 2026-05-31)";

export const BLUEPRINT_FLOOR: FloorInputs = {
  // terraform-aws-modules/eks creates the cluster's secrets key unless told not to.
  kmsKeys: 1,
  nat: { gateways: 1 },
  publicLoadBalancerZones: 0,
  core: { type: "m6i.xlarge", count: 2, diskGiB: 20 },
  volumes: [{ label: "hub database volume", gib: 1 }],
  efs: true,
};

/** The blueprint variables these inputs rest on, by name and default. */
export const BLUEPRINT_VARIABLES = { availability_zones_count: 2, single_nat_gateway: true } as const;
