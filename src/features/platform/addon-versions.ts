/**
 * What EKS offers for each add-on against the table in modules/versions.ts: the version EKS
 * installs by default for a Kubernetes minor and the newest one, read from
 * `aws eks describe-addon-versions`. `npm run addon-versions` prints it, with a table row to paste
 * when a minor is new.
 */
import { EKS_ADDON_VERSIONS, type EksAddonName } from "../../../modules/versions";

export const ADDONS: readonly EksAddonName[] = Object.keys(EKS_ADDON_VERSIONS["1.35"]) as EksAddonName[];

/** `aws eks describe-addon-versions --addon-name <addon> --kubernetes-version <minor> --output json`, parsed. */
export type DescribeAddonVersions = (addon: EksAddonName, minor: string) => unknown;

interface ApiAddonVersion {
  readonly addonVersion: string;
  readonly compatibilities?: readonly { readonly clusterVersion: string; readonly defaultVersion?: boolean }[];
}

export interface AddonRow {
  readonly addon: EksAddonName;
  /** In modules/versions.ts; undefined for a minor without a row. */
  readonly pinned?: string;
  readonly defaultVersion?: string;
  readonly newest?: string;
  /** The pin is among the versions EKS offers for this minor. */
  readonly offered: boolean;
}

/** v1.22.4-eksbuild.3 → [1, 22, 4, 3], so builds order numerically. */
function versionKey(v: string): number[] {
  return (v.match(/\d+/g) ?? []).map(Number);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function versionsIn(response: unknown, addon: EksAddonName): readonly ApiAddonVersion[] {
  const addons = (response as { addons?: { addonName?: string; addonVersions?: ApiAddonVersion[] }[] })?.addons;
  if (!Array.isArray(addons)) throw new Error(`describe-addon-versions for ${addon}: no "addons" list in the response`);
  return addons.find((a) => a.addonName === addon)?.addonVersions ?? [];
}

export function compareAddonVersions(minor: string, describe: DescribeAddonVersions): AddonRow[] {
  const pins = (EKS_ADDON_VERSIONS as Record<string, Record<EksAddonName, string>>)[minor];
  return ADDONS.map((addon) => {
    const versions = versionsIn(describe(addon, minor), addon);
    const sorted = [...versions].sort((a, b) => compareVersions(b.addonVersion, a.addonVersion));
    const defaultVersion = versions.find((v) => v.compatibilities?.some((c) => c.clusterVersion === minor && c.defaultVersion))?.addonVersion;
    const pinned = pins?.[addon];
    return { addon, pinned, defaultVersion, newest: sorted[0]?.addonVersion, offered: pinned !== undefined && versions.some((v) => v.addonVersion === pinned) };
  });
}

/** The report: one line per add-on, then the row for modules/versions.ts (EKS's defaults). */
export function formatAddonReport(minor: string, rows: readonly AddonRow[]): string {
  const lines = rows.map((r) => {
    const state = r.pinned === undefined ? "no pin" : !r.offered ? "NOT OFFERED for this minor" : r.pinned === r.defaultVersion ? "EKS default" : compareVersions(r.pinned, r.defaultVersion ?? "") < 0 ? "behind EKS default" : "ahead of EKS default";
    return `  ${r.addon.padEnd(24)} pinned ${(r.pinned ?? "-").padEnd(22)} default ${(r.defaultVersion ?? "-").padEnd(22)} newest ${(r.newest ?? "-").padEnd(22)} ${state}`;
  });
  const row = rows.map((r) => `    ${/^[a-z]+$/.test(r.addon) ? r.addon : JSON.stringify(r.addon)}: ${JSON.stringify(r.defaultVersion ?? r.pinned ?? "")},`);
  return [`Kubernetes ${minor}:`, ...lines, `  row for EKS_ADDON_VERSIONS (EKS defaults):`, `  ${JSON.stringify(minor)}: {`, ...row.map((l) => `  ${l}`), "  },"].join("\n");
}
