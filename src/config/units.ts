/**
 * Units in the deployment file are explicit: sizes use binary suffixes (Mi, Gi, Ti) and
 * durations use s, m, h, d. Decimal suffixes (G, GB) are refused because KubeSpawner reads
 * "G" as 2^30 while Kubernetes reads it as 10^9; the file must not mean two things.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

export const QUANTITY_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti)$";
const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);

export const QUANTITY_HELP = "a size with a binary unit: Mi, Gi or Ti (e.g. 512Mi, 16Gi, 2Ti)";

/** Bytes of a binary quantity such as `16Gi`; throws on anything else. */
export function parseQuantity(text: string): number {
  const m = QUANTITY_RE.exec(text);
  if (!m) throw new Error(`not ${QUANTITY_HELP}`);
  const unit = text.slice(text.length - 2);
  return Math.round(parseFloat(text) * BINARY[unit]);
}

/** Whole GiB, rounded up (EBS volumes and node disks are sized in GiB). */
export function toGiB(bytes: number): number {
  return Math.ceil(bytes / BINARY.Gi);
}

/**
 * Kubernetes quantity for bytes, in the largest binary unit that keeps it whole
 * (`17179869184` -> `16Gi`). Kubernetes and KubeSpawner both read `Gi` as 2^30.
 */
export function formatQuantity(bytes: number): string {
  for (const unit of ["Ti", "Gi", "Mi", "Ki"]) {
    if (bytes % BINARY[unit] === 0) return `${bytes / BINARY[unit]}${unit}`;
  }
  return String(bytes);
}

/**
 * KubeSpawner's ByteSpecification understands K, M, G, T as powers of 1024; it is the form
 * the chart's `singleuser.memory` and `kubespawner_override.mem_*` take.
 */
export function formatSpawnerBytes(bytes: number): string {
  for (const [unit, size] of [["T", BINARY.Ti], ["G", BINARY.Gi], ["M", BINARY.Mi], ["K", BINARY.Ki]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
export const DURATION_PATTERN = "^([0-9]+[smhd])+$";
const DURATION_RE = new RegExp(DURATION_PATTERN);
export const DURATION_HELP = "a duration such as 90s, 45m, 1h, 7d or 1h30m";

/** Seconds of a duration such as `1h30m`; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION_RE.test(text)) throw new Error(`not ${DURATION_HELP}`);
  let seconds = 0;
  for (const m of text.matchAll(/([0-9]+)([smhd])/g)) seconds += Number(m[1]) * DURATION_UNITS[m[2]];
  return seconds;
}

/** Karpenter durations are Go durations: hours, minutes and seconds only. */
export function formatGoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}
