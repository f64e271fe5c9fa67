import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { applyTheme, initialTheme } from './components/theme.js';
import { traceIdOfPath } from './model/routes.js';
import { traceQuery } from './pages/Trace/useTrace.js';
import './styles.css';

applyTheme(initialTheme());

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 30_000 } },
});

/**
 * How long the first render waits for a /trace/ page's trace (whose bytes the page preloads). When
 * it arrives in time, the first render is the timeline itself instead of a loading state that is
 * laid out and painted only to be replaced; a slower trace shows the loading state after this.
 */
const FIRST_RENDER_WAIT_MS = 250;

function render(): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}

const opening = traceIdOfPath(window.location.pathname);
const traceIds = opening === undefined ? [] : opening.split('...').filter((id) => id !== '');
if (traceIds.length === 0) {
  render();
} else {
  // Errors are left to the page's own query, which shows them.
  const loads = traceIds.map((id) => queryClient.prefetchQuery(traceQuery(id)));
  void Promise.race([Promise.all(loads), new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]).then(render);
}
