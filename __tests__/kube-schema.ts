/**
 * Validates rendered Kubernetes objects: built-in kinds against the Kubernetes API schema
 * (kubernetes-models, generated from the Kubernetes 1.34 OpenAPI), Prometheus operator kinds
 * against theirs, Karpenter's against the pinned CRD schemas in ../shared. A kind with no schema
 * here is an error, so a new kind cannot slip through unvalidated.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { HAVE_SHARED, KUBERNETES_FORMATS, readShared } from "./helpers";

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: object) => Validatable;

/** Built-in API groups and the kubernetes-models module that holds their kinds. */
const BUILTIN_MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import("kubernetes-models/v1"),
  "apps/v1": () => import("kubernetes-models/apps/v1"),
  "batch/v1": () => import("kubernetes-models/batch/v1"),
  "networking.k8s.io/v1": () => import("kubernetes-models/networking.k8s.io/v1"),
  "rbac.authorization.k8s.io/v1": () => import("kubernetes-models/rbac.authorization.k8s.io/v1"),
  "policy/v1": () => import("kubernetes-models/policy/v1"),
  "storage.k8s.io/v1": () => import("kubernetes-models/storage.k8s.io/v1"),
  "scheduling.k8s.io/v1": () => import("kubernetes-models/scheduling.k8s.io/v1"),
  "monitoring.coreos.com/v1": () => import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"),
};

/** Custom resources validated with their CRD's openAPI schema from ../shared. */
const CRD_SCHEMAS: Record<string, string> = {
  "karpenter.sh/v1/NodePool": "schemas/karpenter/nodepool.v1.schema.json",
  "karpenter.k8s.aws/v1/EC2NodeClass": "schemas/karpenter/ec2nodeclass.v1.schema.json",
};

const crdValidators = new Map<string, ValidateFunction>();

/**
 * AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, the network-policy-api project): no
 * npm package models it and its CRD ships inside the Calico chart, so this is the API's rules
 * written out here (checked by hand against the CRD of the pinned Calico, 3.31.7).
 */
const selector = { type: "object", properties: { matchLabels: { type: "object", additionalProperties: { type: "string" } }, matchExpressions: { type: "array" } }, additionalProperties: false };
const podsPeer = { type: "object", required: ["namespaceSelector", "podSelector"], properties: { namespaceSelector: selector, podSelector: selector }, additionalProperties: false };
const oneOf = (fields: Record<string, object>) => ({ type: "object", properties: fields, minProperties: 1, maxProperties: 1, additionalProperties: false });
const anpPort = oneOf({
  portNumber: { type: "object", required: ["protocol", "port"], properties: { protocol: { enum: ["TCP", "UDP", "SCTP"] }, port: { type: "integer", minimum: 1, maximum: 65535 } }, additionalProperties: false },
  namedPort: { type: "string" },
  portRange: { type: "object", required: ["start", "end"], properties: { protocol: { enum: ["TCP", "UDP", "SCTP"] }, start: { type: "integer", minimum: 1, maximum: 65535 }, end: { type: "integer", minimum: 1, maximum: 65535 } }, additionalProperties: false },
});
const anpRule = (direction: "from" | "to", peers: Record<string, object>) => ({
  type: "object",
  required: ["action", direction],
  properties: {
    name: { type: "string", maxLength: 100 },
    action: { enum: ["Allow", "Deny", "Pass"] },
    [direction]: { type: "array", minItems: 1, maxItems: 100, items: oneOf(peers) },
    ports: { type: "array", minItems: 1, maxItems: 100, items: anpPort },
  },
  additionalProperties: false,
});
const ADMIN_NETWORK_POLICY = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    metadata: { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" } } },
    spec: {
      type: "object",
      required: ["priority", "subject"],
      properties: {
        priority: { type: "integer", minimum: 0, maximum: 1000 },
        subject: oneOf({ namespaces: selector, pods: podsPeer }),
        ingress: { type: "array", maxItems: 100, items: anpRule("from", { namespaces: selector, pods: podsPeer }) },
        egress: { type: "array", maxItems: 100, items: anpRule("to", { namespaces: selector, pods: podsPeer, nodes: selector, networks: { type: "array", items: { type: "string" } } }) },
      },
      additionalProperties: false,
    },
  },
};
/**
 * External Secrets Operator's SecretStore (AWS provider) and ExternalSecret, external-secrets.io/v1:
 * the parts dandihub writes, as the CRDs of the pinned chart (2.9.0, config/crds/bases) define
 * them: required fields, enums and name patterns. Checked by hand against those CRDs.
 */
