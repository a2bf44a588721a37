/**
 * EC2 instance shapes dandihub reasons about offline: which types exist, their vCPUs, memory,
 * GPUs and architecture. Used to reject typos and profiles that fit no node before anything is
 * synthesized. Shapes follow the EC2 instance-type documentation (standard size ladder: large =
 * 2 vCPUs, xlarge = 4, Nxlarge = 4N); prices are not here.
 */

export type Arch = "amd64" | "arm64";
export type GpuType = "t4" | "a10g" | "l4" | "l40s" | "t4g";

export interface InstanceShape {
  readonly name: string;
  readonly family: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: Arch;
  readonly gpus: number;
  readonly gpuType?: GpuType;
  readonly burstable: boolean;
}

interface FamilySpec {
  readonly arch: Arch;
  /** GiB of memory per vCPU. */
  readonly memPerVcpu: number;
  readonly sizes: readonly string[];
  readonly burstable?: boolean;
  readonly gpuType?: GpuType;
  /** Per size: [vCPU, memory GiB, GPUs] where the family leaves the standard ladder. */
  readonly explicit?: Readonly<Record<string, readonly [number, number, number]>>;
}

const LADDER = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"];
const GRAVITON = ["medium", ...LADDER.slice(0, 7)];

const FAMILIES: Readonly<Record<string, FamilySpec>> = {
  // burstable (core nodes, tiny hubs)
  t3: { arch: "amd64", memPerVcpu: 4, burstable: true, sizes: ["medium", "large", "xlarge", "2xlarge"], explicit: { medium: [2, 4, 0], large: [2, 8, 0], xlarge: [4, 16, 0], "2xlarge": [8, 32, 0] } },
  t3a: { arch: "amd64", memPerVcpu: 4, burstable: true, sizes: ["medium", "large", "xlarge", "2xlarge"], explicit: { medium: [2, 4, 0], large: [2, 8, 0], xlarge: [4, 16, 0], "2xlarge": [8, 32, 0] } },
  t4g: { arch: "arm64", memPerVcpu: 4, burstable: true, sizes: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"], explicit: { nano: [2, 0.5, 0], micro: [2, 1, 0], small: [2, 2, 0], medium: [2, 4, 0], large: [2, 8, 0], xlarge: [4, 16, 0], "2xlarge": [8, 32, 0] } },
  // general purpose
  m5: { arch: "amd64", memPerVcpu: 4, sizes: LADDER },
  m5a: { arch: "amd64", memPerVcpu: 4, sizes: LADDER },
  m6i: { arch: "amd64", memPerVcpu: 4, sizes: [...LADDER, "32xlarge"] },
  m6a: { arch: "amd64", memPerVcpu: 4, sizes: [...LADDER, "32xlarge", "48xlarge"] },
  m7i: { arch: "amd64", memPerVcpu: 4, sizes: [...LADDER, "48xlarge"] },
  "m7i-flex": { arch: "amd64", memPerVcpu: 4, sizes: LADDER.slice(0, 7) },
  m7a: { arch: "amd64", memPerVcpu: 4, sizes: ["medium", ...LADDER, "32xlarge", "48xlarge"] },
  m6g: { arch: "arm64", memPerVcpu: 4, sizes: GRAVITON },
  m7g: { arch: "arm64", memPerVcpu: 4, sizes: GRAVITON },
  m8g: { arch: "arm64", memPerVcpu: 4, sizes: [...GRAVITON, "24xlarge", "48xlarge"] },
  // compute optimised
  c5: { arch: "amd64", memPerVcpu: 2, sizes: ["large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"] },
  c5a: { arch: "amd64", memPerVcpu: 2, sizes: LADDER },
  c6i: { arch: "amd64", memPerVcpu: 2, sizes: [...LADDER, "32xlarge"] },
  c6a: { arch: "amd64", memPerVcpu: 2, sizes: [...LADDER, "32xlarge", "48xlarge"] },
  c7i: { arch: "amd64", memPerVcpu: 2, sizes: [...LADDER, "48xlarge"] },
  c7a: { arch: "amd64", memPerVcpu: 2, sizes: ["medium", ...LADDER, "32xlarge", "48xlarge"] },
  c6g: { arch: "arm64", memPerVcpu: 2, sizes: GRAVITON },
  c7g: { arch: "arm64", memPerVcpu: 2, sizes: GRAVITON },
  c8g: { arch: "arm64", memPerVcpu: 2, sizes: [...GRAVITON, "24xlarge", "48xlarge"] },
  // memory optimised
  r5: { arch: "amd64", memPerVcpu: 8, sizes: LADDER },
  r5a: { arch: "amd64", memPerVcpu: 8, sizes: LADDER },
  r6i: { arch: "amd64", memPerVcpu: 8, sizes: [...LADDER, "32xlarge"] },
  r6a: { arch: "amd64", memPerVcpu: 8, sizes: [...LADDER, "32xlarge", "48xlarge"] },
  r7i: { arch: "amd64", memPerVcpu: 8, sizes: [...LADDER, "48xlarge"] },
  r7a: { arch: "amd64", memPerVcpu: 8, sizes: ["medium", ...LADDER, "32xlarge", "48xlarge"] },
  r6g: { arch: "arm64", memPerVcpu: 8, sizes: GRAVITON },
  r7g: { arch: "arm64", memPerVcpu: 8, sizes: GRAVITON },
  r8g: { arch: "arm64", memPerVcpu: 8, sizes: [...GRAVITON, "24xlarge", "48xlarge"] },
  // GPU
  g4dn: {
    arch: "amd64", memPerVcpu: 4, gpuType: "t4", sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
    explicit: { xlarge: [4, 16, 1], "2xlarge": [8, 32, 1], "4xlarge": [16, 64, 1], "8xlarge": [32, 128, 1], "12xlarge": [48, 192, 4], "16xlarge": [64, 256, 1] },
  },
  g5: {
    arch: "amd64", memPerVcpu: 4, gpuType: "a10g", sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
    explicit: { xlarge: [4, 16, 1], "2xlarge": [8, 32, 1], "4xlarge": [16, 64, 1], "8xlarge": [32, 128, 1], "12xlarge": [48, 192, 4], "16xlarge": [64, 256, 1], "24xlarge": [96, 384, 4], "48xlarge": [192, 768, 8] },
  },
  g6: {
    arch: "amd64", memPerVcpu: 4, gpuType: "l4", sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
    explicit: { xlarge: [4, 16, 1], "2xlarge": [8, 32, 1], "4xlarge": [16, 64, 1], "8xlarge": [32, 128, 1], "12xlarge": [48, 192, 4], "16xlarge": [64, 256, 1], "24xlarge": [96, 384, 4], "48xlarge": [192, 768, 8] },
  },
  g6e: {
    arch: "amd64", memPerVcpu: 8, gpuType: "l40s", sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
    explicit: { xlarge: [4, 32, 1], "2xlarge": [8, 64, 1], "4xlarge": [16, 128, 1], "8xlarge": [32, 256, 1], "12xlarge": [48, 384, 4], "16xlarge": [64, 512, 1], "24xlarge": [96, 768, 4], "48xlarge": [192, 1536, 8] },
  },
  g5g: {
    arch: "arm64", memPerVcpu: 2, gpuType: "t4g", sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"],
    explicit: { xlarge: [4, 8, 1], "2xlarge": [8, 16, 1], "4xlarge": [16, 32, 1], "8xlarge": [32, 64, 1], "16xlarge": [64, 128, 2] },
  },
};

function ladderVcpu(size: string): number {
  if (size === "medium") return 1;
  if (size === "large") return 2;
  if (size === "xlarge") return 4;
  const m = /^([0-9]+)xlarge$/.exec(size);
  if (!m) throw new Error(`unknown size ${size}`);
  return 4 * Number(m[1]);
}

function shape(family: string, size: string): InstanceShape {
  const spec = FAMILIES[family];
  const explicit = spec.explicit?.[size];
  const vcpu = explicit ? explicit[0] : ladderVcpu(size);
  return {
    name: `${family}.${size}`,
    family,
    vcpu,
    memoryGiB: explicit ? explicit[1] : vcpu * spec.memPerVcpu,
    arch: spec.arch,
    gpus: explicit ? explicit[2] : 0,
    gpuType: spec.gpuType,
    burstable: spec.burstable ?? false,
  };
}

export const INSTANCE_FAMILIES: readonly string[] = Object.keys(FAMILIES);

export const GPU_FAMILIES_BY_TYPE: Readonly<Record<GpuType, readonly string[]>> = {
  t4: ["g4dn"],
  a10g: ["g5"],
  l4: ["g6"],
  l40s: ["g6e"],
  t4g: ["g5g"],
};

export function isKnownFamily(family: string): boolean {
  return family in FAMILIES;
}

export function isGpuFamily(family: string): boolean {
  return FAMILIES[family]?.gpuType !== undefined;
}

export function familyArch(family: string): Arch | undefined {
  return FAMILIES[family]?.arch;
}

/** Every instance type of a family, smallest first. */
export function instancesOf(family: string): InstanceShape[] {
  const spec = FAMILIES[family];
  return spec ? spec.sizes.map((size) => shape(family, size)) : [];
}

export function instanceType(name: string): InstanceShape | undefined {
  const dot = name.indexOf(".");
  if (dot < 0) return undefined;
  const family = name.slice(0, dot);
  const size = name.slice(dot + 1);
  return FAMILIES[family]?.sizes.includes(size) ? shape(family, size) : undefined;
}

/**
 * What a node leaves for pods after the kubelet, system reserve and the DaemonSets every
 * dandihub node runs (VPC CNI, kube-proxy, EBS CSI, pod identity, image puller): EKS's
 * reservation formula for memory (255 MiB + 11 MiB per pod, for ~58 pods on a large node)
 * rounded up, plus the eviction threshold; a small fixed CPU share.
 */
export function allocatable(i: InstanceShape): { vcpu: number; memoryGiB: number } {
  const systemCpu = 0.06 + 0.01 + 0.005 * Math.max(0, i.vcpu - 1) + 0.35; // kube-reserved + DaemonSets
  const systemMemGiB = 0.25 + 0.011 * Math.min(110, 29 + 8 * i.vcpu) + 0.1 + 0.6; // kube-reserved + eviction + DaemonSets
  return { vcpu: i.vcpu - systemCpu, memoryGiB: i.memoryGiB - systemMemGiB };
}
