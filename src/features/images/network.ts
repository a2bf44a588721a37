/** Connections image building and upkeep need (rendered by features/isolation). */
import { HUB_NAMESPACE } from "../../core/names";
import { address, HTTPS, pods, type Flow, type PodSet } from "../../core/network";
import { HUB_API, HUB_PODS, PROXY_PODS } from "../hub/network";

const BINDERHUB = { "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/instance": "binderhub" } as const;

export const BINDERHUB_PODS: PodSet = { name: "binderhub", namespace: HUB_NAMESPACE, labels: { ...BINDERHUB, "app.kubernetes.io/component": "binderhub" } };
/** The chart polices the Docker daemon's and the build pods' egress itself (internet and DNS). */
export const DOCKER_API_PODS: PodSet = { name: "docker-api", namespace: HUB_NAMESPACE, labels: { ...BINDERHUB, "app.kubernetes.io/component": "docker-api" }, policy: "chart" };
export const BUILD_PODS: PodSet = { name: "builds", namespace: HUB_NAMESPACE, labels: { component: "binderhub-build" }, policy: "chart" };
export const ECR_JOB_PODS: PodSet = { name: "image-jobs", namespace: HUB_NAMESPACE, labels: { "app.kubernetes.io/component": "image-job" } };

export interface ImagesNetworkInput {
  /** Some group builds images (the builder runs). @default false */
  readonly building?: boolean;
}

export function imagesFlows(input: ImagesNetworkInput): Flow[] {
  if (!input.building) return [];
  const binderhub = pods(BINDERHUB_PODS);
  return [
    { from: pods(PROXY_PODS), to: binderhub, ports: [{ port: 8585 }], why: "the build form talks to /services/binder/" },
    { from: binderhub, to: pods(HUB_PODS), ports: HUB_API, why: "the builder checks users' tokens with the hub" },
    { from: binderhub, to: address("apiServer"), why: "the builder starts build pods" },
    { from: binderhub, to: address("internet"), ports: HTTPS, why: "the builder creates ECR repositories and push tokens" },
    { from: binderhub, to: address("podIdentity"), why: "the builder's AWS role (ECR)" },
    { from: pods(ECR_JOB_PODS), to: address("internet"), ports: HTTPS, why: "the nightly job maintains the build repositories (ECR)" },
    { from: pods(ECR_JOB_PODS), to: address("podIdentity"), why: "the job's AWS role (ECR)" },
  ];
}
