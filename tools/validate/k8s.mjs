// Renders every overlay under k8s/overlays with `kubectl kustomize` (the one
// $KUBECTL names: check.sh passes the pinned 1.32) and checks each object:
// against the Kubernetes JSON schemas (kubernetes-models), and for fields
// Kubernetes does not know (the API's own field maps from
// @kubernetes/client-node) — a typo such as `readinesProbe` is an error, not
// a field silently dropped by the API server.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// apiVersion/kind → the kubernetes-models module and the client-node type.
const known = {
  "v1/Namespace": ["kubernetes-models/v1", "V1Namespace"],
  "v1/ConfigMap": ["kubernetes-models/v1", "V1ConfigMap"],
  "v1/Service": ["kubernetes-models/v1", "V1Service"],
  "v1/ServiceAccount": ["kubernetes-models/v1", "V1ServiceAccount"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1", "V1Deployment"],
  "apps/v1/StatefulSet": ["kubernetes-models/apps/v1", "V1StatefulSet"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1", "V1PodDisruptionBudget"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["kubernetes-models/autoscaling/v2", "V2HorizontalPodAutoscaler"],
  "networking.k8s.io/v1/NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1", "V1NetworkPolicy"],
  "monitoring.coreos.com/v1/PodMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", null],
};

// Fields of `value` that type `typeName` does not have, as paths.
function unknownFields(value, typeName, path) {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1], `${path}.${k}`));
  const type = models[typeName];
  if (!type || typeof value !== "object" || !type.attributeTypeMap) return [];  // string, number, IntOrString, any
  const fields = new Map(type.attributeTypeMap.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) =>
    fields.has(k) ? unknownFields(v, fields.get(k), `${path}.${k}`) : [`${path}.${k}`]);
}

// What a cluster must never run with, whatever the overlay: development
// conveniences (auth off, reflection), and pods holding an API token or
// sharing the namespace's default account. Problems as strings.
function unsafe(object) {
  const problems = [];
  const setting = (name, value) => {
    if (name === "ANKOMMEN_DEVELOPMENT" && !["off", "false", "0"].includes(String(value))) problems.push(`${name}=${value}`);
    if (name === "ANKOMMEN_AUTH" && value !== "jwt") problems.push(`${name}=${value}`);
    if (name === "ANKOMMEN_GRPC_REFLECTION" && !["off", "false", "0"].includes(String(value))) problems.push(`${name}=${value}`);
  };
  if (object.kind === "ConfigMap") for (const [k, v] of Object.entries(object.data ?? {})) setting(k, v);
  if (object.kind === "ConfigMap" && object.metadata?.name === "ankommen-config" && !object.data?.ANKOMMEN_SOCIAL_AREAS) {
    problems.push("no ANKOMMEN_SOCIAL_AREAS: the services would not start");
  }
  const pod = object.spec?.template?.spec;
  if (pod) {
    if (pod.automountServiceAccountToken !== false) problems.push("automountServiceAccountToken is not false");
    if (!pod.serviceAccountName || pod.serviceAccountName === "default") problems.push("no service account of its own");
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      for (const e of c.env ?? []) setting(e.name, e.value);
    }
  }
  if (object.kind === "NetworkPolicy") {
    for (const rule of [...(object.spec?.ingress ?? []), ...(object.spec?.egress ?? [])]) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        const ns = peer.namespaceSelector;
        if (ns && Object.keys(ns.matchLabels ?? {}).length === 0 && (ns.matchExpressions ?? []).length === 0) {
          problems.push("a namespaceSelector that admits every namespace");
        }
      }
    }
  }
  if (object.kind === "ServiceAccount" && object.automountServiceAccountToken !== false) {
    problems.push("automountServiceAccountToken is not false");
  }
  return problems;
}

// Overlays that may leave connections unencrypted: local is one node for
// development (k8s/README.md). Every other overlay must encrypt every
// connection that carries the district's data.
const plaintextAllowed = new Set(["local"]);

