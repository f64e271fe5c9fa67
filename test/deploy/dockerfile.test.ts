/**
 * The Dockerfile, read as text (no image is built here): a slim Node.js 20 base, a numeric non-root
 * user, EXPOSE equal to the server's default ports, ENTRYPOINT the ariadne binary, and a runtime
 * stage that carries every file and package the server imports once dev dependencies are pruned.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { portSpecs, REPO } from './k8s.js';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2]!.trim(), stage });
  }
  return out;
}

let instructions: Instruction[] = [];
let finalStage = 0;
let pkg: { bin: Record<string, string>; dependencies: Record<string, string>; engines: { node: string } };

beforeAll(async () => {
  instructions = parseDockerfile(await readFile(join(REPO, 'Dockerfile'), 'utf8'));
  finalStage = Math.max(...instructions.map((i) => i.stage));
  pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
});

const final = (op: string) => instructions.filter((i) => i.stage === finalStage && i.op === op);

/** Relative and bare imports of a TypeScript file, static and dynamic, without type-only ones. */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2])!);
  return specs;
}

/** Every source file the server loads, walking imports from the package's bin entry. */
async function runtimeFiles(): Promise<{ files: string[]; packages: string[] }> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [join(REPO, pkg.bin.ariadne!)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]s$/.test(file)) continue;
    for (const spec of importsOf(await readFile(file, 'utf8'))) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const target = resolve(dirname(file), spec);
      const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`];
      const found = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
      if (!found) throw new Error(`${relative(REPO, file)} imports ${spec}, which does not exist`);
      queue.push(found);
    }
  }
  return { files: [...seen].map((f) => relative(REPO, f)).sort(), packages: [...packages].sort() };
}

describe('Dockerfile', () => {
  it('builds on a slim Node.js of the major version package.json requires, in both stages', () => {
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    const bases = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(bases).toEqual([`node:${major}-bookworm-slim`, `node:${major}-bookworm-slim`]);
  });

  it('runs as a numeric non-root user', () => {
    const users = final('USER').map((i) => i.args);
    expect(users.length).toBe(1);
    const [uid, gid] = users[0]!.split(':').map(Number);
    expect({ numeric: Number.isInteger(uid) && Number.isInteger(gid), nonRoot: uid! > 0 && gid! > 0 }).toEqual({ numeric: true, nonRoot: true });
  });

  it('EXPOSEs exactly the server\'s default ports, UDP ones marked', () => {
    const exposed = final('EXPOSE').flatMap((i) => i.args.split(/\s+/)).sort();
    const expected = portSpecs().map((p) => (p.protocol === 'UDP' ? `${p.port}/udp` : String(p.port))).sort();
    expect(exposed).toEqual(expected);
  });

  it('starts the ariadne binary of package.json, all-in-one by default', () => {
    expect(final('ENTRYPOINT').map((i) => JSON.parse(i.args))).toEqual([['ariadne']]);
    expect(final('CMD').map((i) => JSON.parse(i.args))).toEqual([['all-in-one']]);
    const link = final('RUN').map((i) => /ln -s (\S+) \/usr\/local\/bin\/ariadne/.exec(i.args)?.[1]).find(Boolean);
    expect(link).toBe(`/app/${pkg.bin.ariadne}`);
  });

  it('keeps the data directory of the Kubernetes manifests as a volume owned by that user', () => {
    const env = final('ENV').map((i) => i.args).join(' ');
    expect(env).toContain('ARIADNE_DATA_DIR=/var/lib/ariadne');
    expect(final('VOLUME').map((i) => JSON.parse(i.args))).toEqual([['/var/lib/ariadne']]);
    const user = final('USER')[0]!.args;
    expect(final('RUN').some((i) => i.args.includes(`chown ${user} /var/lib/ariadne`))).toBe(true);
  });

  it('copies into the runtime stage every source file the server loads', async () => {
    const { files } = await runtimeFiles();
    // The walk follows the dynamic import of the server and reaches the store and generated protobuf code.
    expect(['cmd/ariadne.ts', 'src/server/app.ts', 'src/storage/embedded/store.ts', 'proto/gen/otlp.js'].filter((f) => !files.includes(f))).toEqual([]);
    const copied = final('COPY').map((i) => i.args.split(/\s+/).at(-1)!.replace(/^\.\//, '').replace(/\/$/, ''));
    const missing = files.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
    expect(missing).toEqual([]);
    // The build stage copies the same folders from the context, and .dockerignore keeps them.
    const ignore = (await readFile(join(REPO, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const fromContext = instructions.filter((i) => i.stage === 0 && i.op === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const topDirs = [...new Set(files.map((f) => f.split('/')[0]!))];
    expect(topDirs.filter((d) => !fromContext.some((c) => c.replace(/^\.\//, '') === d))).toEqual([]);
    expect(ignore.filter((p) => topDirs.includes(p))).toEqual([]);
  });

  it('every package the server imports is a runtime dependency, so pruning dev dependencies keeps it', async () => {
    const { packages } = await runtimeFiles();
    expect(['@duckdb/node-api', 'fastify', 'tsx'].filter((p) => !packages.includes(p))).toEqual([]);
    const runtime = new Set(Object.keys(pkg.dependencies));
    expect(packages.filter((p) => !runtime.has(p))).toEqual([]);
  });
});
