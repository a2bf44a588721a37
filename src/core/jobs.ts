/**
 * What every dandihub job and exporter pod shares: the images, the unprivileged security context,
 * the CronJob shape on the core nodes, and the jobs' Python package (jobs/dandihub_jobs), shipped
 * in the `dandihub-jobs` ConfigMap (the storage jobs' release installs it; others mount it).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CORE_NODE_LABELS } from "./labels";
import { USER_IDENTITY } from "./names";
import { repoPath } from "./paths";

export const JOBS_SOURCE_DIR = repoPath("jobs", "dandihub_jobs");
/** Where the package is mounted in a job pod (on PYTHONPATH). */
export const CODE_DIR = "/opt/dandihub";
export const JOB_CODE_CONFIGMAP = "dandihub-jobs";

/** Plain Python; Python with boto3 (AWS's Lambda base image) for jobs that call AWS; busybox for setup. */
export const JOB_IMAGES = {
  python: "public.ecr.aws/docker/library/python:3.12-slim",
  pythonBoto3: "public.ecr.aws/lambda/python:3.12",
  init: "public.ecr.aws/docker/library/busybox:1.36.1",
} as const;

export type Manifest = Record<string, unknown>;

let cachedJobCode: Record<string, string> | undefined;

/** Job code: every module of the package, one ConfigMap key each (read once per process: every job's volume names the files). */
export function jobCode(): Record<string, string> {
  cachedJobCode ??= Object.fromEntries(
    readdirSync(JOBS_SOURCE_DIR)
      .filter((f) => f.endsWith(".py"))
      .sort()
      .map((f) => [f, readFileSync(join(JOBS_SOURCE_DIR, f), "utf8")]),
  );
  return cachedJobCode;
}

/** The jobs' Python package as a volume, to mount at CODE_DIR. */
export function codeVolume(): object {
  return { name: "code", configMap: { name: JOB_CODE_CONFIGMAP, items: Object.keys(jobCode()).map((f) => ({ key: f, path: `dandihub_jobs/${f}` })) } };
}

/** Security context of every job container: the user identity, read-only, no capabilities. */
export const RESTRICTED = {
  runAsUser: USER_IDENTITY.uid,
  runAsGroup: USER_IDENTITY.gid,
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export interface CronJobExtras {
  /** The pod's service account (its AWS identity). @default none (the namespace's default, no token mounted) */
  readonly serviceAccountName?: string;
  /** Extra pod labels. @default none */
  readonly labels?: Record<string, string>;
  /** Init containers. @default none */
  readonly initContainers?: object[];
  /** `app.kubernetes.io/component` of the job and its pods. @default "storage-job" */
  readonly component?: string;
  /** The time zone the schedule is read in. @default "Etc/UTC" */
  readonly timeZone?: string;
  /** Mount the service account's token (a job that calls the Kubernetes API). @default false */
  readonly kubernetesToken?: boolean;
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
      timeZone: extra.timeZone ?? "Etc/UTC",
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
              automountServiceAccountToken: extra.kubernetesToken ?? false,
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
export function awsJobEnv(region: string): object[] {
  return [
    { name: "PYTHONPATH", value: CODE_DIR },
    { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
    { name: "AWS_REGION", value: region },
    { name: "AWS_DEFAULT_REGION", value: region },
  ];
}
