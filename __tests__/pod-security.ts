/**
 * Pod Security admission, the Kubernetes profiles (baseline and restricted, "latest"), for tests:
 * what a pod spec violates at a level. The checks dandihub's pods can trip; a level a pod passes
 * here is a level the API server admits it at.
 */
type Json = Record<string, any>;

export type Level = "privileged" | "baseline" | "restricted";

const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

/** What `spec` (a PodSpec) violates at `level` (empty: admitted). */
export function violations(spec: Json, level: Level): string[] {
  if (level === "privileged") return [];
  const v: string[] = [];
  const pod = spec.securityContext ?? {};
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Json[];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push("host namespaces");
  for (const vol of (spec.volumes ?? []) as Json[]) if (vol.hostPath) v.push(`hostPath volume ${vol.name}`);
  if (pod.seccompProfile?.type === "Unconfined") v.push("seccomp Unconfined");
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) v.push(`${c.name}: privileged`);
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) v.push(`${c.name}: adds ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${c.name}: hostPort`);
    if (sc.seccompProfile?.type === "Unconfined") v.push(`${c.name}: seccomp Unconfined`);
  }
  if (level === "baseline") return v;
  for (const vol of (spec.volumes ?? []) as Json[]) {
    const kinds = Object.keys(vol).filter((k) => k !== "name");
    if (kinds.some((k) => !RESTRICTED_VOLUMES.has(k))) v.push(`volume ${vol.name}: ${kinds.join(",")} is not allowed`);
  }
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) v.push(`${c.name}: does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") v.push(`${c.name}: adds ${cap}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) v.push(`${c.name}: runAsNonRoot not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) v.push(`${c.name}: runs as root`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push(`${c.name}: no RuntimeDefault seccomp profile`);
  }
  return v;
}
