// POST /admin/storefleet/mail/settings and POST /admin/storefleet/mail/test. One route with a parameter
// because `medusa build` leaves every directory named `test` out of the server it builds.
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { postTest } from './send-test';
import { postSettings } from './settings';

const ACTIONS: Record<string, (req: MedusaRequest, res: MedusaResponse) => Promise<void>> = {
  settings: postSettings,
  test: postTest,
};

export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const action = ACTIONS[req.params.action ?? ''];
  if (!action) {
    res.status(404).json({ type: 'not_found', message: `no such mail action: ${req.params.action}` });
    return;
  }
  await action(req, res);
}
