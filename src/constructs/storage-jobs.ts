/**
 * Scheduled storage jobs as Kubernetes CronJobs (installed as plain manifests): cleanup of old
 * files in shared directories, and per group the inactive-home policy with its usage audit.
 * Their Python is jobs/dandihub_jobs, shipped in a ConfigMap. Every job is a dry run unless the
 * deployment file says otherwise.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { RETENTION_SERVICE } from "../jupyterhub/values";
import { CORE_NODE_LABELS } from "../labels";
import { claimName, REPORTS_DIR, SHARED_DIR, USER_IDENTITY } from "../storage/layout";
import type { Storage } from "./storage";
import { RETENTION_SERVICE_ACCOUNT } from "./user-access";

export const JOBS_SOURCE_DIR = resolve(__dirname, "..", "..", "jobs", "dandihub_jobs");
export const CODE_DIR = "/opt/dandihub";

/** Plain Python for cleanup; Python with boto3 (AWS's Lambda base image) for the S3 archives. */
export const JOB_IMAGES = {
  python: "public.ecr.aws/docker/library/python:3.12-slim",
  pythonBoto3: "public.ecr.aws/lambda/python:3.12",
  init: "public.ecr.aws/docker/library/busybox:1.36.1",
} as const;

export interface StorageJobsProps {
  readonly config: HubConfig;
  readonly storage: Storage;
  readonly hubNamespace: NamespaceV1;
}

type Manifest = Record<string, unknown>;

/** Job code: every module of the package, one ConfigMap key each. */
export function jobCode(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(JOBS_SOURCE_DIR)
      .filter((f) => f.endsWith(".py"))
      .sort()
      .map((f) => [f, readFileSync(join(JOBS_SOURCE_DIR, f), "utf8")]),
  );
}

/** Security context of every job container (non-root, read-only, no capabilities). */
export const RESTRICTED = {
  runAsUser: USER_IDENTITY.uid,
  runAsGroup: USER_IDENTITY.gid,
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Creates the reports directory (and the shared one). No chown and no root: the volume makes
 * everything the user identity's (USER_IDENTITY), the identity this runs as.
 */
function prepareDirs(volumeMount: string): object {
  const dirs = [`${volumeMount}/${REPORTS_DIR}`, `${volumeMount}/${SHARED_DIR}`];
  return {
    name: "prepare-dirs",
    image: JOB_IMAGES.init,
    command: ["sh", "-c", `mkdir -p ${dirs.join(" ")} && chmod 2770 ${dirs[0]}`],
    securityContext: RESTRICTED,
    volumeMounts: [{ name: "data", mountPath: volumeMount }],
  };
}

export interface CronJobExtras {
  readonly serviceAccountName?: string;
  readonly labels?: Record<string, string>;
  readonly initContainers?: object[];
  /** @default "storage-job" */
  readonly component?: string;
}

/** A dandihub CronJob on the core nodes: one run at a time, a short history, UTC schedule. */
export function cronJob(name: string, schedule: string, container: object, volumes: object[], extra: CronJobExtras = {}): Manifest {
  const component = extra.component ?? "storage-job";
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, labels: { "app.kubernetes.io/part-of": "dandihub", "app.kubernetes.io/component": component } },
    spec: {
      schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { labels: { "app.kubernetes.io/component": component, ...extra.labels } },
            spec: {
              restartPolicy: "Never",
              nodeSelector: { ...CORE_NODE_LABELS },
              automountServiceAccountToken: false,
              ...(extra.serviceAccountName ? { serviceAccountName: extra.serviceAccountName } : {}),
              ...(extra.initContainers ? { initContainers: extra.initContainers } : {}),
              containers: [container],
              volumes,
            },
          },
        },
      },
    },
  };
}

