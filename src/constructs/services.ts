import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../modules/pod-identity";
import type { ITerraformDependable } from "../cdktf";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { HUB_NAMESPACE } from "../namespaces";
import { DASK_RELEASE, daskGatewayValues, daskNetworkPolicy } from "../services/dask-gateway";
import type { Cluster } from "./cluster";

export interface ServicesProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  /** The hub's release: services in its namespace read their tokens from its Secret. */
  readonly hubRelease: ITerraformDependable;
}

/**
 * Services for hub users: Dask Gateway (when configured) and any chart in `services.charts`,
 * each reachable through the hub (z2jh `hub.services`, access granted per group by hub roles,
 * see jupyterhub/values.ts) and given only the IAM its config lists.
 */
export class Services extends Construct {
  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { config, cluster } = props;
    if (config.services.daskGateway) {
      new HelmChart(this, "dask-gateway", {
        chart: CHARTS.daskGateway,
        releaseName: DASK_RELEASE,
        namespace: HUB_NAMESPACE,
        values: daskGatewayValues(config),
        dependsOn: [props.hubRelease],
      });
      new HelmChart(this, "dask-network-policy", {
        chart: CHARTS.manifests,
        releaseName: "dandihub-dask-network",
        namespace: HUB_NAMESPACE,
        values: { manifests: [daskNetworkPolicy()] },
        dependsOn: [props.hubRelease],
      });
    }
    for (const [name, svc] of Object.entries(config.services.charts)) {
      const scopeOf = new Construct(this, name);
      const namespace = svc.namespace ?? HUB_NAMESPACE;
      const deps: ITerraformDependable[] = [props.hubRelease];
      if (namespace !== HUB_NAMESPACE) {
        deps.push(new NamespaceV1(scopeOf, "namespace", { metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "dandihub" } } }));
      }
      if (svc.iam.length && svc.serviceAccount) {
        new PodIdentityModule(scopeOf, "role", {
          name: `${config.name}-svc-${name}`,
          use_name_prefix: false,
          attach_custom_policy: true,
          policy_statements: svc.iam.map((s, i) => ({ sid: `Statement${i}`, actions: [...s.actions], resources: [...s.resources] })),
          associations: { service: { cluster_name: cluster.eks.clusterName, namespace, service_account: svc.serviceAccount } },
          tags: { ...config.tags },
        });
      }
      new HelmChart(scopeOf, "chart", {
        chart: { repository: svc.chart.repository, chart: svc.chart.name, version: svc.chart.version },
        releaseName: name,
        namespace,
        values: svc.values,
        dependsOn: deps,
      });
    }
  }
}
