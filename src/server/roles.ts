/**
 * Roles are a table of which modules a process runs, so splitting a role out is configuration.
 * A role without the store module forwards what it receives (the agent).
 */

/** A module a role can run. */
export type ModuleName =
  | 'store' | 'zipkin-receiver' | 'jaeger-receiver' | 'jaeger-udp' | 'otlp-receiver' | 'zipkin-query' | 'jaeger-query'
  | 'sampling' | 'sampling-proxy' | 'admin';

/** One runnable role. */
export interface Role {
  name: string;
  summary: string;
  modules: readonly ModuleName[];
  /** Runs only against a store other processes share (ClickHouse): alone on an embedded store it would see half the data. */
  sharedStoreOnly?: boolean;
}

/** Stores several processes can share. */
export const SHARED_STORAGES: readonly string[] = ['clickhouse'];

/**
 * Why this role cannot run on that storage, as a message for the operator; undefined when it can.
 * Collector and query roles split one deployment, so each needs the store the other one reads or writes.
 */
export function roleStorageProblem(role: Role, storage: string): string | undefined {
  if (role.sharedStoreOnly !== true || SHARED_STORAGES.includes(storage)) return undefined;
  return `role ${role.name} needs a store shared with the other roles: run it with --storage=clickhouse --clickhouse.url=... ` +
    `(--storage=${storage} keeps spans inside one process; use all-in-one for a single node)`;
}

/** Every role, the first being the default. */
export const ROLES: readonly Role[] = [
  {
    name: 'all-in-one',
    summary: 'receivers, store, query APIs and admin in one process (default)',
    modules: ['store', 'zipkin-receiver', 'jaeger-receiver', 'jaeger-udp', 'otlp-receiver', 'zipkin-query', 'jaeger-query', 'sampling', 'admin'],
  },
  {
    name: 'collector',
    summary: 'receivers and sampling into a shared store (--storage=clickhouse); scale out behind a load balancer',
    modules: ['store', 'zipkin-receiver', 'jaeger-receiver', 'jaeger-udp', 'otlp-receiver', 'sampling', 'admin'],
    sharedStoreOnly: true,
  },
  {
    name: 'query',
    summary: 'Zipkin and Jaeger query APIs and the UI over a shared store (--storage=clickhouse)',
    modules: ['store', 'zipkin-query', 'jaeger-query', 'admin'],
    sharedStoreOnly: true,
  },
  {
    name: 'agent',
    summary: 'Jaeger agent: UDP 6831/6832 batches forwarded to --agent.collector, sampling asked of it on 5778',
    modules: ['jaeger-udp', 'sampling-proxy', 'admin'],
  },
];

/** The role of that name, or undefined. */
export function findRole(name: string): Role | undefined {
  return ROLES.find((r) => r.name === name);
}