const DNS_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const named = { type: "object", required: ["name"], properties: { name: { type: "string", pattern: DNS_NAME, maxLength: 253 }, namespace: { type: "string" } } };
/** A custom resource with a DNS-named metadata and this spec. */
const customResource = (spec: object) => ({ type: "object", required: ["apiVersion", "kind", "metadata", "spec"], properties: { metadata: named, spec } });
const SECRET_STORE = customResource({
  type: "object",
  required: ["provider"],
  properties: {
    provider: {
      type: "object",
      minProperties: 1,
      maxProperties: 1,
      properties: {
        aws: {
          type: "object",
          required: ["region", "service"],
          properties: { region: { type: "string" }, service: { enum: ["SecretsManager", "ParameterStore", "CertificateManager"] }, auth: { type: "object" }, role: { type: "string" } },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    refreshInterval: { anyOf: [{ type: "integer" }, { type: "string" }] },
  },
  additionalProperties: false,
});
const EXTERNAL_SECRET = customResource({
  type: "object",
  properties: {
    refreshInterval: { type: "string" },
    secretStoreRef: { type: "object", properties: { kind: { enum: ["SecretStore", "ClusterSecretStore"] }, name: { type: "string", pattern: DNS_NAME, minLength: 1, maxLength: 253 } }, additionalProperties: false },
    target: {
      type: "object",
      properties: { name: { type: "string", pattern: DNS_NAME, maxLength: 253 }, creationPolicy: { enum: ["Owner", "Orphan", "Merge", "None", "CreateOrMerge"] }, deletionPolicy: { enum: ["Delete", "Merge", "Retain"] } },
      additionalProperties: false,
    },
    data: {
      type: "array",
      items: {
        type: "object",
        required: ["remoteRef", "secretKey"],
        properties: {
          secretKey: { type: "string", pattern: "^[-._a-zA-Z0-9]+$", minLength: 1, maxLength: 253 },
          remoteRef: { type: "object", required: ["key"], properties: { key: { type: "string" }, property: { type: "string" }, version: { type: "string" } }, additionalProperties: false },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
});

const OWN_SCHEMAS: Record<string, object> = {
  "policy.networking.k8s.io/v1alpha1/AdminNetworkPolicy": ADMIN_NETWORK_POLICY,
  "external-secrets.io/v1/SecretStore": SECRET_STORE,
  "external-secrets.io/v1/ExternalSecret": EXTERNAL_SECRET,
};

function crdValidator(key: string): ValidateFunction {
  let v = crdValidators.get(key);
  if (!v) {
    v = new Ajv({ strict: false, allErrors: true, formats: KUBERNETES_FORMATS }).compile(readShared(CRD_SCHEMAS[key]));
    crdValidators.set(key, v);
  }
  return v;
}

export type Verdict = { readonly ok: true; readonly skipped?: string } | { readonly ok: false; readonly errors: string };

/** Validates one object; `skipped` when its schema lives in ../shared and that is missing. */
export async function validateObject(obj: KubeObject): Promise<Verdict> {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (OWN_SCHEMAS[key]) {
    let validate = crdValidators.get(key);
    if (!validate) crdValidators.set(key, (validate = new Ajv({ strict: false, allErrors: true }).compile(OWN_SCHEMAS[key])));
    return validate(obj) ? { ok: true } : { ok: false, errors: JSON.stringify(validate.errors) };
  }
  if (CRD_SCHEMAS[key]) {
    if (!HAVE_SHARED) return { ok: true, skipped: `${key}: CRD schema needs DANDIHUB_SHARED` };
    const validate = crdValidator(key);
    return validate(obj) ? { ok: true } : { ok: false, errors: JSON.stringify(validate.errors) };
  }
  const load = BUILTIN_MODULES[obj.apiVersion];
  const cls = load ? ((await load())[obj.kind] as ModelClass | undefined) : undefined;
  if (!cls) return { ok: false, errors: `no schema known for ${key}: add its module to __tests__/kube-schema.ts` };
  try {
    new cls(obj).validate();
    return { ok: true };
  } catch (e) {
    return { ok: false, errors: (e as Error).message };
  }
}
