import { Link } from 'react-router';
import { Empty } from '../../components/States.js';

/** Placeholder until the compare view lands. */
export function ComparePage({ a, b }: { a?: string; b?: string }) {
  return (
    <Empty title="Compare two traces">
      {a && b ? `Comparing ${a} and ${b}.` : 'Select two traces in the search results.'} <Link to="/search">Search</Link>
    </Empty>
  );
}
