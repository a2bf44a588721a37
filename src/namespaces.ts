/** Kubernetes namespaces dandihub owns (names referenced across constructs and values). */
export const HUB_NAMESPACE = "jupyterhub";
export const MONITORING_NAMESPACE = "monitoring";
