/**
 * Scheduled storage jobs as Kubernetes manifests: cleanup of old files in shared directories,
 * and per group the inactive-home policy with its usage audit. Their Python is jobs/dandihub_jobs,
 * in the dandihub-jobs ConfigMap this release ships. Every job is a dry run unless the deployment
 * file says otherwise.
 */
import { awsJobEnv, CODE_DIR, codeVolume, cronJob, JOB_CODE_CONFIGMAP, JOB_IMAGES, jobCode, RESTRICTED, type Manifest } from "../../core/jobs";
import { HUB_API_URL, HUB_SERVICES, hubServiceToken } from "../../core/names";
import { claimName, REPORTS_DIR, SHARED_DIR } from "./layout";
import type { ResolvedStorage } from "./resolve";

/** The volume growers' service account (its AWS identity: it may grow this deployment's volumes). */
export const GROWER_SERVICE_ACCOUNT = "dandihub-volume-grower";

/** Pods of the grower jobs (network policies select them). */
export const GROWER_COMPONENT = "volume-grower";

/** The retention job's service account (its AWS identity: it may add home archives). */
export const RETENTION_SERVICE_ACCOUNT = "dandihub-retention";

/**
 * Creates the reports directory (and the shared one). No chown and no root: the volume makes
 * everything the user identity's (core/names USER_IDENTITY), the identity this runs as.
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

/**
 * A minute in [0, span) from a name: jobs of many groups start spread over the hour instead of
 * all at once (FNV-1a, stable across synths).
 */
export function spreadMinute(name: string, span: number): number {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h % span;
}

const quarterHourly = (offset: number) => `${[0, 15, 30, 45].map((m) => m + offset).join(",")} * * * *`;

/**
 * Names of AWS resources (bucket names, volume ids) the jobs need. They are Terraform references,
 * so they live in one small ConfigMap the stack writes (STORAGE_REFS_CONFIGMAP), not in the jobs'
 * release: CDKTF tokenizes a string with references in time quadratic in its length, and with
 * hundreds of groups the release's values are megabytes long.
 */
export const STORAGE_REFS_CONFIGMAP = "dandihub-storage-refs";
export const bucketRef = (group: string) => `bucket.${group}`;
export const volumeIdRef = (volume: string) => `volume-id.${volume}`;
const refEnv = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: STORAGE_REFS_CONFIGMAP, key } } });

export interface StorageJobsInput {
  readonly region: string;
  readonly storage: Pick<ResolvedStorage, "cleanup" | "retention">;
  /** Each group's key (what reports and metrics call it) and its volume's name. */
  readonly groups: readonly { readonly key: string; readonly volume: string }[];
}

export function storageJobManifests({ region, storage, groups }: StorageJobsInput): Manifest[] {
  const manifests: Manifest[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: JOB_CODE_CONFIGMAP }, data: jobCode() }];
  storage.cleanup.forEach((c, i) => {
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
  const r = storage.retention;
  if (r.enabled) {
    for (const { key: group, volume } of groups) {
      manifests.push(
        cronJob(
          `dandihub-retention-${group}`,
          r.schedule ?? `${spreadMinute(group, 60)} 6 * * 1`,
          {
            name: "retention",
            image: JOB_IMAGES.pythonBoto3,
            command: ["python3", "-m", "dandihub_jobs.retention"],
            args: [
              "--homes", "/homes",
              "--volume", group,
              "--bucket", "$(BUCKET)",
              "--hub-api", HUB_API_URL,
              "--warn-after", String(r.warnAfterSeconds),
              "--reset-after", String(r.resetAfterSeconds),
              "--report-dir", `/homes/${REPORTS_DIR}`,
              ...(r.dryRun ? [] : ["--apply"]),
            ],
            workingDir: CODE_DIR,
            env: [...awsJobEnv(region), refEnv("BUCKET", bucketRef(group)), { name: "JUPYTERHUB_API_TOKEN", valueFrom: hubServiceToken(HUB_SERVICES.retention) }],
            securityContext: RESTRICTED,
            resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            volumeMounts: [{ name: "data", mountPath: "/homes" }, { name: "code", mountPath: CODE_DIR, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
          },
          [{ name: "data", persistentVolumeClaim: { claimName: claimName(volume) } }, codeVolume(), { name: "tmp", emptyDir: {} }],
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

export interface GrowerJobsInput {
  readonly region: string;
  readonly growth: ResolvedStorage["growth"];
  /** Each growing volume: its name, EBS id and cap. */
  readonly volumes: readonly { readonly volume: string; readonly volumeId: string; readonly capGiB: number }[];
}

/** A grower CronJob per volume: measures through the volume's claim, grows the EBS volume (jobs/dandihub_jobs/grow.py). */
export function growerJobManifests({ region, growth, volumes }: GrowerJobsInput): Manifest[] {
  return volumes.map(({ volume, capGiB }) =>
    cronJob(
      `dandihub-grow-${volume}`,
      growth.schedule ?? quarterHourly(spreadMinute(volume, 15)),
      {
        name: "grow",
        image: JOB_IMAGES.pythonBoto3,
        command: ["python3", "-m", "dandihub_jobs.grow"],
        args: [
          "--mount", "/data",
          "--volume-id", "$(VOLUME_ID)",
          "--cap-gib", String(capGiB),
          "--history", `/data/${REPORTS_DIR}/grow-history.json`,
          "--threshold", String(growth.threshold),
          ...(growth.dryRun ? ["--dry-run"] : []),
        ],
        workingDir: CODE_DIR,
        env: [...awsJobEnv(region), refEnv("VOLUME_ID", volumeIdRef(volume))],
        securityContext: RESTRICTED,
        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "code", mountPath: CODE_DIR, readOnly: true }],
      },
      [{ name: "data", persistentVolumeClaim: { claimName: claimName(volume) } }, codeVolume()],
      { serviceAccountName: GROWER_SERVICE_ACCOUNT, component: GROWER_COMPONENT, initContainers: [prepareDirs("/data")] },
    ),
  );
}
