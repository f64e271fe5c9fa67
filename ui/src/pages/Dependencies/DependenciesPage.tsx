import { Empty } from '../../components/States.js';

/** Placeholder until the dependency graph lands. */
export function DependenciesPage() {
  return <Empty title="System architecture">The dependency graph is not drawn yet.</Empty>;
}
