/**
 * Spot prices as AWS reports them, for the estimate: the output of
 * `aws ec2 describe-spot-price-history --product-descriptions Linux/UNIX --start-time <a week ago>`
 * in the deployment's region (help/cost.md). A type's price is the mean over its zones of each
 * zone's mean price in the window; Karpenter's price-capacity-optimized choice often does better.
 * Types without a price fall back to the assumed discount.
 */

/** One entry of DescribeSpotPriceHistory's `SpotPriceHistory`. */
interface SpotPricePoint {
  readonly AvailabilityZone: string;
  readonly InstanceType: string;
  readonly ProductDescription: string;
  /** USD per hour, as a decimal string ("0.071200"). */
  readonly SpotPrice: string;
  readonly Timestamp: string;
}

export interface SpotPrices {
  /** Below on-demand, for types the prices do not cover. */
  readonly discount: number;
  /** USD per hour by instance type. */
  readonly byType: Readonly<Record<string, number>>;
  /** Where they come from: the file, its zones and its time window. */
  readonly source: string;
}

/** A discount assumed for every type, or observed prices. */
export type Spot = number | SpotPrices;

export function spotUsd(spot: Spot, type: string, onDemandUsd: number): number {
  if (typeof spot === "number") return onDemandUsd * (1 - spot);
  return spot.byType[type] ?? onDemandUsd * (1 - spot.discount);
}

export function discountOf(spot: Spot): number {
  return typeof spot === "number" ? spot : spot.discount;
}

/** Parses a DescribeSpotPriceHistory response; throws with what is wrong. */
export function parseSpotPriceHistory(json: unknown, file: string, discount: number): SpotPrices {
  const history = (json as { SpotPriceHistory?: unknown })?.SpotPriceHistory;
  if (!Array.isArray(history)) throw new Error(`${file}: not a describe-spot-price-history response (no SpotPriceHistory list)`);
  const perZone = new Map<string, Map<string, number[]>>();
  const zones = new Set<string>();
  const times: string[] = [];
  history.forEach((p: SpotPricePoint, i) => {
    const usd = Number(p?.SpotPrice);
    if (typeof p?.InstanceType !== "string" || typeof p?.AvailabilityZone !== "string" || !(usd > 0)) {
      throw new Error(`${file}: SpotPriceHistory[${i}] needs InstanceType, AvailabilityZone and a positive SpotPrice`);
    }
    if (p.ProductDescription && !/^Linux\/UNIX/.test(p.ProductDescription)) return;
    const byZone = perZone.get(p.InstanceType) ?? new Map<string, number[]>();
    perZone.set(p.InstanceType, byZone);
    byZone.set(p.AvailabilityZone, [...(byZone.get(p.AvailabilityZone) ?? []), usd]);
    zones.add(p.AvailabilityZone);
    if (p.Timestamp) times.push(p.Timestamp);
  });
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const byType = Object.fromEntries([...perZone].map(([type, byZone]) => [type, mean([...byZone.values()].map(mean))]));
  times.sort();
  const window = times.length ? `, ${times[0].slice(0, 10)} to ${times[times.length - 1].slice(0, 10)}` : "";
  return { discount, byType, source: `${file} (${Object.keys(byType).length} types, zones ${[...zones].sort().join(", ")}${window})` };
}
