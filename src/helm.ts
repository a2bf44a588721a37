/**
 * The one way dandihub installs a Helm chart: typed values in, one `helm_release` out.
 */
import { resolve } from "node:path";
import { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { AssetType, TerraformAsset, type ITerraformDependable } from "./cdktf";
import type { ChartPin } from "./charts";
import { mapLiteralParts } from "./util/tokens";

/**
 * Helm values as one JSON document (JSON is YAML). Terraform would read `${` and `%{` inside
 * literal strings as template syntax, so they are escaped; CDKTF tokens (module outputs) are
 * left for Terraform to interpolate.
 */
export function encodeHelmValues(values: unknown): string {
  return JSON.stringify(values, (_key, value: unknown) => (typeof value === "string" ? escapeLiteralParts(value) : value));
}

/** Escapes the literal parts of a string that may also carry CDKTF tokens (left for Terraform). */
export function escapeLiteralParts(text: string): string {
  return mapLiteralParts(text, escapeTemplate);
}

export function escapeTemplate(text: string): string {
  // Replacer functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Inverse of escapeTemplate, for reading synthesized values back (tests, tools). */
export function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}

export interface HelmChartProps {
  readonly chart: ChartPin;
  /** Release name. @default the chart name */
  readonly releaseName?: string;
  readonly namespace: string;
  /** Create the namespace when missing. @default false */
  readonly createNamespace?: boolean;
  /** Values, as the chart's values.yaml would hold them. */
  readonly values: object;
  /** Seconds Helm waits for resources to be ready. @default 600 */
  readonly timeoutSeconds?: number;
  /** Skip the chart's crds/ directory (CRDs installed by their own release). @default false */
  readonly skipCrds?: boolean;
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
  return resolve(__dirname, "..", "charts", name);
}
