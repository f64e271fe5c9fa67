/**
 * Every kustomize layout under deploy/kubernetes renders with kubectl, validates against the
 * Kubernetes schemas, and agrees with the server: ports are OPTIONS' defaults, probes hit the admin
 * port's /health and /ready, containers run as non-root with resources, and args parse.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIONS, parseArgs } from '../../src/server/config.js';
import { ROLES, roleStorageProblem } from '../../src/server/roles.js';
import {
  findKustomizations, KUBERNETES_DIR, portByName, portSpecs, REPO, renderKustomization, schemaProblems, selects, unknownFieldProblems, workloads,
  type K8sObject,
} from './k8s.js';

/**
 * What the scaled layout uses ahead of the ClickHouse store (see overlays/scaled/README.md). Each
 * entry is checked to be still missing from the server, so the list and the README are corrected
 * the day it lands.
 */

const LAYOUTS = ['base', 'overlays/agent-daemonset', 'overlays/scaled', 'overlays/scaled-clickhouse'];

const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  const dirs = await findKustomizations();
  // Rendered in parallel: each kubectl run is a separate process.
  const all = await Promise.all(dirs.map((d) => renderKustomization(join(KUBERNETES_DIR, d))));
  dirs.forEach((d, i) => rendered.set(d, all[i]!));
});

function layout(dir: string): K8sObject[] {
  const objects = rendered.get(dir);
  if (!objects) throw new Error(`layout ${dir} was not rendered`);
  return objects;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered; have ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** Containers running the Ariadne image, with their workload. */
function ariadneContainers(objects: K8sObject[]): Array<{ workload: K8sObject; container: any }> {
  return workloads(objects).flatMap((w) => (w.spec.template.spec.containers as any[])
    .filter((c) => /^ariadne(:|@|$)/.test(c.image))
    .map((container) => ({ workload: w, container })));
}

function portNumber(container: any, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports as any[] | undefined)?.find((p) => p.name === port)?.containerPort;
}


async function dockerUser(): Promise<number> {
  const text = await readFile(join(REPO, 'Dockerfile'), 'utf8');
  const users = [...text.matchAll(/^USER\s+(\d+)(?::\d+)?\s*$/gm)];
  return Number(users.at(-1)![1]);
}

describe('kustomize layouts', () => {
  it('every layout directory is covered and renders', () => {
    expect([...rendered.keys()]).toEqual(LAYOUTS);
    for (const dir of LAYOUTS) expect(layout(dir).length, dir).toBeGreaterThan(0);
  });

  it.each(LAYOUTS)('%s: every object validates against the Kubernetes schema', (dir) => {
    expect(layout(dir).flatMap(schemaProblems)).toEqual([]);
  });

  it('no object has a field the Kubernetes API does not know', () => {
    expect(unknownFieldProblems(LAYOUTS.flatMap((dir) => layout(dir)))).toEqual([]);
  });

  it('the unknown-field check catches a misspelt field', () => {
    const deployment = structuredClone(find(layout('base'), 'Deployment', 'ariadne'));
    deployment.spec.template.spec.containers[0].readinesProbe = {};
    expect(unknownFieldProblems([deployment]).map((p) => p.includes("'\"readinesProbe\"' does not exist"))).toEqual([true]);
  });

  it.each(LAYOUTS)('%s: object names are unique per kind', (dir) => {
    const keys = layout(dir).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
  });
});

describe('base: all-in-one', () => {
  it('the Deployment listens on every default port of the server, by name and protocol', () => {
    const deployment = find(layout('base'), 'Deployment', 'ariadne');
    const container = deployment.spec.template.spec.containers[0];
    const ports = (container.ports as any[]).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol }));
    const expected = portSpecs().map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol }));
    expect(ports).toEqual(expected);
  });

  it('the Service exposes every default port, each aimed at the container port of the same name', () => {
    const service = find(layout('base'), 'Service', 'ariadne');
    const ports = (service.spec.ports as any[]).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol }));
    const expected = portSpecs().map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol }));
    expect(ports).toEqual(expected);
  });

  it('runs one replica, replaced (not rolled) so only one pod writes the store', () => {
    const deployment = find(layout('base'), 'Deployment', 'ariadne');
    expect([deployment.spec.replicas, deployment.spec.strategy.type]).toEqual([1, 'Recreate']);
  });

  it('the embedded store lives on the PersistentVolumeClaim mounted at --data-dir', () => {
    const objects = layout('base');
    const spec = find(objects, 'Deployment', 'ariadne').spec.template.spec;
    const container = spec.containers[0];
    const { config } = parseArgs(container.args, {});
    expect(config.storage).toBe('embedded');
    const mount = (container.volumeMounts as any[]).find((m) => m.mountPath === config.dataDir);
    expect(mount, `a volume mounted at ${config.dataDir}`).toBeDefined();
    const volume = (spec.volumes as any[]).find((v) => v.name === mount.name);
    const claim = find(objects, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
  });
});

