/**
 * The offline cost estimate of a deployment: what it costs with nobody on it (the idle floor),
 * what one server of each profile costs per hour on spot and on-demand (nodes packed as
 * Karpenter would: the cheapest instance per server that fits), and what each group's expected
 * use costs per month. Pure functions of the HubConfig and the price table.
 */
import { allocatable, instancesOf, instanceType, type InstanceShape } from "../../core/catalog/instance-types";
import type { PlannedPool } from "../capacity/pools";
import type { HubConfig, ResolvedProfile } from "../../config/resolve";
import type { Capacity } from "../capacity/pools";
import { STORAGE_FAMILIES, STORAGE_SIZES } from "../capacity/node-pools";
import { NFS_SERVER_REQUESTS } from "../storage/layout";
import type { Usage, UsageLine } from "./resolve";
import { EKS_STANDARD_SUPPORT_ENDS } from "../../../modules/versions";
import { KUBECOST_VOLUME_GIB } from "../monitoring/manifests";
import { NAT_ROOT_GIB } from "../platform/resolve";
import { HOURS_PER_MONTH, instancePrice, PRICES } from "./prices";
import { spotUsd, type Spot, type SpotPrices } from "./spot";
import { hoursPerWeek } from "../capacity/warm";
import { startTime, startTimeoutNote, type StartTime } from "../capacity/start-time";

const GIB = 2 ** 30;

export interface LineItem {
  readonly item: string;
  /** What was counted, e.g. "2 x t4g.large". */
  readonly quantity: string;
  readonly monthlyUsd: number;
}

/** The parts of a deployment that cost money with no users. */
export interface FloorInputs {
  /** The control plane's Kubernetes version left standard support on this date (extended support). @default standard support */
  readonly extendedSupportSince?: { readonly version: string; readonly date: string };
  /** Customer managed KMS keys (the cluster's secrets key). @default 0 */
  readonly kmsKeys?: number;
  /** How private subnets reach the internet: this many NAT gateways, or one NAT instance. */
  readonly nat: { readonly gateways: number } | { readonly instance: string };
  /** Zones of an internet-facing load balancer (one public IPv4 each); 0 for an internal one. */
  readonly publicLoadBalancerZones: number;
  readonly core: { readonly type: string; readonly count: number; readonly diskGiB: number };
  /** The core nodes' spot share, priced at `discount` below on-demand. @default none */
  readonly coreSpot?: { readonly type: string; readonly count: number; readonly diskGiB: number; readonly spot: Spot };
  /** NFS servers on the storage pool (home-nfs mode), and that pool's node disk. */
  readonly nfs?: { readonly servers: number; readonly diskGiB: number };
  /** Provisioned gp3 volumes (billed by size, used or not). */
  readonly volumes: readonly { readonly label: string; readonly gib: number }[];
  /** Homes on EFS: billed per GB stored, nothing at zero use. */
  readonly efs: boolean;
}

/** Where the Kubernetes version stands on `asOf`: in standard support, or since when not. */
export function supportOf(version: string, asOf: Date): { version: string; endsOn: string; extended: boolean } {
  const endsOn = (EKS_STANDARD_SUPPORT_ENDS as Record<string, string>)[version];
  return { version, endsOn, extended: endsOn !== undefined && asOf.toISOString().slice(0, 10) > endsOn };
}