// Connections of a rendered overlay that are not encrypted, and servers not
// pinned by digest, as strings: gRPC (mutual TLS, also as a client), NATS
// (clients with certificates, routes), Redis (through each service's tunnel,
// replication, Sentinel). Metrics and health probes carry no personal data
// and stay plaintext inside the network policies.
function unencrypted(objects) {
  const problems = [];
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o.data ?? {}]));
  const config = configMaps.get("ankommen-config") ?? {};
  const required = ["ANKOMMEN_TLS_CERT_FILE", "ANKOMMEN_TLS_KEY_FILE", "ANKOMMEN_TLS_CLIENT_CA_FILE", "ANKOMMEN_TLS_CA_FILE",
    "ANKOMMEN_TLS_CLIENT_CERT_FILE", "ANKOMMEN_TLS_CLIENT_KEY_FILE", "ANKOMMEN_NATS_TLS_CA_FILE",
    "ANKOMMEN_NATS_TLS_CERT_FILE", "ANKOMMEN_NATS_TLS_KEY_FILE"];
  for (const name of required) if (!config[name]) problems.push(`ankommen-config: no ${name}`);
  if (!String(config.ANKOMMEN_NATS_URL ?? "").startsWith("tls://")) problems.push("ankommen-config: ANKOMMEN_NATS_URL is not tls://");
  // Every Redis address a service dials — the URL, the sentinels, the nodes
  // they name — must be a port of the TLS tunnel in its pod.
  const redisUrl = /^redis:\/\/(?:[^@]*@)?([^/:]+):(\d+)/.exec(config.ANKOMMEN_REDIS_URL ?? "");
  const dialled = [
    ...(redisUrl ? [`${redisUrl[1]}:${redisUrl[2]}`] : ["(no URL)"]),
    ...String(config.ANKOMMEN_REDIS_SENTINELS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    ...String(config.ANKOMMEN_REDIS_ADDRESS_MAP ?? "").split(",").map((s) => s.split("=")[1]?.trim()).filter(Boolean),
  ];
  for (const address of dialled) {
    if (!/^(127\.0\.0\.1|localhost):\d+$/.test(address)) {
      problems.push(`ankommen-config: Redis at ${address}, not through the pod's TLS tunnel (127.0.0.1)`);
    }
  }
  const tunnelPorts = dialled.map((a) => a.split(":")[1]).filter(Boolean);
  const tlsDirs = new Set(required.map((n) => config[n]).filter(Boolean).map((f) => f.replace(/\/[^/]*$/, "")));

  const mountedFromSecret = (pod, container, dir) => (container.volumeMounts ?? []).some((m) =>
    m.mountPath === dir && (pod.volumes ?? []).some((v) => v.name === m.name && v.secret));
  for (const d of objects.filter((o) => o.kind === "Deployment" && o.metadata?.labels?.["app.kubernetes.io/part-of"] === "ankommen")) {
    const pod = d.spec.template.spec;
    const id = `Deployment/${d.metadata.name}`;
    for (const dir of tlsDirs) {
      if (!mountedFromSecret(pod, pod.containers[0], dir)) problems.push(`${id}: the certificates in ${dir} are not mounted from a Secret`);
    }
    // The Redis tunnel: a sidecar running stunnel as a client that verifies
    // the chain (for all sections) and, in every section, the server's name;
    // and a section accepting each port the service dials.
    const verifies = (conf) => {
      const [global, ...sections] = conf.split(/^\[/m);
      return /^client\s*=\s*yes/m.test(global) && /^verifyChain\s*=\s*yes/m.test(global) && sections.length > 0 &&
        sections.every((s) => /^checkHost\s*=\s*\S/m.test(s)) &&
        tunnelPorts.every((port) => new RegExp(`^accept\\s*=\\s*127\\.0\\.0\\.1:${port}\\s*$`, "m").test(conf));
    };
    const tunnel = [...(pod.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...pod.containers.slice(1)]
      .some((c) => (c.volumeMounts ?? []).some((m) => {
        const volume = (pod.volumes ?? []).find((v) => v.name === m.name && v.configMap);
        return volume && Object.values(configMaps.get(volume.configMap.name) ?? {}).some(verifies);
      }));
    // A pod that logs into Redis (ANKOMMEN_REDIS_USER) needs the tunnel; the
    // indicators' exporter reads NATS only and has no Redis user to log in with.
    const usesRedis = pod.containers.some((c) => (c.env ?? []).some((e) => e.name === "ANKOMMEN_REDIS_USER"));
    if (usesRedis && !tunnel) problems.push(`${id}: no TLS tunnel to Redis beside it (a sidecar running stunnel with verifyChain and checkHost for every Redis address it dials)`);
    if (!usesRedis && (pod.volumes ?? []).some((v) => v.secret?.secretName === "ankommen-redis-users")) {
      problems.push(`${id}: mounts a Redis password without a Redis user`);
    }
  }

  const natsConf = configMaps.get("nats-config")?.["nats.conf"] ?? "";
  const cluster = natsConf.indexOf("cluster {");
  const verifiedTls = (text) => /tls\s*\{[^}]*verify:\s*true[^}]*\}/s.test(text);
  if (!verifiedTls(cluster < 0 ? natsConf : natsConf.slice(0, cluster))) problems.push("nats.conf: clients without TLS and certificates (tls { verify: true })");
  if (cluster >= 0 && !verifiedTls(natsConf.slice(cluster))) problems.push("nats.conf: routes between the nodes without TLS");

  const scripts = configMaps.get("redis-config") ?? {};
  for (const flag of ["--port 0", "--tls-port 6379", "--tls-auth-clients yes", "--tls-replication yes"]) {
    if (!(scripts["start-redis.sh"] ?? "").includes(flag)) problems.push(`start-redis.sh: no ${flag}`);
  }
  for (const line of ["port 0", "tls-port 26379", "tls-replication yes"]) {
    if (!(scripts["start-sentinel.sh"] ?? "").includes(line)) problems.push(`start-sentinel.sh: no ${line}`);
  }
  for (const s of objects.filter((o) => o.kind === "StatefulSet" && o.metadata.name === "redis")) {
    for (const c of s.spec.template.spec.containers) {
      if (!(c.env ?? []).some((e) => e.name === "REDIS_TLS" && e.value === "on")) problems.push(`StatefulSet/redis: container ${c.name} without REDIS_TLS=on`);
      if (!mountedFromSecret(s.spec.template.spec, c, "/tls")) problems.push(`StatefulSet/redis: container ${c.name} without its certificates in /tls`);
    }
  }
  for (const s of objects.filter((o) => o.kind === "StatefulSet" && o.metadata.name === "nats")) {
    if (!mountedFromSecret(s.spec.template.spec, s.spec.template.spec.containers[0], "/etc/nats/tls")) {
      problems.push("StatefulSet/nats: its certificates are not mounted from a Secret in /etc/nats/tls");
    }
  }
  // Servers from elsewhere run as pinned: by digest, not by a tag that can move.
  for (const o of objects.filter((o) => o.spec?.template?.spec)) {
    const pod = o.spec.template.spec;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      if (!c.image.includes("/ankommen/") && !/@sha256:[0-9a-f]{64}$/.test(c.image)) {
        problems.push(`${o.kind}/${o.metadata.name}: image ${c.image} is not pinned by digest`);
      }
    }
  }
  return problems;
}

