/** The one way dandihub installs a Helm chart: typed values in, one `helm_release` out. */
import { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { AssetType, TerraformAsset, type ITerraformDependable } from "./cdktf";
import type { ChartPin } from "./charts";
import { encodeHelmValues } from "./helm-values";
import { repoPath } from "./paths";

export interface HelmChartProps {
  /** The chart and its pinned version. */
  readonly chart: ChartPin;
  /** Release name. @default the chart name */
  readonly releaseName?: string;
  /** The release's namespace. */
  readonly namespace: string;
  /** Create the namespace when missing. @default false */
  readonly createNamespace?: boolean;
  /** Values, as the chart's values.yaml would hold them. */
  readonly values: object;
  /** Seconds Helm waits for resources to be ready. @default 600 */
  readonly timeoutSeconds?: number;
  /** Skip the chart's crds/ directory (CRDs installed by their own release). @default false */
  readonly skipCrds?: boolean;
  /** What must exist first. @default nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/** A pinned chart from a repository, or (with an empty repository) a chart directory of this repo. */
export class HelmChart extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    const local = props.chart.repository === "";
    const chart = local
      ? new TerraformAsset(this, "chart", { path: localChartPath(props.chart.chart), type: AssetType.DIRECTORY }).path
      : props.chart.chart;
    this.release = new Release(this, "release", {
      name: props.releaseName ?? props.chart.chart,
      namespace: props.namespace,
      createNamespace: props.createNamespace ?? false,
      repository: local ? undefined : props.chart.repository,
      chart,
      version: props.chart.version,
      values: [encodeHelmValues(props.values)],
      timeout: props.timeoutSeconds ?? 600,
      skipCrds: props.skipCrds,
      atomic: false,
      cleanupOnFail: true,
      maxHistory: 10,
      wait: true,
      dependsOn: props.dependsOn,
    });
  }
}

/** Charts shipped in this repository live in `charts/<name>` at the repository root. */
export function localChartPath(name: string): string {
  return repoPath("charts", name);
}
