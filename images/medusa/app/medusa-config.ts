// Everything comes from the environment the chart sets; nothing here is per store.
import { defineConfig, Modules } from '@medusajs/framework/utils';
import { smtpEnv } from './src/mail/settings';

// `medusa build` loads this file too, with no store to configure.
const building = process.argv.slice(2)[0] === 'build';

const required = (name: string): string => {
  const value = process.env[name];
  if (value) return value;
  if (building) return `unset-at-build-${name}`;
  throw new Error(`${name} is not set: the store chart sets it from the store Secret`);
};

const redisUrl = process.env.REDIS_URL;

// Without Redis, Medusa keeps events, cache, workflows and locks in memory: one process only.
const redisModules = redisUrl
  ? [
      { resolve: '@medusajs/medusa/event-bus-redis', options: { redisUrl } },
      { resolve: '@medusajs/medusa/cache-redis', options: { redisUrl } },
      { resolve: '@medusajs/medusa/workflow-engine-redis', options: { redis: { url: redisUrl } } },
      {
        resolve: '@medusajs/medusa/locking',
        key: Modules.LOCKING,
        options: {
          providers: [
            {
              resolve: '@medusajs/medusa/locking-redis',
              id: 'locking-redis',
              is_default: true,
              options: { redisUrl },
            },
          ],
        },
      },
    ]
  : [];

// E-mail only with an SMTP server (the chart's `smtp` values); without one the store sends none.
const smtp = smtpEnv();
const notificationModules = smtp
  ? [
      {
        resolve: '@medusajs/medusa/notification',
        options: {
          providers: [
            {
              resolve: './src/modules/smtp-notification',
              id: 'smtp',
              options: { channels: ['email'], ...smtp },
            },
          ],
        },
      },
    ]
  : [];

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: required('DATABASE_URL'),
    ...(redisUrl ? { redisUrl } : {}),
    http: {
      storeCors: required('STORE_CORS'),
      adminCors: required('ADMIN_CORS'),
      authCors: required('AUTH_CORS'),
      jwtSecret: required('JWT_SECRET'),
      cookieSecret: required('COOKIE_SECRET'),
    },
  },
  admin: {
    path: '/app',
    // A worker serves no HTTP.
    disable: process.env.MEDUSA_WORKER_MODE === 'worker',
  },
  modules: [...redisModules, ...notificationModules],
});
