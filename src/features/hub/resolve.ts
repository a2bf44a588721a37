/** The hub, resolved: its URL, TLS as a tagged union, culling and timeouts in seconds. */
import type { Deployment } from "../../config/schema";
import { parseDuration, parseQuantity } from "../../config/units";

export type Tls =
  | { readonly kind: "acm"; readonly certificateArn: string }
  | { readonly kind: "letsencrypt"; readonly email: string }
  | { readonly kind: "none" };

export interface ResolvedHub {
  readonly domain: string;
  /** `https://<domain>` (http without TLS). */
  readonly url: string;
  readonly tls: Tls;
  readonly cull: { readonly enabled: boolean; readonly idleTimeoutSeconds: number; readonly maxAgeSeconds: number; readonly everySeconds: number };
  readonly startTimeoutSeconds: number;
  readonly defaultUrl: string;
  readonly dbSizeBytes: number;
  readonly loadBalancerSourceRanges: readonly string[];
  readonly contact: string;
}

function resolveTls(d: Deployment): Tls {
  const t = d.hub.tls;
  if (t.acmCertificateArn) return { kind: "acm", certificateArn: t.acmCertificateArn };
  if (t.letsEncrypt) return { kind: "letsencrypt", email: t.letsEncrypt.email };
  return { kind: "none" };
}

export function resolveHub(d: Deployment): ResolvedHub {
  const h = d.hub;
  return {
    domain: h.domain,
    url: `${h.tls.none ? "http" : "https"}://${h.domain}`,
    tls: resolveTls(d),
    cull: {
      enabled: h.cull.enabled,
      idleTimeoutSeconds: parseDuration(h.cull.idleTimeout),
      maxAgeSeconds: h.cull.maxAge ? parseDuration(h.cull.maxAge) : 0,
      everySeconds: parseDuration(h.cull.every),
    },
    startTimeoutSeconds: parseDuration(h.startTimeout),
    defaultUrl: h.defaultUrl,
    dbSizeBytes: parseQuantity(h.db.size),
    loadBalancerSourceRanges: h.loadBalancerSourceRanges,
    contact: h.contact,
  };
}

/** The default profile: the one marked default, else the first (decided once, here). */
export function defaultProfileKey(d: Deployment): string | undefined {
  const entries = Object.entries(d.profiles);
  return entries.find(([, p]) => p.default)?.[0] ?? entries[0]?.[0];
}
