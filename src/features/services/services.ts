import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { HUB_NAMESPACE } from "../../core/names";
import { namespaceMetadata, type PodSecurity } from "../../core/namespaces";
import type { PlannedPool } from "../capacity/pools";
import { DASK_RELEASE, daskGatewayValues } from "./dask-gateway";
import type { ResolvedServices } from "./resolve";

export interface ServicesProps {
  /** The deployment's name: prefix of role names. */
  readonly name: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** The services to run. */
  readonly services: ResolvedServices;
  /** The node pools (Dask workers run on their group's CPU pool). */
  readonly pools: readonly PlannedPool[];
  /** The cluster name (the EKS module's output) the Pod Identity associations refer to. */
  readonly clusterName: string;
  /** The hub's release: services in its namespace read their tokens from its Secret. */
  readonly hubRelease: ITerraformDependable;
  /** Pod Security of a chart service's own namespace. */
  readonly podSecurity: PodSecurity;
}

/**
 * Services for hub users: Dask Gateway (when configured) and any chart in `services.charts`,
 * each reachable through the hub (z2jh `hub.services`, access granted per group by hub roles,
 * see hub.ts) and given only the IAM its config lists.
 */
export class Services extends Construct {
  /** Namespaces created for chart services. */
  readonly namespaces: NamespaceV1[] = [];

  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const dask = props.services.daskGateway;
    if (dask) {
      new HelmChart(this, "dask-gateway", {
        chart: CHARTS.daskGateway,
        releaseName: DASK_RELEASE,
        namespace: HUB_NAMESPACE,
        values: daskGatewayValues(dask, props.pools),
        dependsOn: [props.hubRelease],
      });
    }
    for (const svc of props.services.charts) {
      const scopeOf = new Construct(this, svc.name);
      const deps: ITerraformDependable[] = [props.hubRelease];
      if (svc.namespace !== HUB_NAMESPACE) {
        const ns = new NamespaceV1(scopeOf, "namespace", { metadata: namespaceMetadata(svc.namespace, props.podSecurity) });
        this.namespaces.push(ns);
        deps.push(ns);
      }
      if (svc.iam.length && svc.serviceAccount) {
        new PodIdentityModule(scopeOf, "role", {
          name: `${props.name}-svc-${svc.name}`,
          use_name_prefix: false,
          attach_custom_policy: true,
          policy_statements: svc.iam.map((s, i) => ({ sid: `Statement${i}`, actions: [...s.actions], resources: [...s.resources] })),
          associations: { service: { cluster_name: props.clusterName, namespace: svc.namespace, service_account: svc.serviceAccount } },
          tags: { ...props.tags },
        });
      }
      new HelmChart(scopeOf, "chart", { chart: svc.chart, releaseName: svc.name, namespace: svc.namespace, values: svc.values, dependsOn: deps });
    }
  }
}
