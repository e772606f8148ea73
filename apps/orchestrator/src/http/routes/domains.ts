// Routes for a store's custom domains: add one (the DNS records to create come back), list them, check
// one now, make one primary, remove one.
import { AddDomainRequest, Domain, DomainList, DomainParams, StoreIdParams } from '@storefleet/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DomainRecord } from '../../db/domains-repository.ts';
import type { Store } from '../../domain/store.ts';
import { presentDomain } from '../../domains/present.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

export function domainRoutes({ app, services }: HttpContext): void {
  const { queries, domains } = services;
  const visible = (request: FastifyRequest<{ Params: { id: string } }>) =>
    queries.getFor(request.params.id, requireActor(request));
  const show = (store: Store, domain: DomainRecord) => presentDomain(domain, store.slug, domains.settings);

  app.get(
    '/api/stores/:id/domains',
    {
      schema: {
        summary: "The store's custom domains: their state, the DNS records to create and their certificates",
        tags: ['domains'],
        params: StoreIdParams,
        response: { 200: DomainList, ...errorResponses({ access: 'user', params: true }) },
      },
    },
    async (request) => {
      const store = await visible(request);
      return { items: (await domains.list(store)).map((domain) => show(store, domain)) };
    },
  );

  app.post(
    '/api/stores/:id/domains',
    {
      config: { auditAction: 'domain.add' },
      schema: {
        summary:
          'Add a custom domain: answers the DNS records to create (a CNAME, or an A record for an apex, and a TXT proving ownership)',
        tags: ['domains'],
        params: StoreIdParams,
        body: AddDomainRequest,
        response: {
          201: Domain,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: { 400: ['DOMAIN_INVALID'], 409: ['DOMAIN_TAKEN', 'STORE_NOT_DEPLOYED'] },
          }),
        },
      },
    },
    async (request, reply) => {
      const store = await visible(request);
      const domain = await domains.add(store, request.body.hostname);
      request.auditTarget = domain.hostname;
      return reply.status(201).send(show(store, domain));
    },
  );

  app.get(
    '/api/stores/:id/domains/:domainId',
    {
      schema: {
        summary: 'One custom domain',
        tags: ['domains'],
        params: DomainParams,
        response: { 200: Domain, ...errorResponses({ access: 'user', params: true }) },
      },
    },
    async (request) => {
      const store = await visible(request);
      return show(store, await domains.get(store, request.params.domainId));
    },
  );

  app.post(
    '/api/stores/:id/domains/:domainId/verify',
    {
      config: { auditAction: 'domain.verify' },
      schema: {
        summary: 'Check the domain now (a Failed domain starts over from its DNS records)',
        tags: ['domains'],
        params: DomainParams,
        response: { 200: Domain, ...errorResponses({ access: 'user', change: true, params: true }) },
      },
    },
    async (request) => {
      const store = await visible(request);
      const domain = await domains.verify(store, request.params.domainId);
      request.auditTarget = domain.hostname;
      return show(store, domain);
    },
  );

  app.post(
    '/api/stores/:id/domains/:domainId/primary',
    {
      config: { auditAction: 'domain.primary' },
      schema: {
        summary:
          "Make an Active domain the store's primary: its URLs and the engine's own settings follow it",
        tags: ['domains'],
        params: DomainParams,
        response: {
          200: Domain,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: { 409: ['DOMAIN_NOT_ACTIVE'] },
          }),
        },
      },
    },
    async (request) => {
      const store = await visible(request);
      const domain = await domains.makePrimary(store, request.params.domainId);
      request.auditTarget = domain.hostname;
      return show(store, domain);
    },
  );

  app.delete(
    '/api/stores/:id/domains/:domainId',
    {
      config: { auditAction: 'domain.remove' },
      schema: {
        summary: 'Remove the domain: its host leaves the store, then its certificate and Secret',
        tags: ['domains'],
        params: DomainParams,
        response: {
          204: z.null().describe('Removed'),
          ...errorResponses({ access: 'user', change: true, params: true }),
        },
      },
    },
    async (request, reply) => {
      const store = await visible(request);
      await domains.remove(store, request.params.domainId);
      request.auditTarget = request.params.domainId;
      return reply.status(204).send(null);
    },
  );
}
