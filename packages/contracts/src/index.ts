// Request and response shapes of the Storefleet API, shared by the orchestrator and the dashboard.
export * from './accounts.ts';
export * from './backups.ts';
export * from './domains.ts';
export * from './errors.ts';
export * from './insights.ts';
export * from './lifecycle.ts';
export * from './mail.ts';
export * from './platform.ts';
export * from './refusals.ts';
export * from './store.ts';
export * from './store-requests.ts';
export * from './text.ts';
