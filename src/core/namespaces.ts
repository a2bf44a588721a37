/**
 * The metadata of every namespace dandihub creates: who manages it, its Pod Security admission
 * level (enforced; `restricted` always warned about and audited, so an operator sees what a
 * stricter level would refuse) and, when it matters to a policy, its role.
 */
import { MANAGED_BY, ROLE_LABEL } from "./labels";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface PodSecurity {
  readonly level: PodSecurityLevel;
  /** Why a namespace is not `restricted` (help/security.md lists them). @default none (restricted) */
  readonly reason?: string;
}

export const RESTRICTED_NAMESPACE: PodSecurity = { level: "restricted" };

const PSA = "pod-security.kubernetes.io";

export function namespaceMetadata(name: string, security: PodSecurity, role?: string): { name: string; labels: Record<string, string>; annotations?: Record<string, string> } {
  return {
    name,
    labels: {
      ...MANAGED_BY,
      [`${PSA}/enforce`]: security.level,
      [`${PSA}/enforce-version`]: "latest",
      [`${PSA}/warn`]: "restricted",
      [`${PSA}/warn-version`]: "latest",
      [`${PSA}/audit`]: "restricted",
      [`${PSA}/audit-version`]: "latest",
      ...(role ? { [ROLE_LABEL]: role } : {}),
    },
    ...(security.reason ? { annotations: { "dandihub.org/pod-security": security.reason } } : {}),
  };
}

/** The restricted profile for pods running users' code (user servers, Dask clusters), as the user identity. */
export const RESTRICTED_POD_CONTEXT = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } as const;
export const RESTRICTED_CONTAINER_CONTEXT = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } } as const;
