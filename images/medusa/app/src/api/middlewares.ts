// The admin's session cookie follows the scheme the browser used. Medusa marks it `Secure;
// SameSite=None` whenever NODE_ENV is production, so over plain http (a store on the local cluster) the
// browser drops it and the admin sign-in comes back: `POST /auth/session` answers 200 without a cookie.
// Behind the ingress, `req.secure` reads X-Forwarded-Proto (Medusa trusts the first proxy), so the
// cookie stays Secure over https and becomes a SameSite=Lax cookie over http.
import {
  defineMiddlewares,
  type MedusaNextFunction,
  type MedusaRequest,
  type MedusaResponse,
} from '@medusajs/framework/http';

interface SessionCookie {
  secure?: boolean | 'auto';
  sameSite?: boolean | 'lax' | 'strict' | 'none';
}

export function cookieFollowsScheme(
  req: MedusaRequest,
  _res: MedusaResponse,
  next: MedusaNextFunction,
): void {
  const cookie = (req as unknown as { session?: { cookie?: SessionCookie } }).session?.cookie;
  if (cookie) {
    cookie.secure = req.secure;
    cookie.sameSite = req.secure ? 'none' : 'lax';
  }
  next();
}

export default defineMiddlewares({
  routes: [
    { matcher: '/auth*', middlewares: [cookieFollowsScheme] },
    { matcher: '/admin*', middlewares: [cookieFollowsScheme] },
  ],
});
