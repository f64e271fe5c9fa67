import { useState } from 'react';
import { createBrowserRouter, Link, NavLink, Navigate, Outlet, useParams } from 'react-router';
import { Empty } from './components/States.js';
import { applyTheme, initialTheme, type Theme } from './components/theme.js';
import { ComparePage } from './pages/Compare/ComparePage.js';
import { DependenciesPage } from './pages/Dependencies/DependenciesPage.js';
import { SearchPage } from './pages/Search/SearchPage.js';
import { TracePage } from './pages/Trace/TracePage.js';

function Shell() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  };
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/search" className="brand">Ariadne</Link>
        <nav>
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/dependencies">System architecture</NavLink>
        </nav>
        <button type="button" className="theme-toggle" onClick={toggle} aria-label="Switch theme">
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}

/** /trace/:id opens one trace; Jaeger's /trace/:a...:b compares two. */
function TraceRoute() {
  const { id = '' } = useParams();
  const pair = id.split('...');
  if (pair.length === 2 && pair[0] && pair[1]) return <ComparePage a={pair[0]} b={pair[1]} />;
  return <TracePage traceId={id} />;
}

function NotFound() {
  return (
    <Empty title="There is no page here.">
      Go to <Link to="/search">Search</Link> to find traces.
    </Empty>
  );
}

/** The app's routes (Jaeger UI's paths). */
export const router = createBrowserRouter([
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/search" replace /> },
      { path: 'search', element: <SearchPage /> },
      { path: 'trace/:id', element: <TraceRoute /> },
      { path: 'compare', element: <ComparePage /> },
      { path: 'dependencies', element: <DependenciesPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