export function floorInputs(config: HubConfig, asOf: Date = new Date(), spot: Spot = config.cost.spotDiscount): FloorInputs {
  const homeNfs = config.storage.mode === "home-nfs";
  const support = supportOf(config.cluster.kubernetesVersion, asOf);
  // Volumes are billed as provisioned: growing ones at what they start with.
  const groupGiB = config.groups.reduce((sum, g) => sum + g.storage.initialSizeGiB, 0);
  const share = config.cluster.coreNodes.spot;
  return {
    ...(support.extended ? { extendedSupportSince: { version: support.version, date: support.endsOn } } : {}),
    kmsKeys: config.storage.kmsKey === "customer" ? 2 : 1,
    nat: config.network.nat.kind === "instance" ? { instance: config.network.nat.instanceType } : { gateways: config.network.singleNatGateway ? 1 : config.network.azs },
    publicLoadBalancerZones: config.network.azs,
    core: { type: config.cluster.coreNodes.instanceTypes[0], count: config.cluster.coreNodes.desired, diskGiB: config.cluster.coreNodes.diskGiB },
    ...(share ? { coreSpot: { type: share.instanceTypes[0], count: share.desired, diskGiB: config.cluster.coreNodes.diskGiB, spot } } : {}),
    nfs: homeNfs && config.storage.servers === "dedicated" ? { servers: config.groups.length + 1, diskGiB: config.userNodes.diskGiB } : undefined,
    volumes: [
      ...(homeNfs
        ? [
            { label: `group home volumes (${config.groups.length})`, gib: groupGiB },
            { label: "hub-wide shared volume", gib: config.storage.commonInitialGiB },
          ]
        : []),
      { label: "hub database volume", gib: Math.ceil(config.hub.dbSizeBytes / GIB) },
      ...(config.monitoring.enabled ? [{ label: "Prometheus volume", gib: config.monitoring.storageGiB }] : []),
      ...(config.monitoring.enabled && config.cost.kubecost ? [{ label: "Kubecost volume", gib: KUBECOST_VOLUME_GIB }] : []),
    ],
    efs: !homeNfs,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** $/hour of a gp3 root disk (never discounted, spot or not). */
function diskHourlyUsd(diskGiB: number): number {
  return (diskGiB * PRICES.gp3PerGbMonth.usd) / HOURS_PER_MONTH;
}

/** On-demand $/hour of a node of this type including its gp3 root disk. */
export function nodeHourlyUsd(type: string, diskGiB: number): number | undefined {
  const shape = instanceType(type);
  const price = shape && instancePrice(type, shape.vcpu);
  if (!price) return undefined;
  return price.usd + diskHourlyUsd(diskGiB);
}

function mustPrice(type: string, diskGiB: number): number {
  const usd = nodeHourlyUsd(type, diskGiB);
  if (usd === undefined) throw new Error(`no price for ${type} in src/features/cost/prices.ts`);
  return usd;
}

/** How many pods with these requests fit on one node of the type (after system reservations). */
export function podsPerNode(shape: InstanceShape, cpu: number, memoryBytes: number, gpus = 0): number {
  const free = allocatable(shape);
  const eps = 1e-9;
  let n = Math.min(Math.floor(free.vcpu / cpu + eps), Math.floor((free.memoryGiB * GIB) / memoryBytes + eps));
  if (gpus > 0) n = Math.min(n, Math.floor(shape.gpus / gpus));
  return Math.max(0, n);
}

/** The cheapest storage-pool node with room for every NFS server. */
export function storageNode(servers: number): { type: string; count: number } {
  let best: { type: string; count: number; usd: number } | undefined;
  for (const family of STORAGE_FAMILIES) {
    for (const size of STORAGE_SIZES) {
      const type = `${family}.${size}`;
      const shape = instanceType(type);
      const usd = nodeHourlyUsd(type, 0);
      if (!shape || usd === undefined) continue;
      const per = podsPerNode(shape, NFS_SERVER_REQUESTS.cpu, NFS_SERVER_REQUESTS.memoryBytes);
      if (per < 1) continue;
      const count = Math.ceil(servers / per);
      if (!best || count * usd < best.count * best.usd) best = { type, count, usd };
    }
  }
  if (!best) throw new Error("no priced storage-pool instance fits an NFS server");
  return { type: best.type, count: best.count };
}

export function idleFloor(f: FloorInputs): { items: LineItem[]; monthlyUsd: number } {
  const h = HOURS_PER_MONTH;
  const ip = PRICES.publicIpv4PerHour.usd;
  const items: LineItem[] = [
    f.extendedSupportSince
      ? {
          item: `EKS control plane, extended support (${f.extendedSupportSince.version} left standard support after ${f.extendedSupportSince.date})`,
          quantity: "1 cluster",
          monthlyUsd: PRICES.eksExtendedSupportPerHour.usd * h,
        }
      : { item: "EKS control plane", quantity: "1 cluster", monthlyUsd: PRICES.eksControlPlanePerHour.usd * h },
    ...(f.kmsKeys ? [{ item: f.kmsKeys > 1 ? "KMS keys (the cluster's secrets, user data)" : "KMS key (the cluster's secrets)", quantity: `${f.kmsKeys}`, monthlyUsd: f.kmsKeys * PRICES.kmsKeyPerMonth.usd }] : []),
    "instance" in f.nat
      ? { item: "NAT instance (with its public IPv4 and root disk)", quantity: `1 x ${f.nat.instance}`, monthlyUsd: (mustPrice(f.nat.instance, NAT_ROOT_GIB) + ip) * h }
      : { item: "NAT gateway (with its public IPv4)", quantity: `${f.nat.gateways}`, monthlyUsd: f.nat.gateways * (PRICES.natGatewayPerHour.usd + ip) * h },
    {
      item: f.publicLoadBalancerZones ? "Network Load Balancer (public IPv4 per zone)" : "Network Load Balancer (internal)",
      quantity: f.publicLoadBalancerZones ? `1, ${f.publicLoadBalancerZones} zones` : "1",
      monthlyUsd: (PRICES.nlbPerHour.usd + f.publicLoadBalancerZones * ip) * h,
    },
    { item: f.coreSpot ? "core nodes, on-demand (with root disks)" : "core nodes (with root disks)", quantity: `${f.core.count} x ${f.core.type}`, monthlyUsd: f.core.count * mustPrice(f.core.type, f.core.diskGiB) * h },
  ];
  if (f.coreSpot) {
    const s = f.coreSpot;
    items.push({ item: "core nodes, spot share (with root disks)", quantity: `${s.count} x ${s.type}`, monthlyUsd: s.count * (spotUsd(s.spot, s.type, mustPrice(s.type, 0)) + diskHourlyUsd(s.diskGiB)) * h });
  }
  if (f.nfs) {
    const node = storageNode(f.nfs.servers);
    items.push({ item: `NFS storage node (${f.nfs.servers} servers)`, quantity: `${node.count} x ${node.type}`, monthlyUsd: node.count * mustPrice(node.type, f.nfs.diskGiB) * h });
  }
  for (const v of f.volumes) items.push({ item: v.label, quantity: `${v.gib} GiB gp3`, monthlyUsd: v.gib * PRICES.gp3PerGbMonth.usd });
  if (f.efs) items.push({ item: "EFS homes (per GB stored)", quantity: "0 GB at zero use", monthlyUsd: 0 });
  const rounded = items.map((i) => ({ ...i, monthlyUsd: round2(i.monthlyUsd) }));
  return { items: rounded, monthlyUsd: round2(rounded.reduce((s, i) => s + i.monthlyUsd, 0)) };
}

/**
 * A pool full to its limits, per hour: its vCPUs (or GPUs) at the cheapest rate any of its
 * families offers, spot discounted where it is spot.
 */
export function poolAtLimitHourlyUsd(pool: Pick<PlannedPool, "families" | "capacity" | "limits" | "gpuType">, spot: Spot): number {
  const hourly = (type: string, usd: number) => (pool.capacity === "spot" ? spotUsd(spot, type, usd) : usd);
  const shapes = pool.families.flatMap((f) => instancesOf(f));
  const rates = shapes
    .map((shape) => ({ shape, price: instancePrice(shape.name, shape.vcpu) }))
    .filter((x): x is { shape: InstanceShape; price: NonNullable<typeof x.price> } => !!x.price)
    .map(({ shape, price }) => hourly(shape.name, price.usd) / (pool.gpuType ? Math.max(1, shape.gpus) : shape.vcpu));
  if (!rates.length) return 0;
  const units = pool.gpuType ? pool.limits.gpus : pool.limits.cpu;
  return units * Math.min(...rates);
}

export interface ServerRate {
  /** Servers running at once. */
  readonly concurrent: number;
  readonly type: string;
  readonly nodes: number;
  /** $ per server-hour with that many servers on the cheapest set of nodes of one type. */
  readonly usdPerServerHour: number;
}

/** Servers at once in the profile table's "busy" column. */
export const BUSY = 10;

export interface ProfileRates {
  readonly profile: string;
  readonly capacity: Capacity;
  /** One server alone on the cheapest node that fits it (a quiet hour). */
  readonly alone: ServerRate;
  /** BUSY servers at once, packed. */
  readonly busy: ServerRate;
}

/**
 * The node type whose nodes cost least per server-hour, given how many nodes `concurrent`
 * servers keep running with `perNode` servers to a node. Spot discounts the instance, not its
 * root disk.
 */
function cheapestRate(p: ResolvedProfile, capacity: Capacity, diskGiB: number, spot: Spot, concurrent: number, nodesFor: (perNode: number) => number): ServerRate | undefined {
  const diskPerHour = diskHourlyUsd(diskGiB);
  let best: ServerRate | undefined;
  for (const shape of p.instances) {
    const price = instancePrice(shape.name, shape.vcpu);
    if (!price) continue;
    const perNode = podsPerNode(shape, p.cpu.guarantee, p.memory.guaranteeBytes, p.gpu?.count ?? 0);
    if (perNode < 1) continue;
    const nodes = nodesFor(perNode);
    const nodeHour = (capacity === "spot" ? spotUsd(spot, shape.name, price.usd) : price.usd) + diskPerHour;
    // Nobody on at all: a server that starts is alone on its node.
    const usd = concurrent > 0 ? (nodes * nodeHour) / concurrent : nodeHour;
    if (!best || usd < best.usdPerServerHour - 1e-12) best = { concurrent, type: shape.name, nodes, usdPerServerHour: usd };
  }
  return best;
}

/**
 * $ per server-hour with `concurrent` servers of the profile running: the node type whose
 * nodes hold them most cheaply (Karpenter picks the cheapest instances that fit the pending
 * servers).
 */
export function serverRate(p: ResolvedProfile, capacity: Capacity, diskGiB: number, spot: Spot, concurrent: number): ServerRate | undefined {
  const c = Math.max(1, concurrent);
  return cheapestRate(p, capacity, diskGiB, spot, c, (perNode) => Math.ceil(c / perNode));
}

/**
 * Nodes running on average when servers come and go independently, `mean` running on average
 * (a Poisson count N), `perNode` to a node: E[ceil(N / perNode)]. Smooth in the number of users,
 * unlike pricing the rounded-up peak as if it ran all month.
 */
export function expectedNodes(mean: number, perNode: number): number {
  if (mean <= 0) return 0;
  // E[ceil(N/k)] = sum over j >= 0 of P(N > j k).
  const top = Math.ceil(mean + 12 * Math.sqrt(mean) + 20);
  let p = Math.exp(-mean);
  let cdf = p;
  let sum = 0;
  for (let n = 0; n <= top; n++) {
    if (n % perNode === 0) sum += 1 - cdf;
    p *= mean / (n + 1);
    cdf += p;
  }
  return sum;
}

/**
 * $ per server-hour for servers running `mean` at a time on average, arriving independently:
 * the node type whose expected node-hours cost least per server-hour.
 */
export function averageRate(p: ResolvedProfile, capacity: Capacity, diskGiB: number, spot: Spot, mean: number): ServerRate | undefined {
  // With almost no one on, each server is alone on its node.
  return cheapestRate(p, capacity, diskGiB, spot, mean, (perNode) => (mean < 1e-6 ? mean : expectedNodes(mean, perNode)));
}

/**
 * The rate of a usage line: a workshop (`concurrent`) runs everyone at once; otherwise servers
 * come and go on their own, users x hours / 730 running on average.
 */
export function usageRate(p: ResolvedProfile, capacity: Capacity, diskGiB: number, spot: Spot, u: UsageLine): ServerRate | undefined {
  return u.concurrent !== undefined ? serverRate(p, capacity, diskGiB, spot, u.concurrent) : averageRate(p, capacity, diskGiB, spot, (u.users * u.hoursPerMonth) / HOURS_PER_MONTH);
}

export function profileRates(p: ResolvedProfile, capacity: Capacity, diskGiB: number, spot: Spot): ProfileRates | undefined {
  const alone = serverRate(p, capacity, diskGiB, spot, 1);
  const busy = serverRate(p, capacity, diskGiB, spot, BUSY);
  return alone && busy ? { profile: p.key, capacity, alone, busy } : undefined;
}

export interface GroupUsageLine {
  readonly profile: string;
  readonly capacity: Capacity;
  readonly users: number;
  readonly hoursPerMonth: number;
  /** Servers running at once, as packed: the given peak, or the monthly average. */
  readonly concurrent: number;
  readonly nodeType: string;
  readonly usdPerServerHour: number;
  readonly monthlyUsd: number;
  /** Warm capacity: `users` placeholders for `hoursPerMonth` each (groups.<g>.warm). @default a usage line */
  readonly warm?: true;
}

export interface GroupEstimate {
  readonly group: string;
  /** The group's own provisioned storage (its home volume), billed whether used or not. */
  readonly storageMonthlyUsd: number;
  readonly usage: readonly GroupUsageLine[];
  readonly monthlyUsd: number;
  /** Its storage plus every pool full to its NodePool limits all month: the most it can spend. */
  readonly atLimitsMonthlyUsd: number;
  readonly budget?: {
    readonly monthlyUsd: number;
    /** Server-hours of each profile the budget pays for after storage, one profile at a time. */
    readonly serverHoursWithin: Readonly<Record<string, number>>;
  };
}

export type { Usage, UsageLine };

/** Servers at once: the given peak, else the monthly average (users x hours spread over the month). */
export function concurrency(u: UsageLine): number {
  return u.concurrent ?? (u.users * u.hoursPerMonth) / HOURS_PER_MONTH;
}

export interface Estimate {
  readonly deployment: string;
  readonly region: string;
  readonly priceRegion: string;
  /** Below on-demand where no observed price applies. */
  readonly spotDiscount: number;
  /** How spot was priced: that discount, or observed prices with it as the fallback. */
  readonly spot: Spot;
  readonly idle: { readonly items: readonly LineItem[]; readonly monthlyUsd: number };
  readonly profiles: readonly ProfileRates[];
  readonly groups: readonly GroupEstimate[];
  /** Time to a notebook per profile (the model in capacity/start-time.ts). */
  readonly startTimes: readonly StartTime[];
  /** Idle floor plus every group's server hours (storage is already in the floor). */
  readonly monthlyUsd: number;
  readonly notes: readonly string[];
}

/**
 * The root volume a server of the profile pays for: its pool's in the group (pools size theirs
 * from their images), or the largest among the pools that serve it.
 */
export function nodeDiskOf(config: HubConfig, profile: string, group?: string): number {
  const pools = config.pools.filter((p) => p.profiles.includes(profile) && (group === undefined || p.group === group));
  return pools.length ? Math.max(...pools.map((p) => p.diskGiB)) : config.userNodes.diskGiB;
}

/** What the default profile costs on spot against on-demand, per server-hour (ten at once). */
function spotShareNote(rates: readonly ProfileRates[], profile: string | undefined, spot: Spot): string[] {
  const of = (capacity: Capacity) => rates.find((r) => r.profile === profile && r.capacity === capacity)?.busy.usdPerServerHour;
  const [s, od] = [of("spot"), of("on-demand")];
  if (!s || !od) return [];
  const how = typeof spot === "number" ? "from the assumed discount" : "from observed spot prices";
  return [`The default profile (${profile}) on spot: ${Math.round((s / od) * 100)}% of on-demand per server-hour, ${how} (root disks are not discounted).`];
}

export function estimate(config: HubConfig, opts: { usage?: Usage; spotDiscount?: number; spotPrices?: SpotPrices; asOf?: Date } = {}): Estimate {
  const spotDiscount = opts.spotDiscount ?? config.cost.spotDiscount;
  const spot: Spot = opts.spotPrices ? { ...opts.spotPrices, discount: spotDiscount } : spotDiscount;
  const usage = opts.usage ?? config.cost.usage;
  const asOf = opts.asOf ?? new Date();
  const idle = idleFloor(floorInputs(config, asOf, spot));
  const support = supportOf(config.cluster.kubernetesVersion, asOf);
  const byKey = new Map(config.profiles.map((p) => [p.key, p]));
  const rates: ProfileRates[] = [];
  for (const p of config.profiles) {
    for (const capacity of ["spot", "on-demand"] as const) {
      const r = profileRates(p, capacity, nodeDiskOf(config, p.key), spot);
      if (r) rates.push(r);
    }
  }
  const rate = (profile: string, capacity: Capacity) => rates.find((r) => r.profile === profile && r.capacity === capacity);
  const withKey = (profile: string) => byKey.get(profile);
  const homeNfs = config.storage.mode === "home-nfs";
  const groups: GroupEstimate[] = config.groups.map((g) => {
    const storage = homeNfs ? round2(g.storage.initialSizeGiB * PRICES.gp3PerGbMonth.usd) : 0;
    const lines: GroupUsageLine[] = Object.entries(usage[g.key] ?? {}).map(([profile, u]) => {
      const capacity = g.placements[profile]?.capacity ?? "on-demand";
      const concurrent = concurrency(u);
      const p = withKey(profile);
      const r = p && usageRate(p, capacity, nodeDiskOf(config, profile, g.key), spot, u);
      const perHour = r ? r.usdPerServerHour : 0;
      return {
        profile,
        capacity,
        users: u.users,
        hoursPerMonth: u.hoursPerMonth,
        concurrent: round2(concurrent),
        nodeType: r ? r.type : "none priced",
        usdPerServerHour: perHour,
        monthlyUsd: round2(u.users * u.hoursPerMonth * perHour),
      };
    });
    const warm = g.warm && withKey(g.warm.profile);
    if (g.warm && warm) {
      // The placeholders hold their nodes the whole window, packed like servers running at once.
      const capacity = g.placements[g.warm.profile]?.capacity ?? "on-demand";
      const r = serverRate(warm, capacity, nodeDiskOf(config, g.warm.profile, g.key), spot, g.warm.servers);
      const hours = round2((hoursPerWeek(g.warm.window) * 52) / 12);
      const perHour = r ? r.usdPerServerHour : 0;
      lines.push({ profile: g.warm.profile, capacity, users: g.warm.servers, hoursPerMonth: hours, concurrent: g.warm.servers, nodeType: r ? r.type : "none priced", usdPerServerHour: perHour, monthlyUsd: round2(g.warm.servers * hours * perHour), warm: true });
    }
    const monthly = round2(storage + lines.reduce((s, l) => s + l.monthlyUsd, 0));
    const budget = g.budget
      ? {
          monthlyUsd: g.budget.monthlyUsd,
          serverHoursWithin: Object.fromEntries(
            g.profiles.flatMap((profile) => {
              const r = rate(profile, g.placements[profile]?.capacity ?? "on-demand");
              return r ? [[profile, Math.max(0, Math.floor((g.budget!.monthlyUsd - storage) / r.busy.usdPerServerHour))]] : [];
            }),
          ),
        }
      : undefined;
    const atLimits = round2(storage + config.pools.filter((p) => p.group === g.key).reduce((sum, p) => sum + poolAtLimitHourlyUsd(p, spot) * HOURS_PER_MONTH, 0));
    return { group: g.key, storageMonthlyUsd: storage, usage: lines, monthlyUsd: monthly, atLimitsMonthlyUsd: atLimits, budget };
  });
  const startTimes = config.profiles.map((p) => startTime(config, p));
  const serverCost = groups.reduce((s, g) => s + g.usage.reduce((t, l) => t + l.monthlyUsd, 0), 0);
  const notes = [
    `Prices: ${"us-east-1"} list prices (src/features/cost/prices.ts, each with its source and date)${config.region === "us-east-1" ? "" : `; this deployment is in ${config.region}`}.`,
    typeof spot === "number"
      ? `Spot assumed ${Math.round(spotDiscount * 100)}% below on-demand (cost.spotDiscount); real spot prices move by type, zone and hour: --spot-prices FILE prices it from AWS's spot price history (help/cost.md).`
      : `Spot priced from ${spot.source}; types it does not cover assumed ${Math.round(spotDiscount * 100)}% below on-demand.`,
    ...spotShareNote(rates, config.defaultProfile?.key, spot),
    ...[startTimeoutNote(config, startTimes)].filter((n): n is string => n !== undefined),
    ...(support.extended
      ? [`Kubernetes ${support.version} is in extended support since ${support.endsOn}: the control plane costs $${(PRICES.eksExtendedSupportPerHour.usd * HOURS_PER_MONTH).toFixed(2)} a month instead of $${(PRICES.eksControlPlanePerHour.usd * HOURS_PER_MONTH).toFixed(2)}; upgrade (help/runbooks.md, Upgrade Kubernetes).`]
      : support.endsOn && Date.parse(support.endsOn) - asOf.getTime() < 90 * 86400_000
        ? [`Kubernetes ${support.version} leaves standard support after ${support.endsOn}: the control plane then costs $${(PRICES.eksExtendedSupportPerHour.usd * HOURS_PER_MONTH).toFixed(2)} a month; upgrade before.`]
        : []),
    `Priced by use, not included above: ${config.network.nat.kind === "gateway" ? `data through the NAT gateway ($${PRICES.natGatewayPerGb.usd}/GB) and out to the internet;` : "data out to the internet (the NAT instance adds no processing charge);"} CloudWatch Logs ($${PRICES.cloudwatchIngestPerGb.usd}/GB ingested, $${PRICES.cloudwatchStoragePerGbMonth.usd}/GB-month kept: hub events, EKS audit); backups ($${PRICES.ebsSnapshotPerGbMonth.usd}/GB-month of changed blocks kept); S3 scratch and home archives ($${PRICES.s3StandardPerGbMonth.usd}/GB-month); volumes beyond their first size ($${PRICES.gp3PerGbMonth.usd}/GiB-month as they grow)${config.imageCache?.rules.length ? `; the image cache's copies in ECR ($${PRICES.ecrStoragePerGbMonth.usd}/GB-month, at most ${config.imageCache.keepImages} images per repository)` : ""}.`,
    ...(config.imageCache?.rules.length
      ? [
          `Image cache: nodes pull ${config.imageCache.rules.map((r) => r.registry).join(", ")} images from ECR, their layers through the free S3 gateway endpoint; ECR's API calls (kilobytes) go through NAT, so no ECR interface endpoints ($${(2 * config.network.azs * PRICES.interfaceEndpointPerZoneHour.usd * HOURS_PER_MONTH).toFixed(2)} a month for api and dkr in ${config.network.azs} zones) are created.`,
        ]
      : []),
    "Server hours: with `concurrent`, that many at once on the nodes holding them most cheaply; otherwise servers come and go independently (users x hours / 730 running on average) and nodes are priced by the hours they are expected to run. Budgets are read at the busy rate.",
  ];
  return {
    deployment: config.name,
    region: config.region,
    priceRegion: "us-east-1",
    spotDiscount,
    spot,
    idle,
    profiles: rates,
    groups,
    startTimes,
    monthlyUsd: round2(idle.monthlyUsd + serverCost),
    notes,
  };
}
