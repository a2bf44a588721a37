/** Services on the cluster for hub users: Dask Gateway and other charts. */
import { z } from "zod";
import { Duration, LABEL_KEY, LABEL_VALUE, Name, Quantity } from "../../config/scalars";

const DaskGroup = z.strictObject({
  maxCores: z.number().positive().describe("Most worker cores one cluster of this group's members may have."),
  maxMemory: Quantity.describe("Most worker memory one cluster may have."),
  maxWorkers: z.int().positive().default(50).describe("Most workers one cluster may have."),
});

const DaskGateway = z.strictObject({
  groups: z
    .record(Name, DaskGroup)
    .describe("Groups whose members may create Dask clusters, with each group's per-cluster limits. Workers run on the group's own nodes (spot if it has spot nodes)."),
  worker: z
    .strictObject({
      cores: z.number().positive().default(2).describe("Default cores per worker."),
      memory: Quantity.default("8Gi").describe("Default memory per worker."),
      maxCores: z.number().positive().default(8).describe("Most cores a user may ask per worker."),
      maxMemory: Quantity.default("32Gi").describe("Most memory a user may ask per worker."),
    })
    .prefault({}),
  image: z
    .strictObject({ name: z.string().min(1), tag: z.string().min(1) })
    .optional()
    .describe("Scheduler and worker image; it must have the same dask and distributed as the users' notebooks. Default: the chart's."),
  idleTimeout: Duration.default("30m").describe("A cluster nobody uses is shut down after this long."),
});

const ChartService = z.strictObject({
  chart: z.strictObject({
    repository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/, { message: "an https:// or oci:// chart repository" }),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { message: "an exact chart version such as 1.2.3 (no ranges)" }),
  }),
  namespace: Name.optional().describe("Namespace of the release (created). Default: the hub's, so it can use hub service tokens."),
  values: z.record(z.string(), z.unknown()).default({}).describe("Helm values, as the chart documents them. No secrets: they would be in the plan."),
  hub: z
    .strictObject({
      url: z.string().regex(/^http:\/\/\S+$/, { message: "the in-cluster http:// address of the service" }),
      groups: z.array(Name).min(1).describe("Groups whose members may use it (the hub role access:services!service=<name>)."),
      podLabels: z
        .record(LABEL_KEY, LABEL_VALUE)
        .optional()
        .describe("Labels of the service's pods (the hub's NetworkPolicy admits them, and its own policy selects them). Default: app.kubernetes.io/instance=<name>, Helm's standard release label."),
    })
    .optional()
    .describe("Publish it as a JupyterHub service at /services/<name>/, behind the hub's login."),
  serviceAccount: z.string().optional().describe("The service account its pods use, for the IAM role."),
  iam: z
    .array(z.strictObject({ actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z*]+$/)).min(1), resources: z.array(z.string().min(1)).min(1) }))
    .default([])
    .describe("IAM statements for its service account (Pod Identity); no wildcard resources (policy DH008)."),
});

export const Services = z.strictObject({
  daskGateway: DaskGateway.optional().describe("Dask Gateway behind the hub: granted groups create Dask clusters from a notebook."),
  charts: z.record(Name, ChartService).default({}).describe("Other Helm releases hub users can use, by name."),
});
