import { DataKubernetesServiceV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../cdktf";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { AUTH_SECRET_KEYS, buildHubValues, type Z2jhValues } from "../jupyterhub/values";
import type { CognitoLogin } from "./cognito";
import type { Images } from "./images";
import type { Secrets } from "./secrets";
import type { Storage } from "./storage";

export interface JupyterHubProps {
  readonly config: HubConfig;
  readonly secrets: Secrets;
  /** The hub's namespace (made by the stack: storage claims live there too). */
  readonly namespace: NamespaceV1;
  readonly storage: Storage;
  /** The development Cognito login, when that authenticator is configured. */
  readonly cognito?: CognitoLogin;
  /** Pull secrets, the ECR registry and the image builder. */
  readonly images: Images;
  /** Bucket for the load balancer's access logs. @default none (no access logs) */
  readonly accessLogBucket?: string;
  /** Load balancer controller, storage classes, Karpenter pools: all must exist first. */
  readonly dependsOn: ITerraformDependable[];
}

export { HUB_NAMESPACE } from "../namespaces";
import { HUB_NAMESPACE } from "../namespaces";
const AUTH_SECRET = "dandihub-auth";

/**
 * The Zero to JupyterHub release, its namespace, and the Secret that carries authenticator
 * credentials and archive tokens into the hub as environment variables (never through Helm
 * values). The hub's own Python and its settings ride along in the values (see values.ts).
 */
export class JupyterHub extends Construct {
  readonly values: Z2jhValues;
  readonly chart: HelmChart;
  /** Host name of the hub's load balancer, for the DNS record (known after apply). */
  readonly loadBalancerHostname: string;

  constructor(scope: Construct, id: string, props: JupyterHubProps) {
    super(scope, id);
    const { config, secrets } = props;
    const namespace = props.namespace;
    const secretData: Record<string, string> = {};
    if (config.auth.github) secretData[AUTH_SECRET_KEYS.githubClientSecret] = secrets.valueOf(["auth", "github", "clientSecret"]);
    if (config.auth.dandiOAuth?.clientSecret) secretData[AUTH_SECRET_KEYS.oauthClientSecret] = secrets.valueOf(["auth", "dandiOAuth", "clientSecret"]);
    if (props.cognito) secretData[AUTH_SECRET_KEYS.oauthClientSecret] = props.cognito.clientSecret;
    config.archives.forEach((a, i) => {
      secretData[AUTH_SECRET_KEYS.archiveToken(a.name)] = secrets.valueOf(["auth", "archives", i, "token"]);
    });
    const authSecret = new SecretV1(this, "auth-secret", {
      metadata: { name: AUTH_SECRET, namespace: HUB_NAMESPACE },
      data: secretData,
      dependsOn: [namespace],
    });
    this.values = buildHubValues(config, {
      authSecretName: AUTH_SECRET,
      cognito: props.cognito ? { clientId: props.cognito.clientId, baseUrl: props.cognito.baseUrl } : undefined,
      buckets: props.storage.buckets,
      ecrRegistry: props.images.ecrRegistry,
      imagePullSecrets: props.images.pullSecretNames,
      builderUrl: props.images.builderUrl,
      accessLogBucket: props.accessLogBucket,
    });
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.jupyterhub,
      releaseName: "jupyterhub",
      namespace: HUB_NAMESPACE,
      values: this.values,
      // First install pulls the hub image and waits for the NLB.
      timeoutSeconds: 1200,
      dependsOn: [...props.dependsOn, namespace, authSecret, ...props.storage.volumes.map((v) => v.claim), ...props.images.pullSecrets],
    });
    const service = new DataKubernetesServiceV1(this, "proxy-public", {
      metadata: { name: "proxy-public", namespace: HUB_NAMESPACE },
      dependsOn: [this.chart.release],
    });
    this.loadBalancerHostname = service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
  }
}
