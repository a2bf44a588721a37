import { DataKubernetesServiceV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { HUB_NAMESPACE } from "../../core/names";
import { AUTH_SECRET } from "../auth/hub";

export interface JupyterHubProps {
  /** The chart values (assemble.ts hubValues). */
  readonly values: Record<string, unknown>;
  /** The auth Secret's data: login credentials and archive tokens (auth/hub.ts authSecretData). */
  readonly authSecretData: Readonly<Record<string, string>>;
  /** The hub's namespace (made by the stack: storage claims live there too). */
  readonly namespace: NamespaceV1;
  /** Load balancer controller, storage classes, Karpenter pools, claims, pull secrets: all must exist first. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The Zero to JupyterHub release and the Secret that carries authenticator credentials and
 * archive tokens into the hub as environment variables (never through Helm values). The hub's
 * own Python and its settings ride along in the values.
 */
export class JupyterHub extends Construct {
  readonly values: Record<string, unknown>;
  readonly chart: HelmChart;
  /** Host name of the hub's load balancer, for the DNS record (known after apply). */
  readonly loadBalancerHostname: string;

  constructor(scope: Construct, id: string, props: JupyterHubProps) {
    super(scope, id);
    const authSecret = new SecretV1(this, "auth-secret", {
      metadata: { name: AUTH_SECRET, namespace: HUB_NAMESPACE },
      data: { ...props.authSecretData },
      dependsOn: [props.namespace],
    });
    this.values = props.values;
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.jupyterhub,
      releaseName: "jupyterhub",
      namespace: HUB_NAMESPACE,
      values: this.values,
      // First install pulls the hub image and waits for the NLB.
      timeoutSeconds: 1200,
      dependsOn: [...props.dependsOn, props.namespace, authSecret],
    });
    const service = new DataKubernetesServiceV1(this, "proxy-public", {
      metadata: { name: "proxy-public", namespace: HUB_NAMESPACE },
      dependsOn: [this.chart.release],
    });
    this.loadBalancerHostname = service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
  }
}
