// The stores' backups in an S3-compatible bucket (storeBackups.target=s3): the orchestrator's
// BACKUP_TARGET and BACKUP_S3_* environment, the age identity and the access key only as references
// to your Secret (never in the ConfigMap), its egress to the bucket, and what cannot work refused at
// render time.
import { describe, expect, it } from 'vitest';
import { type Container, find, type Manifest, render, renderError } from './support/chart.ts';

const configOf = (objects: Manifest[]) =>
  objects.find((o) => o.kind === 'ConfigMap' && o.data?.BACKUP_DIR !== undefined)?.data ?? {};
const orchestrator = (objects: Manifest[]): Container =>
  find(objects, 'Deployment').spec.template.spec.containers[0];
const envNames = (objects: Manifest[]) => (orchestrator(objects).env ?? []).map((env) => env.name);

const S3 = {
  target: 's3',
  s3: {
    endpoint: 'http://minio.storage.svc:9000',
    bucket: 'shop-backups',
    prefix: 'fleet',
    forcePathStyle: true,
    existingSecret: 'backup-bucket',
  },
};

describe('store backups in an S3 bucket, in the platform chart', { timeout: 60_000 }, () => {
  it('keeps them on the volume by default, with no bucket variable and no key', () => {
    const objects = render({});
    expect(configOf(objects).BACKUP_TARGET).toBe('volume');
    expect(Object.keys(configOf(objects)).filter((name) => name.startsWith('BACKUP_S3_'))).toEqual([]);
    expect(envNames(objects).filter((name) => name.startsWith('BACKUP_'))).toEqual([]);
  });

  it('passes the bucket in the ConfigMap and its keys only as references to your Secret', () => {
    const objects = render({ values: { storeBackups: S3 } });
    expect(configOf(objects)).toMatchObject({
      BACKUP_TARGET: 's3',
      BACKUP_S3_ENDPOINT: 'http://minio.storage.svc:9000',
      BACKUP_S3_REGION: 'us-east-1',
      BACKUP_S3_BUCKET: 'shop-backups',
      BACKUP_S3_PREFIX: 'fleet',
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_AGENT_IMAGE: 'storefleet/backup-agent:0.1.0',
    });
    for (const secret of ['BACKUP_AGE_IDENTITY', 'BACKUP_S3_ACCESS_KEY_ID', 'BACKUP_S3_SECRET_ACCESS_KEY']) {
      expect(configOf(objects)[secret]).toBeUndefined();
    }
    expect(orchestrator(objects).env).toEqual(
      expect.arrayContaining([
        {
          name: 'BACKUP_AGE_IDENTITY',
          valueFrom: { secretKeyRef: { name: 'backup-bucket', key: 'age-identity' } },
        },
        {
          name: 'BACKUP_S3_ACCESS_KEY_ID',
          valueFrom: { secretKeyRef: { name: 'backup-bucket', key: 'access-key-id' } },
        },
        {
          name: 'BACKUP_S3_SECRET_ACCESS_KEY',
          valueFrom: { secretKeyRef: { name: 'backup-bucket', key: 'secret-access-key' } },
        },
      ]),
    );
  });

  it("leaves the credentials to the SDK's chain without key names, and names the agent image as set", () => {
    const objects = render({
      values: {
        storeBackups: {
          ...S3,
          s3: {
            ...S3.s3,
            endpoint: '',
            accessKeyIdKey: '',
            secretAccessKeyKey: '',
            agentImage: { registry: 'registry.example.com', digest: `sha256:${'ab'.repeat(32)}` },
          },
        },
      },
    });
    expect(envNames(objects)).toContain('BACKUP_AGE_IDENTITY');
    expect(envNames(objects)).not.toContain('BACKUP_S3_ACCESS_KEY_ID');
    expect(configOf(objects).BACKUP_S3_ENDPOINT).toBeUndefined();
    expect(configOf(objects).BACKUP_AGENT_IMAGE).toBe(
      `registry.example.com/storefleet/backup-agent@sha256:${'ab'.repeat(32)}`,
    );
  });

  it("lets the orchestrator out to the bucket's port", () => {
    const policy = find(render({ values: { storeBackups: S3 } }), 'NetworkPolicy', 'storefleet-orchestrator');
    expect(policy.spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    });
    const aws = find(
      render({ values: { storeBackups: { ...S3, s3: { ...S3.s3, endpoint: '' } } } }),
      'NetworkPolicy',
      'storefleet-orchestrator',
    );
    expect(aws.spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    expect(aws.spec.egress).not.toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    });
  });

  it('refuses an S3 target without a bucket or a Secret, half the key names, and a bucket left unused', () => {
    expect(renderError({ values: { storeBackups: { target: 's3', s3: { existingSecret: 'k' } } } })).toMatch(
      /storeBackups.target=s3 needs storeBackups.s3.bucket/,
    );
    expect(
      renderError({ values: { storeBackups: { target: 's3', s3: { bucket: 'shop-backups' } } } }),
    ).toMatch(/storeBackups.target=s3 needs storeBackups.s3.existingSecret/);
    expect(
      renderError({ values: { storeBackups: { ...S3, s3: { ...S3.s3, accessKeyIdKey: '' } } } }),
    ).toMatch(/set both .* or neither/);
    expect(renderError({ values: { storeBackups: { s3: { bucket: 'shop-backups' } } } })).toMatch(
      /storeBackups.s3 is set but storeBackups.target=volume/,
    );
    expect(renderError({ values: { storeBackups: { target: 'gcs' } } })).toMatch(/target/);
    expect(
      renderError({ values: { storeBackups: { ...S3, s3: { ...S3.s3, endpoint: 'minio:9000' } } } }),
    ).toMatch(/endpoint/);
    expect(
      renderError({ values: { storeBackups: { ...S3, s3: { ...S3.s3, bucket: 'Shop_Backups' } } } }),
    ).toMatch(/bucket/);
  });
});
