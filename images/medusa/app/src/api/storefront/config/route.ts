// GET /storefront/config: what the storefront learns at run time instead of having it built in —
// the publishable key of its sales channel, the store's name and the region it sells in.
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { NAMES } from '../../../catalogue';

export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY);
  const [{ data: keys }, { data: regions }, { data: stores }] = await Promise.all([
    query.graph({
      entity: 'api_key',
      fields: ['token', 'revoked_at'],
      filters: { title: NAMES.publishableKey, type: 'publishable' },
    }),
    query.graph({
      entity: 'region',
      fields: ['id', 'name', 'currency_code', 'countries.iso_2', 'countries.display_name'],
      filters: { name: NAMES.region },
    }),
    query.graph({ entity: 'store', fields: ['name'] }),
  ]);
  const key = keys.find((k) => !k.revoked_at);
  const region = regions[0];
  if (!key || !region) {
    res.status(503).json({
      type: 'not_ready',
      message:
        'This store is still being set up: its setup job has not created the storefront key or region yet.',
    });
    return;
  }
  res.setHeader('Cache-Control', 'no-store');
  res.json({
    publishableKey: key.token,
    storeName: stores[0]?.name ?? 'Store',
    region: {
      id: region.id,
      name: region.name,
      currency_code: region.currency_code,
      countries: ((region.countries ?? []) as ({ iso_2: string; display_name: string } | null)[]).flatMap(
        (c) => (c ? [{ iso_2: c.iso_2, display_name: c.display_name }] : []),
      ),
    },
  });
}
