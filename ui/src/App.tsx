import { lazy, Suspense, useState } from 'react';
import { Empty, Loading } from './components/States.js';
import { applyTheme, initialTheme, type Theme } from './components/theme.js';
import { ComparePage } from './pages/Compare/ComparePage.js';
import { TracePage } from './pages/Trace/TracePage.js';
import { traceIdOfPath } from './model/routes.js';
import { servicesRouteOf } from './model/services.js';
import { Link, NavLink, Navigate, useLocation } from './router.js';

// The trace page, with its other views and the comparison of two traces, is in the main bundle (it
// is what must paint fastest, and /trace/ links are what people share; the extra views are a few
// kB, less than the round trip a separate file costs); every other view loads its code when first shown.
const SearchPage = lazy(() => import('./pages/Search/SearchPage.js').then((m) => ({ default: m.SearchPage })));
const DependenciesPage = lazy(() => import('./pages/Dependencies/DependenciesPage.js').then((m) => ({ default: m.DependenciesPage })));
const IngestPage = lazy(() => import('./pages/Ingest/IngestPage.js').then((m) => ({ default: m.IngestPage })));
const QueryPage = lazy(() => import('./pages/Query/QueryPage.js').then((m) => ({ default: m.QueryPage })));
const ServicesRoutes = lazy(() => import('./pages/Services/ServicesRoutes.js').then((m) => ({ default: m.ServicesRoutes })));

/** The app: top bar and the view the URL names (Jaeger UI's paths, so bookmarks keep working). */
export function App() {
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
          <NavLink to="/services">Services</NavLink>
          <NavLink to="/query">Query</NavLink>
          <NavLink to="/dependencies">System architecture</NavLink>
          <NavLink to="/ingest">Ingest</NavLink>
        </nav>
        <button type="button" className="theme-toggle" onClick={toggle} aria-label="Switch theme">
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </header>
      <main className="content">
        <Suspense fallback={<Loading what="this view" />}>
          <Routes />
        </Suspense>
      </main>
    </div>
  );
}

/** /trace/:id opens one trace; Jaeger's /trace/:a...:b compares two. */
function TraceRoute({ id }: { id: string }) {
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

/** The view for the current path (a trailing slash is ignored). */
function Routes() {
  const { pathname: raw } = useLocation();
  const pathname = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
  if (pathname === '/' || pathname === '') return <Navigate to="/search" replace />;
  if (pathname === '/search') return <SearchPage />;
  if (pathname === '/compare') return <ComparePage />;
  if (pathname === '/dependencies') return <DependenciesPage />;
  if (pathname === '/ingest') return <IngestPage />;
  if (pathname === '/query') return <QueryPage />;
  const services = servicesRouteOf(pathname);
  if (services !== undefined) return <ServicesRoutes route={services} />;
  const trace = traceIdOfPath(pathname);
  if (trace !== undefined) return <TraceRoute id={trace} />;
  return <NotFound />;
}

