/** Services, resolved: Dask Gateway's limits in GiB and seconds, each chart's namespace and hub pods (defaults decided here). */
import { HUB_NAMESPACE } from "../../core/names";
import type { Deployment } from "../../config/schema";
import { parseDuration, parseQuantity } from "../../config/units";

const gib = (q: string) => parseQuantity(q) / 2 ** 30;

export interface DaskGroupLimits {
  readonly maxCores: number;
  readonly maxMemoryGiB: number;
  readonly maxWorkers: number;
}

export interface ResolvedDaskGateway {
  /** Groups whose members may create clusters, in the file's group order, with their limits. */
  readonly groups: readonly ({ readonly group: string } & DaskGroupLimits)[];
  readonly worker: { readonly cores: number; readonly memoryGiB: number; readonly maxCores: number; readonly maxMemoryGiB: number };
  readonly image?: { readonly name: string; readonly tag: string };
  readonly idleTimeoutSeconds: number;
}

export interface ResolvedChartService {
  readonly name: string;
  readonly chart: { readonly repository: string; readonly chart: string; readonly version: string };
  /** The release's namespace: the hub's unless the file names another (created then). */
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Labels of its pods (network policies select them): hub.podLabels, else Helm's app.kubernetes.io/instance=<name>. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Published behind the hub's login at /services/<name>/. @default not published */
  readonly hub?: {
    readonly url: string;
    readonly groups: readonly string[];
    /** Labels of its pods that call the hub API: the file's, else Helm's app.kubernetes.io/instance=<name>. */
    readonly podLabels: Readonly<Record<string, string>>;
  };
  readonly serviceAccount?: string;
  readonly iam: readonly { readonly actions: readonly string[]; readonly resources: readonly string[] }[];
}

export interface ResolvedServices {
  readonly daskGateway?: ResolvedDaskGateway;
  readonly charts: readonly ResolvedChartService[];
}

export function resolveServices(d: Deployment): ResolvedServices {
  const dask = d.services.daskGateway;
  return {
    daskGateway: dask
      ? {
          groups: Object.keys(d.groups)
            .filter((g) => g in dask.groups)
            .map((g) => ({ group: g, maxCores: dask.groups[g].maxCores, maxMemoryGiB: gib(dask.groups[g].maxMemory), maxWorkers: dask.groups[g].maxWorkers })),
          worker: { cores: dask.worker.cores, memoryGiB: gib(dask.worker.memory), maxCores: dask.worker.maxCores, maxMemoryGiB: gib(dask.worker.maxMemory) },
          image: dask.image,
          idleTimeoutSeconds: parseDuration(dask.idleTimeout),
        }
      : undefined,
    charts: Object.entries(d.services.charts).map(([name, s]) => ({
      name,
      chart: { repository: s.chart.repository, chart: s.chart.name, version: s.chart.version },
      namespace: s.namespace ?? HUB_NAMESPACE,
      values: s.values,
      podLabels: s.hub?.podLabels ?? { "app.kubernetes.io/instance": name },
      hub: s.hub ? { url: s.hub.url, groups: s.hub.groups, podLabels: s.hub.podLabels ?? { "app.kubernetes.io/instance": name } } : undefined,
      serviceAccount: s.serviceAccount,
      iam: s.iam,
    })),
  };
}