/** Environment of a job that runs the jobs' package and calls AWS (with the pod's role). */
export function awsJobEnv(config: HubConfig): object[] {
  return [
    { name: "PYTHONPATH", value: CODE_DIR },
    { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
    { name: "AWS_REGION", value: config.region },
    { name: "AWS_DEFAULT_REGION", value: config.region },
  ];
}

/** The jobs' Python package (the dandihub-jobs ConfigMap), to mount at CODE_DIR. */
export function codeVolume(): object {
  return { name: "code", configMap: { name: "dandihub-jobs", items: Object.keys(jobCode()).map((f) => ({ key: f, path: `dandihub_jobs/${f}` })) } };
}

export function storageJobManifests(config: HubConfig, buckets: Readonly<Record<string, string>>): Manifest[] {
  const manifests: Manifest[] = [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dandihub-jobs" }, data: jobCode() },
  ];
  config.storage.cleanup.forEach((c, i) => {
    const slug = `${c.volume}-${c.path.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.slice(0, 40).replace(/-+$/, "");
    const args = [
      "--root", `/data/${SHARED_DIR}`,
      "--path", c.path,
      "--older-than", String(c.olderThanSeconds),
      "--report-dir", `/data/${REPORTS_DIR}`,
      "--name", `cleanup-${slug}`,
      ...(c.dryRun ? [] : ["--apply"]),
    ];
    manifests.push(
      cronJob(
        `dandihub-cleanup-${i}-${slug}`,
        c.schedule,
        {
          name: "cleanup",
          image: JOB_IMAGES.python,
          command: ["python3", "-m", "dandihub_jobs.cleanup"],
          args,
          workingDir: CODE_DIR,
          env: [{ name: "PYTHONDONTWRITEBYTECODE", value: "1" }],
          securityContext: RESTRICTED,
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
          volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "code", mountPath: CODE_DIR, readOnly: true }],
        },
        [{ name: "data", persistentVolumeClaim: { claimName: claimName(c.volume) } }, codeVolume()],
        { initContainers: [prepareDirs("/data")] },
      ),
    );
  });
  const r = config.storage.retention;
  if (r.enabled) {
    for (const g of config.groups) {
      manifests.push(
        cronJob(
          `dandihub-retention-${g.key}`,
          r.schedule,
          {
            name: "retention",
            image: JOB_IMAGES.pythonBoto3,
            command: ["python3", "-m", "dandihub_jobs.retention"],
            args: [
              "--homes", "/homes",
              "--volume", g.key,
              "--bucket", buckets[g.key],
              "--hub-api", "http://hub.jupyterhub.svc:8081/hub/api",
              "--warn-after", String(r.warnAfterSeconds),
              "--reset-after", String(r.resetAfterSeconds),
              "--report-dir", `/homes/${REPORTS_DIR}`,
              ...(r.dryRun ? [] : ["--apply"]),
            ],
            workingDir: CODE_DIR,
            env: [
              ...awsJobEnv(config),
              // z2jh generates the token of a registered service into its `hub` Secret.
              { name: "JUPYTERHUB_API_TOKEN", valueFrom: { secretKeyRef: { name: "hub", key: `hub.services.${RETENTION_SERVICE}.apiToken` } } },
            ],
            securityContext: RESTRICTED,
            resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            volumeMounts: [{ name: "data", mountPath: "/homes" }, { name: "code", mountPath: CODE_DIR, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
          },
          [{ name: "data", persistentVolumeClaim: { claimName: claimName(g.key) } }, codeVolume(), { name: "tmp", emptyDir: {} }],
          {
            serviceAccountName: RETENTION_SERVICE_ACCOUNT,
            // z2jh's hub NetworkPolicy admits pods with this label.
            labels: { "hub.jupyter.org/network-access-hub": "true" },
            initContainers: [prepareDirs("/homes")],
          },
        ),
      );
    }
  }
  return manifests;
}

export class StorageJobs extends Construct {
  readonly manifests: Manifest[];
  /** The release (it also ships the dandihub-jobs ConfigMap other jobs use). */
  readonly release: HelmChart["release"];

  constructor(scope: Construct, id: string, props: StorageJobsProps) {
    super(scope, id);
    this.manifests = storageJobManifests(props.config, props.storage.buckets);
    this.release = new HelmChart(this, "jobs", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-storage-jobs",
      namespace: props.hubNamespace.metadata.name,
      values: { manifests: this.manifests },
      dependsOn: [props.hubNamespace, ...props.storage.volumes.map((v) => v.claim)],
    }).release;
  }
}
