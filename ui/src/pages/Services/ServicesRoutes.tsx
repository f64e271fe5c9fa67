import type { ServicesRoute } from '../../model/services.js';
import { EndpointPage } from './EndpointPage.js';
import { ServicePage } from './ServicePage.js';
import { ServicesPage } from './ServicesPage.js';

/** The services page a /services path names (one code-split chunk for all three). */
export function ServicesRoutes({ route }: { route: ServicesRoute }) {
  if (route.page === 'endpoint') return <EndpointPage key={`${route.service}\u0000${route.operation}`} service={route.service} operation={route.operation} />;
  if (route.page === 'service') return <ServicePage key={route.service} service={route.service} />;
  return <ServicesPage />;
}
