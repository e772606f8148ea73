// HTTPS and custom domains on the Medusa store's Ingress, and Medusa's CORS following the primary host.
import { describeHttpsRedirect } from '../../test-support/ingress-redirect-suite.ts';
import { describeIngressTls, type IngressChart } from '../../test-support/ingress-tls-suite.ts';
import {
  envOf,
  orchestratorValues,
  render,
  renderError,
  VALUES_LOCAL,
  VALUES_PROD,
  workloadOf,
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
    const server = workloadOf(objects, 'app').spec.template.spec.containers[0];
    return String(envOf(server).STORE_CORS);
  },
};

describeIngressTls(chart);
describeHttpsRedirect(chart);
