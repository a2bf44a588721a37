/**
 * Warm capacity (groups.<g>.warm): placeholder pods, each the size of one server of a profile, on
 * the group's pool during a weekly window. Karpenter keeps nodes up for them; a user server that
 * needs the room preempts them (they run below every user pod's priority) and starts at once,
 * and Karpenter brings up a node for the evicted placeholder in the background. Two CronJobs per
 * group, in the window's time zone, scale them up (every 15 minutes inside it, so an eviction or
 * an upgrade heals) and down (at its end).
 */
import { codeVolume, CODE_DIR, cronJob, JOB_IMAGES, RESTRICTED, type Manifest } from "../../core/jobs";
import { GPU_RESOURCE, GPU_TAINT, GROUP_LABEL, groupTaint, POOL_LABEL, USER_TOLERATION } from "../../core/labels";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export interface WarmWindow {
  /** Cron day-of-week numbers (0 = Sunday). */
  readonly days: readonly number[];
  readonly startHour: number;
  readonly endHour: number;
  readonly timeZone: string;
}

/** "Mon-Fri 08:00-18:00 America/New_York" (the schema's pattern checked it) as a window. */
export function parseWindow(when: string): WarmWindow {
  const [days, hours, timeZone] = when.split(" ");
  const [from, to = from] = days.split("-").map((d) => DAYS.indexOf(d as (typeof DAYS)[number]));
  const list: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    list.push(d);
    if (d === to) break;
  }
  const [startHour, endHour] = hours.split("-").map((h) => Number(h.slice(0, 2)));
  return { days: list, startHour, endHour, timeZone };
}

/**
 * The profile whose size a group's placeholders take: the one named, else the group's first in the
 * profiles section's order (the menu's). Undefined when the group has none that exists.
 */
export function warmProfileOf(profileOrder: readonly string[], g: { readonly profiles: readonly string[]; readonly warm?: { readonly profile?: string } }): string | undefined {
  return g.warm?.profile ?? profileOrder.find((p) => g.profiles.includes(p));
}

/** Hours a week inside the window (the estimator's). */
export function hoursPerWeek(w: WarmWindow): number {
  return w.days.length * (w.endHour - w.startHour);
}

/** What the checks say about a window, if anything. */
export function windowProblem(when: string): string | undefined {
  const w = parseWindow(when);
  if (w.endHour <= w.startHour) return `the window ends (${w.endHour}:00) before it starts (${w.startHour}:00)`;
  if (!Intl.supportedValuesOf("timeZone").includes(w.timeZone) && w.timeZone !== "UTC") return `${w.timeZone} is not an IANA time zone (e.g. America/New_York, Europe/Berlin, UTC)`;
  return undefined;
}

/** The placeholders' priority: below every user server (z2jh gives those ON_DEMAND_CORE_PRIORITY). */
export const WARM_PRIORITY = { name: "dandihub-warm-placeholder", value: -10 } as const;
const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

export interface WarmGroup {
  readonly group: string;
  /** The pool the profile's servers of this group land on. */
  readonly pool: string;
  readonly servers: number;
  readonly window: WarmWindow;
  /** One server's guarantee. */
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly gpus: number;
}

export const warmName = (group: string) => `warm-${group}`;
/** `app.kubernetes.io/component` of the scaler pods (their NetworkPolicy selects it). */
export const WARM_SCALER_COMPONENT = "warm-scaler";

/** The placeholders, their schedule and the rights to scale them, for the hub's namespace. */
export function warmManifests(groups: readonly WarmGroup[], namespace: string): Manifest[] {
  if (!groups.length) return [];
  const scaler = "dandihub-warm-scaler";
  const manifests: Manifest[] = [
    {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: WARM_PRIORITY.name },
      value: WARM_PRIORITY.value,
      preemptionPolicy: "Never",
      globalDefault: false,
      description: "dandihub warm capacity: placeholders any user server preempts",
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: scaler } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: scaler },
      rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: groups.map((g) => warmName(g.group)), verbs: ["get", "patch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: scaler },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: scaler },
      subjects: [{ kind: "ServiceAccount", name: scaler, namespace }],
    },
  ];
  for (const g of groups) {
    const name = warmName(g.group);
    const labels = { "app.kubernetes.io/name": "warm-placeholder", "app.kubernetes.io/part-of": "dandihub", [GROUP_LABEL]: g.group };
    const requests = { cpu: `${Math.round(g.cpu * 1000)}m`, memory: `${Math.round(g.memoryBytes / 2 ** 20)}Mi`, ...(g.gpus ? { [GPU_RESOURCE]: String(g.gpus) } : {}) };
    manifests.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      // Created empty; the scaler sets the count (Helm's three-way merge leaves it alone after).
      metadata: { name, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: { "app.kubernetes.io/name": "warm-placeholder", [GROUP_LABEL]: g.group } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: WARM_PRIORITY.name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 0,
            nodeSelector: { [GROUP_LABEL]: g.group, [POOL_LABEL]: g.pool },
            tolerations: [USER_TOLERATION, { ...groupTaint(g.group), operator: "Equal" }, ...(g.gpus ? [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }] : [])],
            securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "pause",
                image: PAUSE_IMAGE,
                resources: { requests, limits: { memory: requests.memory, ...(g.gpus ? { [GPU_RESOURCE]: String(g.gpus) } : {}) } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    });
    const days = g.window.days.join(",");
    const job = (suffix: string, schedule: string, replicas: number): Manifest =>
      cronJob(
        `${name}-${suffix}`,
        schedule,
        {
          name: "scale",
          image: JOB_IMAGES.python,
          command: ["python", "-m", "dandihub_jobs.warm", namespace, name, String(replicas)],
          env: [{ name: "PYTHONPATH", value: CODE_DIR }, { name: "PYTHONDONTWRITEBYTECODE", value: "1" }],
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
          securityContext: RESTRICTED,
          volumeMounts: [{ name: "code", mountPath: CODE_DIR, readOnly: true }],
        },
        [codeVolume()],
        { serviceAccountName: scaler, component: WARM_SCALER_COMPONENT, timeZone: g.window.timeZone, kubernetesToken: true },
      );
    manifests.push(job("up", `*/15 ${g.window.startHour}-${g.window.endHour - 1} * * ${days}`, g.servers), job("down", `0 ${g.window.endHour % 24} * * ${days}`, 0));
  }
  return manifests;
}
