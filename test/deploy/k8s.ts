/**
 * Helpers for checking the Kubernetes layouts: render a kustomization with the real kubectl, parse
 * its YAML, validate each object against the Kubernetes OpenAPI schemas (kubernetes-models), and
 * the port table that ties manifests to the server's own OPTIONS.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { OPTIONS } from '../../src/server/config.js';

const run = promisify(execFile);

/** Repository root. */
export const REPO = new URL('../../', import.meta.url).pathname;

/** Folder holding every kustomize layout. */
export const KUBERNETES_DIR = join(REPO, 'deploy/kubernetes');

/** A rendered Kubernetes object, loosely typed: tests read what they assert. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

/** Every directory under deploy/kubernetes with a kustomization.yaml, relative to it, sorted. */
export async function findKustomizations(dir = KUBERNETES_DIR): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'kustomization.yaml')) found.push(relative(dir, d));
    for (const e of entries) if (e.isDirectory()) await walk(join(d, e.name));
  };
  await walk(dir);
  return found.sort();
}

/** Parses a multi-document YAML text; any syntax error throws with the document's index. */
export function parseYamlDocuments(text: string, where: string): unknown[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${where} document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  }).filter((d) => d !== null && d !== undefined);
}

/** `kubectl kustomize <dir>` parsed into objects; throws with kubectl's message when it fails. */
export async function renderKustomization(dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not on PATH: it renders the kustomize layouts (kubectl kustomize)');
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseYamlDocuments(stdout, dir) as K8sObject[];
}

type Validatable = { validate(): void };
const MODELS: Record<string, new (data: any) => Validatable> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Whether a schema is known for this apiVersion and kind. */
export function hasSchema(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return `${String(obj.apiVersion)}/${String(obj.kind)}` in MODELS;
}

/**
 * Validates one object against its Kubernetes schema; returns the problems (empty when valid).
 * An apiVersion/kind without a schema here is itself a problem, so nothing passes unchecked.
 */
export function schemaProblems(obj: K8sObject): string[] {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  // kustomize folds long base64 values over lines; the API server's decoder skips the newlines.
  const data = obj.kind === 'Secret' && obj.data
    ? { ...obj, data: Object.fromEntries(Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')])) }
    : obj;
  try {
    new Model(data).validate();
    return [];
  } catch (err) {
    return [`${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`];
  }
}

const TYPE_MODULES: Record<string, string> = {
  'apps/v1/Deployment': 'apps/v1/Deployment',
  'apps/v1/DaemonSet': 'apps/v1/DaemonSet',
  'apps/v1/StatefulSet': 'apps/v1/StatefulSet',
  'v1/Service': 'v1/Service',
  'v1/PersistentVolumeClaim': 'v1/PersistentVolumeClaim',
  'v1/Secret': 'v1/Secret',
  'v1/ConfigMap': 'v1/ConfigMap',
  'autoscaling/v2/HorizontalPodAutoscaler': 'autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'policy/v1/PodDisruptionBudget',
};

/**
 * Fields the Kubernetes API does not know (a misspelt `readinesProbe` would be dropped silently by
 * the schema validator above, and rejected by a strict API server). Each object becomes an object
 * literal typed with its kubernetes-models interface, and TypeScript's excess-property check names
 * every unknown field. One compile for all objects (a few seconds).
 */
export function unknownFieldProblems(objects: K8sObject[]): string[] {
  const file = join(REPO, 'test/deploy/__manifests__.ts');
  const imports = new Set<string>();
  const lines: string[] = [];
  objects.forEach((o, i) => {
    const module = TYPE_MODULES[`${o.apiVersion}/${o.kind}`];
    if (!module) return;
    imports.add(`import type { I${o.kind} } from 'kubernetes-models/${module}';`);
    lines.push(`// ${o.kind}/${o.metadata.name}`, `export const o${i}: I${o.kind} = ${JSON.stringify(o)};`);
  });
  const source = [...imports, ...lines].join('\n');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest));
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sourceLines = source.split('\n');
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    return `${sourceLines[line - 1] ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`.slice(0, 400);
  });
}

/** What a port option becomes in the manifests: its port name and protocol. */
export interface PortSpec {
  flag: string;
  name: string;
  protocol: 'TCP' | 'UDP';
  /** The key of this port in the running server's `ports` (as startServerProcess reports them). */
  serverKey: string;
  port: number;
}

/**
 * Port names and protocols by option flag. The numbers come from OPTIONS; `portSpecs` fails when an
 * option ends in `port` and is missing here, so a new port cannot be forgotten in the manifests.
 */
const PORT_NAMES: Record<string, { name: string; protocol: 'TCP' | 'UDP' }> = {
  'zipkin.port': { name: 'zipkin', protocol: 'TCP' },
  'query.port': { name: 'query', protocol: 'TCP' },
  'admin.port': { name: 'admin', protocol: 'TCP' },
  'jaeger.http-port': { name: 'jaeger-http', protocol: 'TCP' },
  'jaeger.grpc-port': { name: 'jaeger-grpc', protocol: 'TCP' },
  'jaeger.compact-port': { name: 'jaeger-compact', protocol: 'UDP' },
  'jaeger.binary-port': { name: 'jaeger-binary', protocol: 'UDP' },
  'otlp.grpc-port': { name: 'otlp-grpc', protocol: 'TCP' },
  'otlp.http-port': { name: 'otlp-http', protocol: 'TCP' },
  'sampling.port': { name: 'sampling', protocol: 'TCP' },
};

/** Every port option of the server with its default number, manifest name and protocol. */
export function portSpecs(): PortSpec[] {
  return OPTIONS.filter((o) => /[.-]port$/.test(o.flag)).map((o) => {
    const named = PORT_NAMES[o.flag];
    if (!named) throw new Error(`port option --${o.flag} has no name in test/deploy/k8s.ts PORT_NAMES`);
    return { flag: o.flag, ...named, serverKey: o.key.replace(/Port$/, ''), port: Number(o.defaultText) };
  });
}

/** The port spec of that manifest port name; throws for an unknown name. */
export function portByName(name: string): PortSpec {
  const spec = portSpecs().find((p) => p.name === name);
  if (!spec) throw new Error(`unknown port name ${name}`);
  return spec;
}

/** The port spec whose default number is `port`, or undefined. */
export function portByNumber(port: number): PortSpec | undefined {
  return portSpecs().find((p) => p.port === port);
}

/** Pod template and kind of every workload object (Deployment, DaemonSet, StatefulSet). */
export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind));
}

/** Whether every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
