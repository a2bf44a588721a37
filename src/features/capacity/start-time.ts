/**
 * Time to a notebook, per profile, from the deployment: on a node that is already up (a warm
 * node, or a group's placeholders' room) and on a new one (cold: Karpenter launches a node, which
 * pulls the images a node of its kind pre-pulls, and the user's own). A model with stated
 * assumptions (START_ASSUMPTIONS, help/cost.md "Time to a notebook"), to compare changes, not a
 * measurement.
 */
import type { HubConfig, ResolvedProfile } from "../../config/resolve";
import type { ResolvedImage } from "../images/resolve";

export const START_ASSUMPTIONS = {
  /** Karpenter sees the pending server, EC2 starts the instance, it joins the cluster (45-90 s). */
  nodeLaunchSeconds: 60,
  /** Scheduling, volume mounts and the server process, with the image on the node. */
  podStartSeconds: 15,
  /** Layers as pulled, of what an image takes on disk (compressed plus unpacked). */
  compressedShare: 1 / 3,
  /** Compressed size of an image that does not say its nodeDisk. */
  unknownImageGB: 5,
  /** MB/s a node pulls at: from ECR through the S3 gateway (bound by the root gp3's 125 MiB/s), through a NAT gateway, through a t4g.nano NAT instance past its burst (32 Mbit/s). */
  pullMBps: { cache: 125, natGateway: 60, natInstance: 4 },
} as const;

export interface StartTime {
  readonly profile: string;
  /** On a node already up with the profile's images pre-pulled (or room kept by placeholders). */
  readonly warmSeconds: number;
  /** A new node: launch, then the images a new node pulls at once. */
  readonly coldSeconds: number;
  /** GB pulled on a new node before the server's image is there (the pre-pulled set shares the pull). */
  readonly coldPullGB: number;
}

function compressedGB(i: ResolvedImage): number {
  return i.nodeDiskBytes !== undefined ? (i.nodeDiskBytes * START_ASSUMPTIONS.compressedShare) / 1e9 : START_ASSUMPTIONS.unknownImageGB;
}

function pullSeconds(config: HubConfig, i: ResolvedImage): number {
  const rates = START_ASSUMPTIONS.pullMBps;
  const cached = config.imageCache !== undefined && i.ref.startsWith(`${config.imageCache.host}/`);
  const rate = cached ? rates.cache : config.network.nat.kind === "instance" ? rates.natInstance : rates.natGateway;
  return (compressedGB(i) * 1000) / rate;
}

export function startTime(config: HubConfig, p: ResolvedProfile): StartTime {
  const own = p.images[0];
  const gpu = p.gpu !== undefined;
  // A new node pulls every pre-pulled image of its kind at once (CPU images everywhere, GPU ones on GPU nodes).
  const pulled = config.images.filter((i) => i.prePull && (gpu || !i.gpu));
  const onNewNode = pulled.some((i) => i.key === own?.key) ? pulled : own ? [...pulled, own] : pulled;
  const a = START_ASSUMPTIONS;
  const warmPull = own && !own.prePull ? pullSeconds(config, own) : 0;
  return {
    profile: p.key,
    warmSeconds: Math.round(a.podStartSeconds + warmPull),
    coldSeconds: Math.round(a.nodeLaunchSeconds + onNewNode.reduce((s, i) => s + pullSeconds(config, i), 0) + a.podStartSeconds),
    coldPullGB: Math.round(onNewNode.reduce((s, i) => s + compressedGB(i), 0) * 10) / 10,
  };
}

/** What the hub's startTimeout says next to the slowest cold start. */
export function startTimeoutNote(config: HubConfig, times: readonly StartTime[]): string | undefined {
  if (!times.length) return undefined;
  const slowest = times.reduce((a, b) => (b.coldSeconds > a.coldSeconds ? b : a));
  const timeout = config.hub.startTimeoutSeconds;
  const ratio = timeout / slowest.coldSeconds;
  if (ratio < 1.5) return `hub.startTimeout (${timeout} s) is less than 1.5x the slowest modelled cold start (${slowest.profile}, ${slowest.coldSeconds} s): slow but healthy starts will fail; raise it.`;
  if (ratio > 4) return `hub.startTimeout (${timeout} s) is ${ratio.toFixed(1)}x the slowest modelled cold start (${slowest.profile}, ${slowest.coldSeconds} s): a stuck spawn keeps its user waiting that long; about ${Math.ceil((slowest.coldSeconds * 2.5) / 60)}m would do.`;
  return `hub.startTimeout (${timeout} s) is ${ratio.toFixed(1)}x the slowest modelled cold start (${slowest.profile}, ${slowest.coldSeconds} s).`;
}
