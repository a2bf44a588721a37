import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { GPU_NODE_AGENT_TOLERATIONS, NVIDIA_GPU_NODES } from "../../core/labels";
import { SYSTEM_NAMESPACE } from "../../core/names";

export interface GpuSupportProps {
  /** Karpenter's controller: the plugin serves the nodes it launches. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * NVIDIA device plugin on GPU nodes, so `nvidia.com/gpu` becomes a schedulable resource. The
 * AL2023 NVIDIA AMI Karpenter picks for GPU types ships the driver but not the plugin. The
 * chart's default affinity expects Node Feature Discovery labels, which this cluster does not
 * run; Karpenter's own GPU label selects the nodes instead.
 */
export class GpuSupport extends Construct {
  constructor(scope: Construct, id: string, props: GpuSupportProps) {
    super(scope, id);
    new HelmChart(this, "device-plugin", {
      chart: CHARTS.nvidiaDevicePlugin,
      namespace: SYSTEM_NAMESPACE,
      values: {
        affinity: null,
        nodeSelector: { ...NVIDIA_GPU_NODES },
        tolerations: [...GPU_NODE_AGENT_TOLERATIONS],
      },
      dependsOn: props.dependsOn,
    });
  }
}