describe('every Ariadne container', () => {
  const cases = () => LAYOUTS.flatMap((dir) => ariadneContainers(layout(dir)).map((c) => ({ dir, ...c })));

  it('exists in every layout', () => {
    expect(LAYOUTS.map((dir) => ariadneContainers(layout(dir)).length > 0)).toEqual(LAYOUTS.map(() => true));
  });

  it('names its ports as the server does, with the default numbers and protocols', () => {
    for (const { dir, workload, container } of cases()) {
      for (const p of container.ports as any[]) {
        const spec = portByName(p.name);
        expect({ where: `${dir} ${workload.metadata.name}`, port: p.containerPort, protocol: p.protocol })
          .toEqual({ where: `${dir} ${workload.metadata.name}`, port: spec.port, protocol: spec.protocol });
      }
    }
  });

  it('has liveness on /health and readiness on /ready, both on the admin port', () => {
    const admin = portByName('admin').port;
    for (const { dir, workload, container } of cases()) {
      const where = `${dir} ${workload.metadata.name}`;
      const probe = (p: any) => p && { path: p.httpGet.path, port: portNumber(container, p.httpGet.port) };
      expect({ where, live: probe(container.livenessProbe), ready: probe(container.readinessProbe) })
        .toEqual({ where, live: { path: '/health', port: admin }, ready: { path: '/ready', port: admin } });
      if (container.startupProbe) expect(probe(container.startupProbe)).toEqual({ path: '/health', port: admin });
    }
  });

  it('runs as the image\'s non-root user, without privilege escalation, on a read-only root filesystem', async () => {
    const uid = await dockerUser();
    for (const { dir, workload, container } of cases()) {
      const pod = workload.spec.template.spec;
      expect({
        where: `${dir} ${workload.metadata.name}`,
        podNonRoot: pod.securityContext.runAsNonRoot,
        uid: pod.securityContext.runAsUser,
        seccomp: pod.securityContext.seccompProfile?.type,
        nonRoot: container.securityContext.runAsNonRoot,
        escalation: container.securityContext.allowPrivilegeEscalation,
        readOnlyRoot: container.securityContext.readOnlyRootFilesystem,
        drop: container.securityContext.capabilities.drop,
        serviceAccountToken: pod.automountServiceAccountToken,
      }).toEqual({
        where: `${dir} ${workload.metadata.name}`,
        podNonRoot: true, uid, seccomp: 'RuntimeDefault', nonRoot: true, escalation: false, readOnlyRoot: true,
        drop: ['ALL'], serviceAccountToken: false,
      });
      // A read-only root needs a writable /tmp for the TypeScript loader's cache.
      expect((container.volumeMounts as any[]).some((m) => m.mountPath === '/tmp')).toBe(true);
    }
  });

  it('sets CPU and memory requests and limits', () => {
    for (const { dir, workload, container } of cases()) {
      const r = container.resources;
      expect({ where: `${dir} ${workload.metadata.name}`, set: [r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory].every((v) => v !== undefined) })
        .toEqual({ where: `${dir} ${workload.metadata.name}`, set: true });
    }
  });

  it('passes a role and flags the server accepts', () => {
    const envNames = new Set(OPTIONS.map((o) => o.env));
    for (const { dir, workload, container } of cases()) {
      const where = `${dir} ${workload.metadata.name}`;
      const env: Record<string, string> = {};
      // Values from Secrets are not in the manifests: a placeholder of the right shape stands in.
      for (const e of (container.env ?? []) as any[]) env[e.name] = e.value ?? 'http://user:secret@clickhouse:8123/ariadne';
      const parsed = parseArgs(container.args, env);
      const role = ROLES.find((r) => r.name === parsed.positionals[0]);
      expect({ where, role: role !== undefined, extra: parsed.positionals.length }).toEqual({ where, role: true, extra: 1 });
      expect(roleStorageProblem(role!, parsed.config.storage), where).toBeUndefined();
      expect(Object.keys(env).filter((n) => !envNames.has(n)), where).toEqual([]);
    }
  });

});

