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
}

/** Every role, the first being the default. */
export const ROLES: readonly Role[] = [
  {
    name: 'all-in-one',
    summary: 'receivers, store, query APIs and admin in one process (default)',
    modules: ['store', 'zipkin-receiver', 'jaeger-receiver', 'jaeger-udp', 'otlp-receiver', 'zipkin-query', 'jaeger-query', 'sampling', 'admin'],
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
