/**
 * dandihub's policy: rules every synthesized stack must pass (help/security.md lists them).
 * Each names what it protects and how to fix a finding; a finding can only be waived in the
 * deployment file with a reason (policy.waivers), and waivers are printed at every synth.
 */
import { gzipSync } from "node:zlib";
import { GROUP_TAG, NFS_SERVER_ROLE, ROLE_LABEL } from "../../core/labels";
import { cidrAdmits, cidrWithin } from "../../core/util/cidr";
import { isPinned } from "../../core/util/image-ref";
import { secretFormat } from "../../core/util/secret-patterns";
import { hubSettings, manifests, resources, type Json, type PolicyView } from "./view";

export interface Finding {
  /** Terraform address, or `helm_release.<name>:<Kind>/<name>` for objects inside a release. */
  readonly address: string;
  readonly detail: string;
  /** The deployment-file field that caused it; none when dandihub's constructs made the output so. */
  readonly field?: readonly (string | number)[];
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly protects: string;
  readonly fix: string;
  readonly check: (view: PolicyView) => Finding[];
}

const HUB = "helm_release.jupyterhub_chart_release";

/** Kubernetes NetworkPolicies: Terraform resources (by address) and manifests inside releases. */
function networkPolicyManifests(view: PolicyView): [string, Json][] {
  const fromTf = resources(view, "kubernetes_network_policy_v1").map(([a, r]): [string, Json] => [a, { metadata: r.metadata, spec: r.spec }]);
  return [...fromTf, ...manifests(view).filter(([, m]) => m.kind === "NetworkPolicy")];
}

function nodeClasses(view: PolicyView): [string, Json][] {
  return manifests(view).filter(([, m]) => m.kind === "EC2NodeClass");
}

/** The EKS managed node groups (the core nodes), with an address naming each. */
function nodeGroups(view: PolicyView): [string, Json][] {
  return Object.entries((view.tf.module?.cluster_eks?.eks_managed_node_groups ?? {}) as Record<string, Json>).map(([name, ng]) => [`module.cluster_eks:node-group/${name}`, ng]);
}

/** The public API endpoint may admit networks up to this size (a /8: a large university or cloud region). */
const MIN_ENDPOINT_PREFIX = 8;

/**
 * What in a pod template, container or KubeSpawner override gives code more than Pod Security's
 * restricted profile: checked on every object of the tree, containers, init containers, sidecars
 * and overrides alike, by the property and not its spelling (camelCase or KubeSpawner's snake_case).
 */
export function podRisks(node: unknown): string[] {
  const found = new Set<string>();
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") {
      if (typeof n === "string" && n.includes("/dev/fuse")) found.add("FUSE (/dev/fuse)");
      return;
    }
    const o = n as Json;
    if (o.privileged === true) found.add("privileged container");
    if (o.allowPrivilegeEscalation === true || o.allow_privilege_escalation === true) found.add("privilege escalation allowed");
    const added = (o.capabilities?.add ?? []) as string[];
    if (added.length) found.add(`adds capabilities ${added.join(", ")}${added.includes("SYS_ADMIN") ? " (FUSE needs it: opt in by a waiver)" : ""}`);
    if ("hostPath" in o || "host_path" in o) found.add("host path volume");
    for (const k of ["hostNetwork", "hostPID", "hostIPC", "host_network", "host_pid", "host_ipc"]) if (o[k] === true) found.add("host namespaces");
    if (o.runAsUser === 0 || o.run_as_user === 0 || o.uid === 0) found.add("runs as root (uid 0)");
    if (o.runAsNonRoot === false || o.run_as_non_root === false) found.add("runAsNonRoot false");
    Object.values(o).forEach(walk);
  };
  walk(node);
  return [...found];
}

/** Keys whose value is a credential; a literal value there is one, whatever its shape. */
const SECRET_KEY = /^(client_?secret|password|passwd|secret_?access_?key|api_?token|auth_?token|access_?token|private_?key|token|secret)$/i;
/** Env variable names that hold credentials (FOO_TOKEN, DB_PASSWORD, AWS_SECRET_ACCESS_KEY). */
const SECRET_ENV = /^([A-Z][A-Z0-9_]*_)?(TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|SECRET_ACCESS_KEY|PRIVATE_KEY|API_KEY)$/;

/** A value that names where a secret is rather than being one: a Terraform reference, a placeholder, empty. */
function isReference(value: string): boolean {
  return value.length < 6 || /^\$\{[^}]+\}$/.test(value) || /^\{[A-Za-z_]+\}$/.test(value);
}

/**
 * Every string of a JSON tree with the path that leads to it, JSON inside strings (the hub's
 * settings file) parsed and walked too.
 */
