/** Connections capacity's own pods need (rendered by features/isolation). */
import { HUB_NAMESPACE } from "../../core/names";
import { address, pods, type Flow, type PodSet } from "../../core/network";
import { WARM_SCALER_COMPONENT } from "./warm";

/** The CronJob pods that scale the groups' placeholders (the placeholders need no network). */
export const WARM_SCALER_PODS: PodSet = { name: "warm-scalers", namespace: HUB_NAMESPACE, labels: { "app.kubernetes.io/component": WARM_SCALER_COMPONENT } };

export function capacityFlows(input: { readonly warm: boolean }): Flow[] {
  return input.warm ? [{ from: pods(WARM_SCALER_PODS), to: address("apiServer"), why: "the warm-capacity scalers set their placeholders' replicas" }] : [];
}