describe('Services', () => {
  it.each(LAYOUTS)('%s: every Service selects a workload and each port reaches a container port of the same number and protocol', (dir) => {
    const objects = layout(dir);
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const targets = workloads(objects).filter((w) => selects(service.spec.selector, w.spec.template.metadata.labels));
      expect(targets.length, `Service/${service.metadata.name} selects a workload`).toBeGreaterThan(0);
      for (const w of targets) {
        const containers = w.spec.template.spec.containers as any[];
        for (const p of service.spec.ports as any[]) {
          const target = containers.flatMap((c) => (c.ports ?? []) as any[])
            .find((cp) => (typeof p.targetPort === 'string' ? cp.name === p.targetPort : cp.containerPort === p.targetPort));
          expect({ service: service.metadata.name, port: p.name, target: target && { number: target.containerPort, protocol: target.protocol } })
            .toEqual({ service: service.metadata.name, port: p.name, target: { number: p.port, protocol: p.protocol } });
        }
      }
    }
  });
});

describe('agent DaemonSet overlay', () => {
  it('forwards to the base Service\'s Jaeger HTTP port, which reaches the all-in-one', () => {
    const objects = layout('overlays/agent-daemonset');
    const agent = find(objects, 'DaemonSet', 'ariadne-agent').spec.template.spec.containers[0];
    const { config, positionals } = parseArgs(agent.args, {});
    expect(positionals).toEqual(['agent']);
    const url = new URL(config.agentCollector);
    const service = find(objects, 'Service', url.hostname);
    const servicePort = (service.spec.ports as any[]).find((p) => p.port === Number(url.port));
    expect({ scheme: url.protocol, target: servicePort?.targetPort }).toEqual({ scheme: 'http:', target: 'jaeger-http' });
    const allInOne = find(objects, 'Deployment', 'ariadne');
    expect(selects(service.spec.selector, allInOne.spec.template.metadata.labels)).toBe(true);
    const container = allInOne.spec.template.spec.containers[0];
    expect(portNumber(container, servicePort.targetPort)).toBe(portByName('jaeger-http').port);
  });

  it('opens the agent ports on every node and keeps the base objects', () => {
    const objects = layout('overlays/agent-daemonset');
    const agent = find(objects, 'DaemonSet', 'ariadne-agent').spec.template.spec.containers[0];
    const hostPorts = (agent.ports as any[]).filter((p) => p.hostPort !== undefined).map((p) => [p.name, p.hostPort, p.protocol]);
    expect(hostPorts).toEqual(['jaeger-compact', 'jaeger-binary', 'sampling'].map((n) => [n, portByName(n).port, portByName(n).protocol]));
    const base = layout('base').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(base.filter((k) => !objects.some((o) => `${o.kind}/${o.metadata.name}` === k))).toEqual([]);
  });
});

describe('scaled overlays', () => {
  it.each(['overlays/scaled', 'overlays/scaled-clickhouse'])('%s: collectors and query nodes read the ClickHouse URL from the generated Secret', (dir) => {
    const objects = layout(dir);
    const secrets = objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    for (const name of ['ariadne-collector', 'ariadne-query']) {
      const container = find(objects, 'Deployment', name).spec.template.spec.containers[0];
      const url = (container.env as any[]).find((e) => e.name === 'ARIADNE_CLICKHOUSE_URL');
      expect(secrets).toContain(url.valueFrom.secretKeyRef.name);
    }
  });

  it('senders keep the all-in-one\'s Service name; readers use ariadne-query', () => {
    const objects = layout('overlays/scaled');
    const ingest = find(objects, 'Service', 'ariadne').spec.ports.map((p: any) => p.name);
    const query = find(objects, 'Service', 'ariadne-query').spec.ports.map((p: any) => p.name);
    expect({ ingest, query }).toEqual({
      ingest: ['zipkin', 'jaeger-http', 'jaeger-grpc', 'jaeger-compact', 'jaeger-binary', 'otlp-grpc', 'otlp-http', 'sampling'],
      query: ['query', 'zipkin'],
    });
  });

  it('the in-cluster ClickHouse Secret URL points at the ClickHouse Service', () => {
    const objects = layout('overlays/scaled-clickhouse');
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('ariadne-clickhouse'))!;
    const url = new URL(Buffer.from(secret.data.url, 'base64').toString());
    const service = find(objects, 'Service', url.hostname);
    expect((service.spec.ports as any[]).some((p) => p.port === Number(url.port))).toBe(true);
  });
});