function strings(node: unknown, path: string, out: [string, string, string | undefined][] = [], key?: string, depth = 0): [string, string, string | undefined][] {
  if (typeof node === "string") {
    // JSON inside a string is read as its parts, so a finding names the field inside.
    if (depth < 3 && /^\s*[[{]/.test(node)) {
      try {
        strings(JSON.parse(node), path, out, undefined, depth + 1);
        return out;
      } catch {
        // not JSON
      }
    }
    out.push([path, node, key]);
  } else if (Array.isArray(node)) node.forEach((v, i) => strings(v, `${path}[${i}]`, out, undefined, depth));
  else if (node && typeof node === "object") {
    const o = node as Json;
    // {name: FOO_TOKEN, value: "..."}: an env entry names its value.
    if (typeof o.name === "string" && typeof o.value === "string" && SECRET_ENV.test(o.name)) out.push([`${path}.${o.name}`, o.value, o.name]);
    for (const [k, v] of Object.entries(o)) if (k !== "//") strings(v, path ? `${path}.${k}` : k, out, k, depth);
  }
  return out;
}

/** Where secrets were found: the address and path, and what kind; never any part of the value. */
function secretFindings(view: PolicyView): Finding[] {
  const f: Finding[] = [];
  const seen = new Set<string>();
  const check = (address: string, path: string, value: string, key: string | undefined) => {
    // The most specific format only (a GitHub token's tail also looks like an AWS secret).
    const format = secretFormat(value);
    const hits = format ? [format] : [];
    if (key && (SECRET_KEY.test(key) || SECRET_ENV.test(key)) && !isReference(value) && !hits.length) hits.push("a literal value in a secret-named field");
    for (const name of hits) {
      const at = `${address}${path ? `:${path}` : ""}`;
      if (!seen.has(`${at}|${name}`)) f.push({ address: at, detail: `${name} (value not shown)` });
      seen.add(`${at}|${name}`);
    }
  };
  const tf = view.tf as Json;
  for (const section of ["resource", "data"]) {
    for (const [type, byName] of Object.entries((tf[section] ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, body] of Object.entries(byName)) {
        const address = `${section === "data" ? "data." : ""}${type}.${name}`;
        const helm = view.helm[address];
        for (const [path, value, key] of strings({ ...body, values: helm ? undefined : body.values }, "")) check(address, path, value, key);
        if (helm) for (const [path, value, key] of strings(helm, "")) check(address, path, value, key);
      }
    }
  }
  for (const [name, body] of Object.entries((tf.module ?? {}) as Record<string, Json>)) for (const [path, value, key] of strings(body, "")) check(`module.${name}`, path, value, key);
  for (const [section, prefix] of [["variable", "var."], ["output", "output."], ["provider", "provider."], ["locals", "local."]] as const) {
    for (const [name, body] of Object.entries((tf[section] ?? {}) as Record<string, Json>)) {
      for (const [path, value, key] of strings(body, "")) if (key !== "default" || section !== "variable" || value) check(`${prefix}${name}`, path, value, key === "description" ? undefined : key);
    }
  }
  return f;
}

export const RULES: readonly Rule[] = [
  {
    id: "DH001",
    title: "storage encrypted at rest",
    protects: "User data, secrets and logs on disks, file systems and buckets if media or snapshots leak.",
    fix: "Do not override encryption: EBS volumes, EFS, node disks, storage classes, S3 buckets and SNS topics are encrypted by the constructs.",
    check: (view) => {
      const f: Finding[] = [];
      for (const [a, r] of resources(view, "aws_ebs_volume")) if (r.encrypted !== true) f.push({ address: a, detail: "EBS volume not encrypted" });
      for (const [a, r] of resources(view, "aws_efs_file_system")) if (r.encrypted !== true) f.push({ address: a, detail: "EFS file system not encrypted" });
      const sse = new Set(resources(view, "aws_s3_bucket_server_side_encryption_configuration").map(([, r]) => String(r.bucket)));
      for (const [a] of resources(view, "aws_s3_bucket")) if (!sse.has(`\${${a}.id}`)) f.push({ address: a, detail: "bucket without default encryption" });
      for (const [a, r] of resources(view, "kubernetes_storage_class_v1")) if (r.parameters?.encrypted !== "true") f.push({ address: a, detail: "storage class does not encrypt volumes" });
      for (const [a, r] of resources(view, "aws_sns_topic")) if (!r.kms_master_key_id) f.push({ address: a, detail: "SNS topic without KMS encryption" });
      const eks = view.tf.module?.cluster_eks;
      if (eks && !(eks.encryption_config?.resources ?? []).includes("secrets")) f.push({ address: "module.cluster_eks", detail: "Kubernetes secrets not envelope-encrypted with KMS" });
      for (const [a, ng] of nodeGroups(view)) {
        for (const bd of Object.values((ng.block_device_mappings ?? {}) as Record<string, Json>)) if (bd.ebs?.encrypted !== true) f.push({ address: a, detail: "node disk not encrypted" });
      }
      for (const [a, m] of nodeClasses(view)) for (const bd of m.spec?.blockDeviceMappings ?? []) if (bd.ebs?.encrypted !== true) f.push({ address: a, detail: "node disk not encrypted" });
      return f;
    },
  },
  {
    id: "DH002",
    title: "nodes in private subnets",
    protects: "Nodes and user servers from direct reach from the internet.",
    fix: "Nodes go in the VPC's private subnets (module.cluster_eks subnet_ids) and Karpenter finds subnets by a tag only private subnets carry.",
    check: (view) => {
      const f: Finding[] = [];
      const eks = view.tf.module?.cluster_eks;
      if (eks && !String(eks.subnet_ids).includes("private_subnets")) f.push({ address: "module.cluster_eks", detail: `subnet_ids = ${JSON.stringify(eks.subnet_ids)}, not the private subnets` });
      const vpc = view.tf.module?.network_vpc;
      if (vpc) {
        if (vpc.map_public_ip_on_launch !== false) f.push({ address: "module.network_vpc", detail: "public subnets hand out public IPs to instances" });
        if (!Object.keys(vpc.private_subnet_tags ?? {}).includes("karpenter.sh/discovery")) f.push({ address: "module.network_vpc", detail: "private subnets lack the Karpenter discovery tag" });
        if (Object.keys(vpc.public_subnet_tags ?? {}).includes("karpenter.sh/discovery")) f.push({ address: "module.network_vpc", detail: "public subnets carry the Karpenter discovery tag: nodes could land there" });
      }
      for (const [a, m] of nodeClasses(view)) {
        const terms = m.spec?.subnetSelectorTerms ?? [];
        if (!terms.length || terms.some((t: Json) => !t.tags?.["karpenter.sh/discovery"])) f.push({ address: a, detail: "subnets not selected by the private-only discovery tag" });
      }
      return f;
    },
  },
  {
    id: "DH003",
    title: "user servers unprivileged",
    protects: "Nodes, other users' servers and the storage servers from code running in a user server.",
    fix: "User servers run Pod Security's restricted profile (KubeSpawner's pod and container security contexts: RuntimeDefault seccomp, non-root, no privilege escalation, every capability dropped). No container of a user server (sidecars and init containers included), profile override, group mount, Dask pod or published chart may be privileged, escalate, add any capability, run as uid 0, use host paths or host namespaces. FUSE (SYS_ADMIN, /dev/fuse) is opt-in only by a waiver.",
    check: (view) => {
      const f: Finding[] = [];
      const singleuser = view.helm[HUB]?.singleuser;
      if (!singleuser) return f;
      if (singleuser.allowPrivilegeEscalation !== false) f.push({ address: `${HUB}:singleuser`, detail: "allowPrivilegeEscalation is not false" });
      const ks = view.helm[HUB]?.hub?.config?.KubeSpawner ?? {};
      const pod = ks.pod_security_context ?? {};
      const container = ks.container_security_context ?? {};
      const restricted =
        pod.seccompProfile?.type === "RuntimeDefault" &&
        (pod.runAsNonRoot === true || container.runAsNonRoot === true) &&
        container.allowPrivilegeEscalation === false &&
        (container.capabilities?.drop ?? []).includes("ALL") &&
        !(container.capabilities?.add ?? []).length &&
        typeof singleuser.uid === "number" && singleuser.uid > 0;
      if (!restricted) f.push({ address: `${HUB}:hub.config.KubeSpawner`, detail: "user servers do not run Pod Security's restricted profile" });
      const settings = hubSettings(view) ?? {};
      const scan = (where: string, value: unknown, field?: (string | number)[]) => f.push(...podRisks(value).map((detail) => ({ address: where, detail, field })));
      scan(`${HUB}:singleuser`, { ...singleuser, profileList: undefined });
      for (const p of settings.profiles ?? []) scan(`${HUB}:profile/${p.slug}`, p, view.config.profiles.some((x) => x.key === p.slug) ? ["profiles", p.slug] : undefined);
      for (const [g, s] of Object.entries((settings.groups ?? {}) as Record<string, Json>)) scan(`${HUB}:group/${g}`, { volumes: s.volumes, volumeMounts: s.volumeMounts }, ["groups", g, "mounts"]);
      // What users start besides their servers: Dask clusters and the charts published to them.
      for (const [a, values] of Object.entries(view.helm)) {
        const chart = /^helm_release\.services_(.+)_release$/.exec(a)?.[1];
        if (chart) scan(a, values, view.config.services.charts.some((c) => c.name === chart) ? ["services", "charts", chart, "values"] : undefined);
      }
      return f;
    },
  },
  {
    id: "DH004",
    title: "cloud metadata unreachable from user servers",
    protects: "The nodes' AWS credentials (instance profile) from user code.",
    fix: "IMDSv2 with hop limit 1 on every node, the singleuser NetworkPolicy on with the metadata server denied (also for DNS), and no egress rule that admits 169.254.169.254: none in dandihub's policies and none added to z2jh's (singleuser, hub, proxy networkPolicy.egress), however the range is written.",
    check: (view) => {
      const f: Finding[] = [];
      for (const [a, ng] of nodeGroups(view)) {
        const md = ng.metadata_options ?? {};
        if (md.http_tokens !== "required" || md.http_put_response_hop_limit !== 1) f.push({ address: a, detail: "IMDSv2 with hop limit 1 not enforced" });
      }
      for (const [a, m] of nodeClasses(view)) {
        const md = m.spec?.metadataOptions ?? {};
        if (md.httpTokens !== "required" || md.httpPutResponseHopLimit !== 1) f.push({ address: a, detail: "IMDSv2 with hop limit 1 not enforced" });
      }
      const np = view.helm[HUB]?.singleuser?.networkPolicy;
      if (np && (np.enabled !== true || np.egressAllowRules?.cloudMetadataServer !== false || np.egressAllowRules?.dnsPortsCloudMetadataServer !== false)) {
        f.push({ address: `${HUB}:singleuser.networkPolicy`, detail: "user pods' NetworkPolicy off or allowing the metadata server" });
      }
      const admitsMetadata = (rule: Json) => !(rule.to ?? []).length || (rule.to as Json[]).some((peer) => peer.ipBlock && cidrAdmits(peer.ipBlock, "169.254.169.254"));
      for (const [a, m] of networkPolicyManifests(view)) {
        for (const rule of m.spec?.egress ?? []) if (admitsMetadata(rule)) f.push({ address: a, detail: "egress to the metadata server allowed" });
      }
      // The chart's own policies take extra egress rules from values.
      const hub = view.helm[HUB] ?? {};
      for (const [part, np] of [["singleuser", hub.singleuser?.networkPolicy], ["hub", hub.hub?.networkPolicy], ["proxy.chp", hub.proxy?.chp?.networkPolicy]] as const) {
        for (const rule of (np?.egress ?? []) as Json[]) if (admitsMetadata(rule)) f.push({ address: `${HUB}:${part}.networkPolicy.egress`, detail: "egress to the metadata server allowed" });
      }
      return f;
    },
  },
  {
    id: "DH005",
    title: "NetworkPolicy enforced",
    protects: "Every isolation above: without an enforcer that covers standalone pods (user servers), NetworkPolicies are silently ignored.",
    fix: "Keep Calico (features/isolation: tigera-operator for EKS on the AmazonVPC CNI) as the one enforcer, the vpc-cni add-on managed with enableNetworkPolicy off, a default deny in every dandihub namespace, and the hub's, proxy's and user servers' policies on.",
    check: (view) => {
      const f: Finding[] = [];
      const calico = Object.entries(view.tf.resource?.helm_release ?? {}).find(([, r]) => r.chart === "tigera-operator");
      const install = calico ? view.helm[`helm_release.${calico[0]}`]?.installation : undefined;
      if (!calico) f.push({ address: "helm_release", detail: "no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers" });
      else if (install?.enabled !== true || install.kubernetesProvider !== "EKS" || install.cni?.type !== "AmazonVPC") {
        f.push({ address: `helm_release.${calico[0]}`, detail: "Calico's Installation is not policy-only on EKS's AmazonVPC CNI" });
      }
      const eks = view.tf.module?.cluster_eks;
      const cni = eks?.addons?.["vpc-cni"];
      if (eks && !cni) f.push({ address: "module.cluster_eks:addons", detail: "the vpc-cni add-on is not managed: whether it enforces policy too is unknown" });
      if (cni && JSON.parse(cni.configuration_values ?? "{}").enableNetworkPolicy === "true") f.push({ address: "module.cluster_eks:addon/vpc-cni", detail: "the VPC CNI enforces policy too: two enforcers on the same pods" });
      const policies = networkPolicyManifests(view);
      for (const [, ns] of resources(view, "kubernetes_namespace_v1")) {
        const name = ns.metadata?.name;
        const denies = policies.some(([, m]) => m.metadata?.namespace === name && Object.keys(m.spec?.podSelector ?? {}).length === 0 && !m.spec?.ingress && !m.spec?.egress && ["Ingress", "Egress"].every((t) => (m.spec?.policyTypes ?? []).includes(t)));
        if (!denies) f.push({ address: `kubernetes_namespace_v1:${name}`, detail: "no default deny (ingress and egress) in this namespace" });
      }
      const hub = view.helm[HUB];
      if (hub) {
        for (const part of ["hub", "singleuser"]) if (hub[part]?.networkPolicy?.enabled !== true) f.push({ address: `${HUB}:${part}.networkPolicy`, detail: "NetworkPolicy off" });
        if (hub.proxy?.chp?.networkPolicy?.enabled !== true) f.push({ address: `${HUB}:proxy.chp.networkPolicy`, detail: "NetworkPolicy off" });
        if (hub.singleuser?.networkPolicy?.egressAllowRules?.privateIPs !== false) f.push({ address: `${HUB}:singleuser.networkPolicy`, detail: "user pods may reach private addresses (other pods, storage servers)" });
      }
      return f;
    },
  },
  {
    id: "DH006",
    title: "no secret values in the output",
    protects: "Credentials from whoever can read cdk.tf.json, plans, CI logs or the state of a Helm release.",
    fix: "Put secrets in sensitive variables or Secrets Manager ({ variable: name } / { secretsManager: arn }), never in env, labels or values. Every string of the output is read, JSON inside values included: AWS key ids and secret keys, GitHub tokens (gh*_, github_pat_), 40-hex tokens, private keys, Slack tokens, and any literal in a secret-named field (password, client_secret, token, *_TOKEN env variables). A finding names where, never the value.",
    check: (view) => {
      const f: Finding[] = secretFindings(view);
      for (const [name, v] of Object.entries(view.tf.variable ?? {})) if (v.sensitive !== true) f.push({ address: `var.${name}`, detail: "variable not marked sensitive" });
      return f;
    },
  },
  {
    id: "DH007",
    title: "user data backed up and guarded",
    protects: "Homes, shared directories and archived homes from deletion by a config change or destroy.",
    fix: "Keep prevent_destroy on volumes, file systems and buckets (lift only with storage.allowDestroy) and the daily backup tag on volumes.",
    check: (view) => {
      const f: Finding[] = [];
      const allow = view.config.storage.allowDestroy;
      const guarded = (r: Json) => r.lifecycle?.prevent_destroy === true || allow;
      for (const type of ["aws_ebs_volume", "aws_efs_file_system", "aws_s3_bucket", "aws_backup_vault"]) {
        for (const [a, r] of resources(view, type)) if (!guarded(r)) f.push({ address: a, detail: "no destroy guard (prevent_destroy)" });
      }
      const selections = resources(view, "aws_backup_selection").flatMap(([, r]) => (r.selection_tag ?? []) as Json[]);
      const backedUp = (tags: Json) => selections.some((s) => tags?.[s.key] === s.value);
      for (const type of ["aws_ebs_volume", "aws_efs_file_system"]) {
        for (const [a, r] of resources(view, type)) if (!backedUp(r.tags)) f.push({ address: a, detail: "not selected by any backup plan" });
      }
      return f;
    },
  },
  {
    id: "DH008",
    title: "user and service IAM scoped",
    protects: "Other groups' buckets and the account from credentials a user server or a user-facing service holds.",
    fix: "User roles name their own group's bucket and the buckets it lists in readBuckets: no '*' resource, no wildcard in a bucket name (arn:aws:s3:::*/*, dandi-*), no wildcard in an action (s3:*, s3:Get*), never another group's bucket.",
    check: (view) => {
      const f: Finding[] = [];
      for (const [name, m] of Object.entries(view.tf.module ?? {})) {
        if (!name.startsWith("user-access_") && !name.startsWith("services_")) continue;
        // A group's role: its own bucket, never another group's.
        const group = /^user-access_(.+)-role$/.exec(name)?.[1];
        const ownGroup = group && view.config.groups.some((g) => g.key === group) ? group : undefined;
        for (const s of (m.policy_statements ?? []) as Json[]) {
          const where = `module.${name}:${s.sid ?? "statement"}`;
          const resources = (s.resources ?? []) as string[];
          if (resources.some((r) => r === "*" || /^arn:aws[a-z-]*:s3:::[^/]*\*/.test(r))) f.push({ address: where, detail: "wildcard resource (any bucket)" });
          if ((s.actions ?? []).some((a: string) => a.includes("*"))) f.push({ address: where, detail: "wildcard action" });
          if (ownGroup) {
            for (const r of resources) {
              const other = /aws_s3_bucket\.storage_(.+)-bucket_bucket/.exec(r)?.[1];
              if (other && other !== ownGroup) f.push({ address: where, detail: `group ${ownGroup}'s role reaches group ${other}'s bucket` });
            }
          }
        }
      }
      return f;
    },
  },
  {
    id: "DH009",
    title: "TLS on the hub",
    protects: "Logins, tokens and notebooks in transit.",
    fix: "Use hub.tls.letsEncrypt or hub.tls.acmCertificateArn; plain HTTP only in development. proxy.https must be on with a certificate source (Let's Encrypt with hosts and contact, or offload with the load balancer's ACM certificate).",
    check: (view) => {
      // `environment: development` is the documented switch for plain HTTP (and the dummy login).
      if (view.config.environment === "development") return [];
      const proxy = view.helm[HUB]?.proxy;
      if (!proxy) return [];
      const https = proxy.https;
      if (https?.enabled !== true) return [{ address: `${HUB}:proxy.https`, detail: "the hub serves plain HTTP", field: ["hub", "tls"] }];
      // Where the certificate comes from, per z2jh's https.type.
      const certified =
        (https.type === "letsencrypt" && https.letsencrypt?.contactEmail && (https.hosts ?? []).length) ||
        (https.type === "offload" && proxy.service?.annotations?.["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]) ||
        (https.type === "secret" && https.secret?.name) ||
        (https.type === "manual" && https.manual?.cert);
      return certified ? [] : [{ address: `${HUB}:proxy.https`, detail: `HTTPS on with no certificate source (type ${https.type ?? "unset"})`, field: ["hub", "tls"] }];
    },
  },
  {
    id: "DH010",
    title: "Kubernetes API restricted",
    protects: "The cluster's API endpoint from the whole internet (it still needs IAM credentials; this narrows who can try).",
    fix: "List your operators' and CI's networks in cluster.endpointPublicAccessCidrs, or [] for a private-only endpoint. Refused: 0.0.0.0/0, ranges adding up to the whole internet, and any range wider than a /8.",
    check: (view) => {
      const eks = view.tf.module?.cluster_eks;
      if (!eks?.endpoint_public_access) return [];
      const cidrs = (eks.endpoint_public_access_cidrs ?? []) as string[];
      const field = ["cluster", "endpointPublicAccessCidrs"];
      if (cidrs.includes("0.0.0.0/0")) return [{ address: "module.cluster_eks", detail: "public endpoint open to 0.0.0.0/0", field }];
      // What counts is how much of the internet may try, however it is spelled.
      const addresses = cidrs.reduce((n, c) => n + 2 ** (32 - Number(c.split("/")[1] ?? 32)), 0);
      const wide = cidrs.filter((c) => Number(c.split("/")[1]) < MIN_ENDPOINT_PREFIX);
      if (addresses >= 2 ** 32) return [{ address: "module.cluster_eks", detail: `public endpoint open to the whole internet (${cidrs.join(", ")})`, field }];
      return wide.length ? [{ address: "module.cluster_eks", detail: `public endpoint open to ${wide.join(", ")}: wider than a /${MIN_ENDPOINT_PREFIX}`, field }] : [];
    },
  },
  {
    id: "DH011",
    title: "hub admins explicit",
    protects: "Against a hub nobody administers, or one where admin comes from an unnamed source.",
    fix: "Name admins in auth.admins (or admin teams in auth.github.adminTeams); the hub's values must make exactly those admins (Authenticator.admin_users, the admin-team check in its settings).",
    check: (view) => {
      const { auth } = view.config;
      const teams = auth.login.kind === "github" ? auth.login.adminTeams : [];
      if (!auth.admins.length && !teams.length) return [{ address: `${HUB}:hub.config.Authenticator.admin_users`, detail: "no hub admin named", field: ["auth", "admins"] }];
      // And the hub gets them: its admin list, or the admin-team check in its settings.
      const hub = view.helm[HUB];
      if (!hub) return [];
      const users = (hub.hub?.config?.Authenticator?.admin_users ?? []) as string[];
      const granted = (hubSettings(view)?.adminTeams ?? []) as unknown[];
      const missing = auth.admins.filter((a) => !users.includes(a));
      if (missing.length) return [{ address: `${HUB}:hub.config.Authenticator.admin_users`, detail: `auth.admins lists ${missing.join(", ")} but the hub's values do not make them admins` }];
      return teams.length && granted.length !== teams.length ? [{ address: `${HUB}:dandihub-settings.adminTeams`, detail: "auth.github.adminTeams does not reach the hub's settings" }] : [];
    },
  },
  {
    id: "DH012",
    title: "hub database retained",
    protects: "The hub's users, groups and tokens when its claim, release or cluster is deleted.",
    fix: "Keep hub.db in the hub's values, on the retained storage class (reclaim policy Retain).",
    check: (view) => {
      const hub = view.helm[HUB];
      if (!hub) return [];
      const db = hub.hub?.db;
      // Without it the chart's default claim lands on the cluster's default class, which deletes.
      if (!db) return [{ address: `${HUB}:hub.db`, detail: "no hub.db: the database takes the chart's default claim and class" }];
      const retained = resources(view, "kubernetes_storage_class_v1").find(([, r]) => r.metadata?.name === db.pvc?.storageClassName);
      return retained && retained[1].reclaim_policy === "Retain" ? [] : [{ address: `${HUB}:hub.db`, detail: `storage class ${db.pvc?.storageClassName} does not retain its volumes` }];
    },
  },
  {
    id: "DH013",
    title: "storage servers isolated",
    protects: "NFS servers (no authentication of their own) from every pod: only nodes, for kubelet's mounts.",
    fix: "Keep the dandihub-nfs-servers AdminNetworkPolicy (no pod reaches NFS ports), NFS ingress from the private subnets' node addresses only, the nfs-server role on each server's namespace, and the server's allowlist no wider than the private subnets.",
    check: (view) => {
      if (view.config.storage.mode !== "home-nfs") return [];
      const f: Finding[] = [];
      const subnets: string[] = view.tf.module?.network_vpc?.private_subnets ?? [];
      const withinNodes = (cidr: string) => subnets.some((s) => cidrWithin(cidr, s));
      const nfsNamespaces = new Set<string>();
      for (const [a, values] of Object.entries(view.helm)) {
        if (!a.startsWith("helm_release.storage_") || !values.nfsServer) continue;
        const release = view.tf.resource?.helm_release?.[a.slice("helm_release.".length)];
        nfsNamespaces.add(String(release?.namespace));
        if (values.nfsServer.enableClientAllowlist !== true) f.push({ address: a, detail: "NFS client allow-list off" });
        for (const c of values.nfsServer.allowedClients ?? []) if (!withinNodes(String(c))) f.push({ address: a, detail: `NFS allow-list admits ${c}, beyond the nodes' subnets` });
      }
      if (!nfsNamespaces.size) return f;
      for (const [a, ns] of resources(view, "kubernetes_namespace_v1")) {
        if (nfsNamespaces.has(ns.metadata?.name) && ns.metadata?.labels?.[ROLE_LABEL] !== NFS_SERVER_ROLE) f.push({ address: a, detail: `NFS server namespace without ${ROLE_LABEL}=${NFS_SERVER_ROLE}` });
      }
      const anp = manifests(view).find(([, m]) => m.kind === "AdminNetworkPolicy" && m.spec?.subject?.namespaces?.matchLabels?.[ROLE_LABEL] === NFS_SERVER_ROLE);
      const deniesPods = anp?.[1].spec?.ingress?.some(
        (r: Json) =>
          r.action === "Deny" &&
          (r.from ?? []).some((p: Json) => p.namespaces && Object.keys(p.namespaces).length === 0) &&
          (r.ports ?? []).some((p: Json) => p.portNumber?.port === 2049 && (p.portNumber?.protocol ?? "TCP") === "TCP"),
      );
      if (!deniesPods) f.push({ address: "helm_release.isolation_policies_release", detail: "no AdminNetworkPolicy keeps every pod off the NFS servers" });
      for (const [a, m] of networkPolicyManifests(view)) {
        if (!nfsNamespaces.has(m.metadata?.namespace)) continue;
        for (const rule of m.spec?.ingress ?? []) {
          const ports = (rule.ports ?? []) as Json[];
          // Named ports resolve to the server's: any name may be NFS.
          const nfs = !ports.length || ports.some((p) => [2049, 20048, 111].includes(Number(p.port)) || typeof p.port === "string" && Number.isNaN(Number(p.port)));
          if (!nfs) continue;
          for (const peer of rule.from?.length ? rule.from : [{ ipBlock: { cidr: "0.0.0.0/0" } }]) {
            if (!peer.ipBlock) f.push({ address: a, detail: "NFS ports open to pods (only nodes mount)" });
            else if (!withinNodes(peer.ipBlock.cidr)) f.push({ address: a, detail: `NFS ports open to ${peer.ipBlock.cidr}, beyond the nodes' subnets` });
          }
        }
      }
      return f;
    },
  },
  {
    id: "DH014",
    title: "group resources tagged",
    protects: "Per-group billing and the ability to tell whose data a volume or bucket holds.",
    fix: "Group volumes, buckets and node classes carry dandihub:group (the constructs do).",
    check: (view) => {
      const f: Finding[] = [];
      for (const type of ["aws_ebs_volume", "aws_efs_file_system", "aws_s3_bucket"]) {
        for (const [a, r] of resources(view, type)) if (a.includes("storage_") && !r.tags?.[GROUP_TAG]) f.push({ address: a, detail: `no ${GROUP_TAG} tag` });
      }
      for (const [a, m] of nodeClasses(view)) if (!m.spec?.tags?.[GROUP_TAG]) f.push({ address: a, detail: `no ${GROUP_TAG} tag` });
      return f;
    },
  },
  {
    id: "DH015",
    title: "images pinned",
    protects: "What runs is what was reviewed: a re-pushed tag (latest, latest-gpu, main) changes every new server, and nodes keep whichever copy they pulled first.",
    fix: "Give the image a digest (`npm run pin-images -- <file>` writes them) or a tag that is never re-pushed.",
    check: (view) => {
      const f: Finding[] = [];
      // A menu image is the file's images.<name>; dandihub's own images are nobody's field.
      const fieldOf = (ref: string) => {
        const key = view.config.images.find((i) => i.ref === ref || i.ref.split("@")[0] === ref)?.key;
        return key ? ["images", key, "tag"] : undefined;
      };
      for (const [release, values] of Object.entries(view.helm)) {
        for (const [path, ref] of imageRefs(values)) if (!isPinned(ref)) f.push({ address: `${release}:${path}`, detail: `${ref}: a re-pushed tag and no digest`, field: fieldOf(ref) });
        // The hub's settings file (the profile menu) is JSON inside the values.
        const settings = values.hub?.extraFiles?.["dandihub-settings"]?.stringData;
        if (typeof settings === "string") {
          for (const [path, ref] of imageRefs(JSON.parse(settings) as Json)) if (!isPinned(ref)) f.push({ address: `${release}:dandihub-settings.${path}`, detail: `${ref}: a re-pushed tag and no digest`, field: fieldOf(ref) });
        }
      }
      return f;
    },
  },
  {
    id: "DH017",
    title: "audit trails on",
    protects: "The record an investigation needs: who called the Kubernetes API and what the control plane did, and which connections the network refused.",
    fix: "Keep cluster.controlPlaneLogs (all five EKS log types, or audit for api, audit and authenticator) and network.flowLogs on. Turning either off needs a waiver with its reason.",
    check: (view) => {
      const f: Finding[] = [];
      const eks = view.tf.module?.cluster_eks;
      const types = new Set((eks?.enabled_log_types ?? []) as string[]);
      const missing = ["api", "audit", "authenticator"].filter((t) => !types.has(t));
      if (eks && missing.length) f.push({ address: "module.cluster_eks", detail: `control-plane logs without ${missing.join(", ")}`, field: ["cluster", "controlPlaneLogs"] });
      const vpc = view.tf.module?.network_vpc;
      if (vpc && (vpc.enable_flow_log !== true || !vpc.flow_log_traffic_type)) f.push({ address: "module.network_vpc", detail: "no VPC flow logs", field: ["network", "flowLogs"] });
      return f;
    },
  },
  {
    id: "DH018",
    title: "objects within Kubernetes' size limits",
    protects: "Every apply: Helm keeps each release in one Secret (gzipped values and rendered manifests, base64), and Kubernetes refuses a Secret or ConfigMap over 1 MiB, so an oversized release cannot be installed or upgraded.",
    fix: "Fewer or shorter profiles, groups and descriptions in one deployment, or split it; the estimate assumes the chart's own files take 200 KiB.",
    check: (view) => {
      const f: Finding[] = [];
      for (const [address, values] of Object.entries(view.helm)) {
        const bytes = helmReleaseSecretBytes(values);
        if (bytes > MIB) f.push({ address, detail: `its release Secret would be about ${(bytes / MIB).toFixed(2)} MiB (Kubernetes refuses over 1 MiB)` });
      }
      for (const [address, m] of manifests(view)) {
        if (m.kind !== "ConfigMap" && m.kind !== "Secret") continue;
        const bytes = Buffer.byteLength(JSON.stringify({ ...m.data, ...m.stringData, ...m.binaryData }));
        if (bytes > MIB) f.push({ address, detail: `${m.kind} data is ${(bytes / MIB).toFixed(2)} MiB (Kubernetes refuses over 1 MiB)` });
      }
      return f;
    },
  },
  {
    id: "DH016",
    title: "archive membership matched exactly",
    protects: "Groups granted by an archive's approval: only the GitHub account the archive linked, not whoever has the same name.",
    fix: "Use check: list (an archive admin's token; dandi-archive's /api/users/?approved_only=true lists the GitHub logins of linked, approved accounts) or archive sign-in (auth.dandiOAuth). search answers substrings, at most 10, and an unlinked account's own username.",
    check: (view) => {
      if (view.config.environment === "development") return [];
      // What the hub will do: the archives in its settings, each with how it is asked.
      const archives = (hubSettings(view)?.archives ?? []) as Json[];
      const index = (name: string) => view.config.auth.archives.findIndex((a) => a.name === name);
      return archives
        .filter((a) => a.check !== "list")
        .map((a) => ({
          address: `${HUB}:dandihub-settings.archives.${a.name}`,
          detail: `archive ${a.name} is asked by ${a.check ?? "an unknown way"}: a same-named account without a GitHub link is approved`,
          field: index(a.name) >= 0 ? ["auth", "archives", index(a.name), "check"] : undefined,
        }));
    },
  },
];


const MIB = 2 ** 20;
/** What a chart's own files add to its release Secret (templates, its values.yaml), compressed. */
const CHART_ALLOWANCE = 200 * 1024;

/**
 * Size of the Secret Helm 3 stores a release in: the release (chart, values, and the rendered
 * manifest, which repeats most values) gzipped, then base64 (4/3). Values are counted twice.
 */
export function helmReleaseSecretBytes(values: unknown): number {
  const json = JSON.stringify(values);
  const gz = gzipSync(`${json}${json}`).length + CHART_ALLOWANCE;
  return Math.ceil((gz * 4) / 3);
}

/** Every image a values tree names (`image: ref`, or `{name|repository, tag}`), with its path. */
function imageRefs(node: unknown, path = ""): [string, string][] {
  if (Array.isArray(node)) return node.flatMap((v, i) => imageRefs(v, `${path}[${i}]`));
  if (!node || typeof node !== "object") return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(node as Json)) {
    const at = path ? `${path}.${k}` : k;
    // `{value}`: the user's own image, filled in at spawn (they pick it; nothing to pin here).
    if (k === "image" && typeof v === "string" && v) {
      if (!v.includes("{")) out.push([at, v]);
    }
    else if ((k === "image" || k === "extraImages") && v && typeof v === "object" && !Array.isArray(v)) {
      const named = (x: Json) => typeof (x.name ?? x.repository) === "string" && typeof x.tag === "string";
      if (named(v)) {
        out.push([at, `${v.name ?? v.repository}:${v.tag}`]);
      } else if (k === "extraImages") {
        for (const [n, x] of Object.entries(v as Json)) if (named(x)) out.push([`${at}.${n}`, `${x.name ?? x.repository}:${x.tag}`]);
      } else {
        out.push(...imageRefs(v, at));
      }
    } else out.push(...imageRefs(v, at));
  }
  return out;
}
