/**
 * The NetworkPolicies z2jh 4.4.0 renders for the hub, the proxy, autohttps and user servers,
 * rebuilt from chart values as its templates do (templates/{hub,proxy,singleuser}/netpol.yaml and
 * _helpers-netpol.tpl; checked by hand against `helm template` of the pinned chart). The chart's
 * defaults are the 4.4.0 values.yaml's: a key the values leave out takes them.
 */
import type { Peer, Policy, PortRule, Rule } from "./netpol";

type Json = Record<string, any>;

const Z2JH = { app: "jupyterhub", release: "jupyterhub" } as const;
const match = (component: string) => ({ matchLabels: { component, ...Z2JH } });

/** z2jh 4.4.0's egressAllowRules defaults: hub, proxy and autohttps allow everything; user servers no private IPs or metadata. */
const DEFAULT_RULES = {
  core: { cloudMetadataServer: true, dnsPortsCloudMetadataServer: true, dnsPortsKubeSystemNamespace: true, dnsPortsPrivateIPs: true, nonPrivateIPs: true, privateIPs: true },
  singleuser: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: true, dnsPortsKubeSystemNamespace: true, dnsPortsPrivateIPs: true, nonPrivateIPs: true, privateIPs: false },
} as const;

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** _helpers-netpol.tpl's renderEgressRules. */
function egressRules(netpol: Json, defaults: Json, metadataIp: string): Rule[] {
  const r = { ...defaults, ...(netpol?.egressAllowRules ?? {}) };
  const rules: Rule[] = [];
  if (r.dnsPortsCloudMetadataServer || r.dnsPortsKubeSystemNamespace || r.dnsPortsPrivateIPs) {
    const to: Peer[] = [
      ...(r.dnsPortsCloudMetadataServer ? [{ ipBlock: { cidr: `${metadataIp}/32` } }] : []),
      ...(r.dnsPortsKubeSystemNamespace ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }] : []),
      ...(r.dnsPortsPrivateIPs ? PRIVATE.map((cidr) => ({ ipBlock: { cidr } })) : []),
    ];
    rules.push({ ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }], to });
  }
  if (r.nonPrivateIPs) rules.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE, `${metadataIp}/32`] } }] });
  if (r.privateIPs) rules.push({ to: PRIVATE.map((cidr) => ({ ipBlock: { cidr } })) });
  if (r.cloudMetadataServer) rules.push({ to: [{ ipBlock: { cidr: `${metadataIp}/32` } }] });
  return [...rules, ...((netpol?.egress ?? []) as Rule[])];
}

/** The four policies (the autohttps one only when it runs), in the hub's namespace. */
export function z2jhPolicies(values: Json, namespace = "jupyterhub"): Policy[] {
  const metadataIp = values.singleuser?.cloudMetadata?.ip ?? "169.254.169.254";
  const https = values.proxy?.https ?? {};
  const autohttps = https.enabled === true && https.type === "letsencrypt" && (https.hosts ?? []).length > 0;
  const manualHttps = https.enabled === true && (https.type === "manual" || https.type === "secret");
  const policies: Policy[] = [];
  const hub = values.hub?.networkPolicy ?? {};
  if (hub.enabled !== false) {
    policies.push({
      name: "hub",
      namespace,
      podSelector: match("hub"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        ...allowedPorts(hub.allowedIngressPorts ?? []),
        { ports: [{ port: "http" }], from: [{ podSelector: { matchLabels: { "hub.jupyter.org/network-access-hub": "true" } } }] },
        ...((hub.ingress ?? []) as Rule[]),
      ],
      egress: [
        { to: [{ podSelector: match("proxy") }], ports: [{ port: 8001 }] },
        { to: [{ podSelector: match("singleuser-server") }], ports: [{ port: 8888 }] },
        ...egressRules(hub, DEFAULT_RULES.core, metadataIp),
      ],
    });
  }
  const chp = values.proxy?.chp?.networkPolicy ?? {};
  if (chp.enabled !== false) {
    policies.push({
      name: "proxy",
      namespace,
      podSelector: match("proxy"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        ...allowedPorts(chp.allowedIngressPorts ?? ["http", "https"]),
        { ports: [{ port: "http" }, ...(manualHttps ? [{ port: "https" }] : [])], from: [{ podSelector: { matchLabels: { "hub.jupyter.org/network-access-proxy-http": "true" } } }] },
        { ports: [{ port: "api" }], from: [{ podSelector: { matchLabels: { "hub.jupyter.org/network-access-proxy-api": "true" } } }] },
        ...((chp.ingress ?? []) as Rule[]),
      ],
      egress: [
        { to: [{ podSelector: match("hub") }], ports: [{ port: 8081 }] },
        { to: [{ podSelector: match("singleuser-server") }], ports: [{ port: 8888 }] },
        ...egressRules(chp, DEFAULT_RULES.core, metadataIp),
      ],
    });
  }
  const traefik = values.proxy?.traefik?.networkPolicy ?? {};
  if (autohttps && traefik.enabled !== false) {
    policies.push({
      name: "autohttps",
      namespace,
      podSelector: match("autohttps"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        ...allowedPorts(traefik.allowedIngressPorts ?? ["http", "https"]),
        { ports: [{ port: "http" }, { port: "https" }], from: [{ podSelector: { matchLabels: { "hub.jupyter.org/network-access-proxy-http": "true" } } }] },
        ...((traefik.ingress ?? []) as Rule[]),
      ],
      egress: [{ to: [{ podSelector: match("proxy") }], ports: [{ port: 8000 }] }, ...egressRules(traefik, DEFAULT_RULES.core, metadataIp)],
    });
  }
  const su = values.singleuser?.networkPolicy ?? {};
  if (su.enabled !== false) {
    policies.push({
      name: "singleuser",
      namespace,
      podSelector: match("singleuser-server"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        ...allowedPorts(su.allowedIngressPorts ?? []),
        { ports: [{ port: "notebook-port" }], from: [{ podSelector: { matchLabels: { "hub.jupyter.org/network-access-singleuser": "true" } } }] },
        ...((su.ingress ?? []) as Rule[]),
      ],
      egress: [
        { to: [{ podSelector: match("hub") }], ports: [{ port: 8081 }] },
        { to: [{ podSelector: match("proxy") }], ports: [{ port: 8000 }] },
        { to: [{ podSelector: match("autohttps") }], ports: [{ port: 8080 }, { port: 8443 }] },
        ...egressRules(su, DEFAULT_RULES.singleuser, metadataIp),
      ],
    });
  }
  return policies;
}

function allowedPorts(ports: readonly (string | number)[]): Rule[] {
  return ports.length ? [{ ports: ports.map((port): PortRule => ({ port })) }] : [];
}
