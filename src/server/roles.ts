/**
 * Roles are a table of which modules a process runs, so splitting a role out is configuration.
 * Only all-in-one exists so far; collector, query and agent reuse these modules when they arrive.
 */

/** A module a role can run. */
export type ModuleName =
  | 'store' | 'zipkin-receiver' | 'jaeger-receiver' | 'otlp-receiver' | 'zipkin-query' | 'jaeger-query' | 'sampling' | 'admin';

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
    modules: ['store', 'zipkin-receiver', 'jaeger-receiver', 'otlp-receiver', 'zipkin-query', 'jaeger-query', 'sampling', 'admin'],
  },
];

/** The role of that name, or undefined. */
export function findRole(name: string): Role | undefined {
  return ROLES.find((r) => r.name === name);
}
