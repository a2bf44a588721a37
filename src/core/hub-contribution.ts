/**
 * How a feature adds to the hub: the hub's chart values are built by features/hub/values.ts from
 * its own part and one contribution per feature (auth, storage, images, monitoring, services),
 * merged here. Maps merge key by key; a key two features both set is a bug and throws at synth.
 */

/** A JupyterHub role (z2jh `hub.loadRoles`). */
export interface HubRole {
  readonly description: string;
  readonly scopes: readonly string[];
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
  readonly services?: readonly string[];
}

/** A hub-managed service (z2jh `hub.services`); z2jh generates its API token into the hub Secret. */
export interface HubService {
  readonly display: boolean;
  readonly url?: string;
  /** A hub-managed service: the hub runs this command in its pod. @default none (runs elsewhere) */
  readonly command?: readonly string[];
  /** The managed service's environment, besides what JupyterHub sets. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Scopes the service's OAuth tokens may carry beyond access to it (custom scopes it checks). @default none */
  readonly oauth_client_allowed_scopes?: readonly string[];
  readonly oauth_no_confirm?: boolean;
  readonly oauth_redirect_uri?: string;
}

/** A pod that calls the hub API (port 8081) from outside the pods z2jh's own rule admits. */
export interface HubApiClient {
  readonly name: string;
  /** The pods' namespace; the hub's when omitted. */
  readonly namespace?: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** A port of the hub pod besides the API: a hub-managed service's, on the hub's Service, open to these pods. */
export interface HubPort {
  readonly name: string;
  readonly port: number;
  /** Labels of the pods (in the hub's namespace) that may connect. */
  readonly from: Readonly<Record<string, string>>;
}

export interface HubContribution {
  /** Hub services (z2jh `hub.services`), by name. */
  readonly services?: Readonly<Record<string, HubService>>;
  /** Hub roles (z2jh `hub.loadRoles`), by name. */
  readonly roles?: Readonly<Record<string, HubRole>>;
  /** Clients of the hub API the hub's NetworkPolicy must admit. */
  readonly apiClients?: readonly HubApiClient[];
  /** Ports of the hub pod beyond the API (hub-managed services'). */
  readonly hubPorts?: readonly HubPort[];
  /** NetworkPolicy egress rules user servers get (services they may reach at private addresses). */
  readonly userEgress?: readonly object[];
  /** Chart values (deep-merged into the hub's). */
  readonly values?: object;
  /** Parts of the settings file hub/dandihub_hub reads (deep-merged), e.g. `groups.<g>.env`. */
  readonly settings?: object;
}

export type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge of maps; anything else set twice is a conflict. */
export function mergeMaps(a: Json, b: Json, path = ""): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in out)) out[k] = v;
    else if (isMap(out[k]) && isMap(v)) out[k] = mergeMaps(out[k] as Json, v, `${path}${k}.`);
    else throw new Error(`hub contributions both set ${path}${k}`);
  }
  return out;
}

export interface MergedContribution {
  readonly services: Readonly<Record<string, HubService>>;
  readonly roles: Readonly<Record<string, HubRole>>;
  readonly apiClients: readonly HubApiClient[];
  readonly hubPorts: readonly HubPort[];
  readonly userEgress: readonly object[];
  readonly values: Json;
  readonly settings: Json;
}

/** One contribution from many, in order (lists concatenate, maps merge). */
export function mergeContributions(parts: readonly HubContribution[]): MergedContribution {
  let services: Json = {};
  let roles: Json = {};
  let values: Json = {};
  let settings: Json = {};
  const apiClients: HubApiClient[] = [];
  const hubPorts: HubPort[] = [];
  const userEgress: object[] = [];
  for (const p of parts) {
    services = mergeMaps(services, (p.services ?? {}) as Json, "hub.services.");
    roles = mergeMaps(roles, (p.roles ?? {}) as Json, "hub.loadRoles.");
    values = mergeMaps(values, (p.values ?? {}) as Json);
    settings = mergeMaps(settings, (p.settings ?? {}) as Json, "settings.");
    apiClients.push(...(p.apiClients ?? []));
    hubPorts.push(...(p.hubPorts ?? []));
    userEgress.push(...(p.userEgress ?? []));
  }
  return {
    services: services as Record<string, HubService>,
    roles: roles as Record<string, HubRole>,
    apiClients,
    hubPorts,
    userEgress,
    values,
    settings,
  };
}
