/**
 * The generated Zero to JupyterHub values, merged over the chart's defaults the way Helm merges
 * them, validate against the chart's own values schema (z2jh 4.4.0), and say what we mean.
 */
import Ajv from "ajv";
import { KUBERNETES_FORMATS } from "./helpers";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../src/core/charts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeShared, hubSettings, readShared, releaseValues, ROOT, synth, VARIANTS } from "./helpers";
import { instanceType } from "../src/core/catalog/instance-types";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Helm's merge of user values over chart defaults: maps merge, lists and scalars replace, null deletes. */
export function helmMerge(defaults: Json, values: Json): Json {
  if (values === null) return null;
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return values;
  if (typeof values !== "object" || Array.isArray(values)) return values;
  const out: { [k: string]: Json } = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? helmMerge(out[k], v) : v;
  }
  return out;
}

describe("helm merge", () => {
  it("merges maps, replaces lists and scalars, deletes on null", () => {
    expect(helmMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: 2 }, { a: { c: [3] }, d: null, f: 3 })).toEqual({ a: { b: 1, c: [3] }, e: 2, f: 3 });
  });
});

describeShared("z2jh values", () => {
  const validator = () => {
    const ajv = new Ajv({ strict: false, allErrors: true, formats: KUBERNETES_FORMATS });
    return ajv.compile(readShared("schemas/z2jh/values.schema.json"));
  };
  const merged = (values: Json) => helmMerge(readShared<Json>("schemas/z2jh/values.defaults.json"), values);

  it("the chart pinned is the chart the schema came from", () => {
    expect(CHARTS.jupyterhub.version).toBe("4.4.0");
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: merged values validate against the chart schema`, () => {
      const validate = validator();
      const ok = validate(merged(releaseValues(get().tf, "jupyterhub_chart_release") as Json));
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it("the validator rejects a wrong value (this test can fail)", () => {
    const validate = validator();
    const bad = merged({ ...(releaseValues(synth("config/minimal.yaml").tf, "jupyterhub_chart_release") as object), cull: { enabled: true, timeout: "1h" } } as Json);
    expect(validate(bad)).toBe(false);
    expect(validate(merged({ notAKey: true }))).toBe(false);
  });
});

describe("what the hub values say", () => {
  const dandi = () => releaseValues(synth("config/dandi.yaml").tf, "jupyterhub_chart_release") as Record<string, any>;

  it("GitHub login with teams in auth state and hub-managed groups; secrets come from a Kubernetes Secret", () => {
    const v = dandi();
    expect(v.hub.config.JupyterHub.authenticator_class).toBe("github");
    expect(v.hub.config.GitHubOAuthenticator).toEqual({
      client_id: "Ov23liDandiHubExample",
      oauth_callback_url: "https://hub.dandiarchive.org/hub/oauth_callback",
      scope: ["read:org"],
      populate_teams_in_auth_state: true,
    });
    // any_allow_config: access is decided by our check_allowed, so JupyterHub must not warn that nobody can log in.
    expect(v.hub.config.Authenticator).toEqual({ admin_users: ["satra", "yarikoptic"], manage_groups: true, enable_auth_state: true, any_allow_config: true });
    expect(v.hub.extraEnv).toEqual({
      GITHUB_CLIENT_SECRET: { valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "github-client-secret" } } },
      DANDIHUB_ARCHIVE_TOKEN_DANDI: { valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "archive-token-dandi" } } },
      DANDIHUB_ARCHIVE_TOKEN_LINC: { valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "archive-token-linc" } } },
      DANDIHUB_ARCHIVE_TOKEN_EMBER: { valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "archive-token-ember" } } },
    });
    const secret = synth("config/dandi.yaml").tf.resource.kubernetes_secret_v1["jupyterhub_auth-secret"];
    expect(secret.data).toEqual({
      "github-client-secret": "${var.github_client_secret}",
      "archive-token-dandi": "${var.dandi_api_token}",
      "archive-token-linc": "${var.linc_api_token}",
      "archive-token-ember": "${var.ember_api_token}",
    });
  });

  it("idle culling, start timeout and default URL from the file", () => {
    const v = dandi();
    expect(v.cull).toEqual({ enabled: true, users: false, timeout: 3600, every: 600, maxAge: 0 });
    expect(v.singleuser.startTimeout).toBe(900);
    expect(v.singleuser.defaultUrl).toBe("/lab");
  });

  it("core/user separation: user pods only on Karpenter user nodes, never on core nodes", () => {
    const v = dandi();
    expect(v.scheduling.corePods.nodeAffinity.matchNodePurpose).toBe("require");
    expect(v.scheduling.userPods.nodeAffinity.matchNodePurpose).toBe("require");
    // z2jh 4.4.0's user scheduler is kube-scheduler 1.30 (out of skew with 1.32+, RBAC for 1.30): off.
    expect(v.scheduling.userScheduler.enabled).toBe(false);
    expect(v.scheduling.userPlaceholder.enabled).toBe(false);
    expect(v.singleuser.extraAnnotations).toEqual({ "karpenter.sh/do-not-disrupt": "true" });
  });

  it("profiles: served per user by the hub (empty profileList), sizes in KubeSpawner units, image menus, GPU tolerations", () => {
    const v = dandi();
    expect(v.singleuser.profileList).toEqual([]);
    const profiles = hubSettings(v).profiles as Record<string, any>[];
    expect(profiles.map((p) => p.slug)).toEqual(["tiny", "base", "medium", "large", "gpu-t4"]);
    expect(profiles.filter((p) => p.default).map((p) => p.slug)).toEqual(["base"]);
    expect(profiles[0].kubespawner_override).toEqual({ cpu_guarantee: 0.25, cpu_limit: 2, mem_guarantee: "512M", mem_limit: "2G", image: "123456789012.dkr.ecr.us-east-2.amazonaws.com/docker-hub/dandiarchive/dandihub:latest" });
    expect(Object.keys(profiles[1].profile_options.image.choices)).toEqual(["dandi", "dandi-allensdk", "dandi-openscope", "dandi-matlab"]);
    expect(profiles[1].profile_options.image.choices.dandi.default).toBe(true);
    const gpu = profiles[4].kubespawner_override;
    expect(gpu.extra_resource_limits).toEqual({ "nvidia.com/gpu": "1" });
    // Every one-T4 shape that holds the profile: three types in each zone, six spot pools, not two.
    expect(gpu.node_affinity_required).toEqual([{ matchExpressions: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"] }] }]);
    for (const t of gpu.node_affinity_required[0].matchExpressions[0].values) expect(instanceType(t), t).toMatchObject({ gpus: 1, gpuType: "t4" });
    expect(gpu.tolerations).toEqual([
      { key: "hub.jupyter.org/dedicated", operator: "Equal", value: "user", effect: "NoSchedule" },
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("groups: who belongs, what each grants and the pool each granted profile lands on", () => {
    const settings = hubSettings(dandi());
    expect(settings.groupOrder).toEqual(["dandi", "linc", "bican", "ember", "workshop"]);
    expect(settings.groups.bican.members).toEqual({ orgs: [], teams: [["brain-bican", "kbhub-users"]], archives: [], users: [] });
    expect(settings.groups.dandi.members).toEqual({ orgs: [], teams: [["dandi", "dandihub-users"]], archives: ["dandi"], users: [] });
    expect(settings.groups.dandi.profiles["gpu-t4"]).toEqual({ pool: "dandi-gpu-t4-spot", capacity: "spot" });
    expect(settings.groups.workshop.profiles).toEqual({
      tiny: { pool: "workshop-cpu-on-demand", capacity: "on-demand" },
      base: { pool: "workshop-cpu-on-demand", capacity: "on-demand" },
    });
    // GPU only for groups granted it.
    for (const g of ["linc", "bican", "ember", "workshop"]) expect(Object.keys(settings.groups[g].profiles)).not.toContain("gpu-t4");
    expect(settings.archives.map((a: any) => [a.name, a.api, a.tokenEnv])).toEqual([
      ["dandi", "https://api.dandiarchive.org", "DANDIHUB_ARCHIVE_TOKEN_DANDI"],
      ["linc", "https://api.lincbrain.org", "DANDIHUB_ARCHIVE_TOKEN_LINC"],
      ["ember", "https://api-dandi.emberarchive.org", "DANDIHUB_ARCHIVE_TOKEN_EMBER"],
    ]);
    expect(settings.labels).toEqual({ group: "dandihub.org/group", pool: "dandihub.org/pool", profile: "dandihub.org/profile" });
  });

  it("group admins get a role scoped to their group's servers", () => {
    const roles = dandi().hub.loadRoles;
    expect(roles["dandihub-retention"].services).toEqual(["dandihub-retention"]);
    const groupRoles = Object.fromEntries(Object.entries(roles).filter(([k]) => k.startsWith("dandihub-group-admin-")));
    expect(groupRoles).toEqual({
      "dandihub-group-admin-dandi": {
        description: "Admins of group dandi: see and start/stop its members' servers",
        scopes: ["admin-ui", "list:users!group=dandi", "read:users!group=dandi", "admin:servers!group=dandi", "read:groups!group=dandi"],
        users: ["satra", "yarikoptic"],
      },
    });
  });

  it("the hub's Python rides along: every module of hub/dandihub_hub and extra_config.py, mounted where settings.py and extra_config.py expect", () => {
    const v = dandi();
    const files = v.hub.extraFiles as Record<string, { mountPath: string; stringData: string }>;
    const modules = readdirSync(join(ROOT, "hub/dandihub_hub")).filter((f) => f.endsWith(".py")).sort();
    expect(modules.length).toBeGreaterThan(5);
    for (const m of modules) {
      const entry = Object.values(files).find((f) => f.mountPath === `/usr/local/etc/jupyterhub/dandihub/dandihub_hub/${m}`);
      expect(entry, m).toBeDefined();
      expect(entry!.stringData).toBe(readFileSync(join(ROOT, "hub/dandihub_hub", m), "utf8"));
    }
    expect(files["dandihub-settings"].mountPath).toBe("/usr/local/etc/jupyterhub/dandihub/settings.json");
    expect(readFileSync(join(ROOT, "hub/dandihub_hub/settings.py"), "utf8")).toContain('SETTINGS_PATH = "/usr/local/etc/jupyterhub/dandihub/settings.json"');
    expect(v.hub.extraConfig["50-dandihub"]).toBe(readFileSync(join(ROOT, "hub/extra_config.py"), "utf8"));
    expect(v.hub.extraConfig["50-dandihub"]).toContain('sys.path.insert(0, "/usr/local/etc/jupyterhub/dandihub")');
    // No test code ships to the hub.
    expect(Object.values(files).some((f) => f.mountPath.includes("/tests/"))).toBe(false);
  });

  it("pre-pulls the CPU images users start from, not the GPU or opted-out ones", () => {
    const v = dandi();
    expect(v.prePuller.continuous.enabled).toBe(true);
    expect(Object.keys(v.prePuller.extraImages)).toEqual(["dandi", "dandi-allensdk", "dandi-openscope"]);
  });

  it("NLB with TLS: ACM offload at the load balancer, or Let's Encrypt in the proxy", () => {
    const le = dandi();
    expect(le.proxy.https).toEqual({ enabled: true, type: "letsencrypt", hosts: ["hub.dandiarchive.org"], letsencrypt: { contactEmail: "help@dandiarchive.org" } });
    expect(le.proxy.service.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("external");
    expect(le.proxy.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toBeUndefined();
    const acm = releaseValues(VARIANTS["acm-admins-3az"]().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(acm.proxy.https).toEqual({ enabled: true, type: "offload", hosts: ["hub.example.org"] });
    expect(acm.proxy.service.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    });
    expect(acm.cull.maxAge).toBe(7 * 86400);
  });

  it("the metadata server stays blocked by enforced NetworkPolicy, not a privileged iptables container", () => {
    const v = dandi();
    expect(v.singleuser.cloudMetadata.blockWithIptables).toBe(false);
    expect(v.singleuser.networkPolicy.enabled).toBe(true);
    expect(v.singleuser.networkPolicy.egressAllowRules?.cloudMetadataServer).not.toBe(true);
  });

  it("dummy login for development only lets everyone in, with no secret", () => {
    const v = releaseValues(VARIANTS["dev-dummy-cloud"]().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(v.hub.config.JupyterHub.authenticator_class).toBe("dummy");
    expect(v.hub.config.Authenticator.allow_all).toBe(true);
    expect(v.hub.extraEnv).toEqual({});
    expect(v.proxy.https).toEqual({ enabled: false });
    expect(hubSettings(v).authenticator).toBe("dummy");
  });

  it("DANDI archive as OAuth provider: PKCE against its OAuth endpoints, user info from /api/users/me/", () => {
    const v = releaseValues(VARIANTS["archive-oauth"]().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(v.hub.config.JupyterHub.authenticator_class).toBe("generic-oauth");
    expect(v.hub.config.GenericOAuthenticator).toEqual({
      client_id: "dandihub-client",
      oauth_callback_url: "https://hub.example.org/hub/oauth_callback",
      login_service: "DANDI Archive",
      authorize_url: "https://api.dandiarchive.org/oauth/authorize/",
      token_url: "https://api.dandiarchive.org/oauth/token/",
      userdata_url: "https://api.dandiarchive.org/api/users/me/",
      username_claim: "username",
      scope: [],
      enable_pkce: true,
      basic_auth: false,
    });
    // A public PKCE client: no client secret anywhere; the archive token still reaches the hub.
    expect(Object.keys(v.hub.extraEnv)).toEqual(["DANDIHUB_ARCHIVE_TOKEN_DANDI"]);
    const settings = hubSettings(v);
    expect(settings.oauthArchive).toBe("dandi");
    expect(settings.authenticator).toBe("dandiOAuth");
    expect(settings.archives[0].check).toBe("list");
  });

  it("Cognito for development: a user pool, hosted domain and app client made here, the secret via a Kubernetes Secret", () => {
    const s = VARIANTS["cognito-dev"]();
    const v = releaseValues(s.tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(v.hub.config.GenericOAuthenticator).toMatchObject({
      client_id: "${aws_cognito_user_pool_client.cognito_client.id}",
      authorize_url: "https://variant-d-dandihub.auth.us-east-1.amazoncognito.com/oauth2/authorize",
      userdata_url: "https://variant-d-dandihub.auth.us-east-1.amazoncognito.com/oauth2/userInfo",
    });
    expect(v.hub.extraEnv.OAUTH_CLIENT_SECRET).toEqual({ valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "oauth-client-secret" } } });
    expect(s.tf.resource.kubernetes_secret_v1["jupyterhub_auth-secret"].data).toEqual({ "oauth-client-secret": "${aws_cognito_user_pool_client.cognito_client.client_secret}" });
    expect(s.tf.resource.aws_cognito_user_pool_client.cognito_client).toMatchObject({
      generate_secret: true,
      allowed_oauth_flows: ["code"],
      callback_urls: ["https://hub.example.org/hub/oauth_callback"],
    });
    expect(s.tf.resource.aws_cognito_user_pool_domain.cognito_domain).toMatchObject({ domain: "variant-d-dandihub" });
  });

  it("the pre-puller tolerates group taints, so it serves every group's nodes", () => {
    expect(dandi().prePuller.extraTolerations).toEqual([{ key: "dandihub.org/group", operator: "Exists", effect: "NoSchedule" }]);
  });
});
