// HTTPS and custom domains on the WooCommerce store's Ingress, and WordPress' siteurl/home (the setup
// Job's SITE_URL) following the primary host.
import { describeHttpsRedirect } from '../../test-support/ingress-redirect-suite.ts';
import { describeIngressTls, type IngressChart } from '../../test-support/ingress-tls-suite.ts';
import {
  orchestratorValues,
  podSpecOf,
  render,
  renderError,
  VALUES_LOCAL,
  VALUES_PROD,
} from './support/chart.ts';

const chart: IngressChart = {
  render,
  renderError,
  store: (values, production = false) => {
    const base = orchestratorValues('cube-shop', production ? { baseDomain: 'stores.example.com' } : {});
    const ingress = { ...(base.ingress as object), ...(values.ingress as object) };
    return { files: [production ? VALUES_PROD : VALUES_LOCAL], values: { ...base, ...values, ingress } };
  },
  defaultHost: 'cube-shop.localhost',
  engineUrl: (objects) => {
    const job = objects.find((o) => o.kind === 'Job');
    const env = podSpecOf(job!).containers.flatMap(
      (c: { env?: { name: string; value?: string }[] }) => c.env ?? [],
    );
    return String(env.find((e: { name: string }) => e.name === 'SITE_URL')?.value);
  },
};

describeIngressTls(chart);
describeHttpsRedirect(chart);