// Egress is denied unless allowed: each rendered overlay has the default-deny policies.
function missingDefaults(objects) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const denies = (type) => policies.some((p) => Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
    (p.spec?.policyTypes ?? []).includes(type) && !(p.spec?.[type.toLowerCase()] ?? []).length);
  return ["Ingress", "Egress"].filter((t) => !denies(t)).map((t) => `no default-deny ${t} policy`);
}

// Redis is a store: it must refuse writes when full (noeviction), never drop
// keys, and its data must leave half the container's memory for the fork
// that rewrites the append-only file (else the kernel kills it when full).
function redisUnbounded(objects) {
  const problems = [];
  const bytes = (q) => {
    // Redis's units (1gb is 2^30 bytes, 1g 10^9) and Kubernetes' (Gi, G).
    const m = /^(\d+)\s*(gb|mb|kb|g|m|k|Gi|Mi|Ki|G|M|K)?$/.exec(String(q ?? "").trim());
    if (!m) return NaN;
    const unit = { gb: 2 ** 30, mb: 2 ** 20, kb: 2 ** 10, g: 1e9, m: 1e6, k: 1e3,
                   Gi: 2 ** 30, Mi: 2 ** 20, Ki: 2 ** 10, G: 1e9, M: 1e6, K: 1e3 }[m[2]] ?? 1;
    return Number(m[1]) * unit;
  };
  const script = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "redis-config")?.data?.["start-redis.sh"] ?? "";
  if (!script.includes("--maxmemory-policy noeviction")) problems.push("start-redis.sh: no --maxmemory-policy noeviction");
  for (const s of objects.filter((o) => o.kind === "StatefulSet" && o.metadata.name === "redis")) {
    const c = s.spec.template.spec.containers.find((c) => c.name === "redis");
    const max = bytes((c?.env ?? []).find((e) => e.name === "REDIS_MAXMEMORY")?.value);
    const limit = bytes(c?.resources?.limits?.memory);
    if (!(max > 0)) problems.push("StatefulSet/redis: no REDIS_MAXMEMORY");
    else if (!(limit >= 2 * max)) problems.push(`StatefulSet/redis: REDIS_MAXMEMORY is more than half the memory limit (${c?.resources?.limits?.memory})`);
  }
  return problems;
}

let failures = 0, checked = 0;
const overlays = readdirSync(join(root, "k8s", "overlays"));
for (const overlay of overlays) {
  const rendered = execFileSync(process.env.KUBECTL ?? "kubectl", ["kustomize", join(root, "k8s", "overlays", overlay)], { encoding: "utf8" });
  const objects = yaml.loadAll(rendered).filter(Boolean);
  for (const problem of [...missingDefaults(objects), ...redisUnbounded(objects)]) {
    console.error(`${overlay}: unsafe as shipped: ${problem}`);
    failures++;
  }
  if (!plaintextAllowed.has(overlay)) {
    for (const problem of unencrypted(objects)) {
      console.error(`${overlay}: unsafe as shipped: ${problem}`);
      failures++;
    }
  }
  for (const object of objects) {
    const id = `${overlay}: ${object.kind}/${object.metadata?.name}`;
    const entry = known[`${object.apiVersion}/${object.kind}`];
    if (!entry) {
      console.error(`${id}: no schema known for ${object.apiVersion} ${object.kind}`);
      failures++;
      continue;
    }
    const [module, typeName] = entry;
    const Model = (await import(module))[object.kind];
    try {
      new Model(object).validate();
    } catch (e) {
      console.error(`${id}: ${e.message}`);
      failures++;
    }
    if (typeName) {
      for (const field of unknownFields(object, typeName, "")) {
        console.error(`${id}: unknown field ${field}`);
        failures++;
      }
    }
    for (const problem of unsafe(object)) {
      console.error(`${id}: unsafe as shipped: ${problem}`);
      failures++;
    }
    checked++;
  }
}
console.log(`${checked} objects in ${overlays.length} overlays checked, ${failures} problems`);
process.exit(failures === 0 ? 0 : 1);
