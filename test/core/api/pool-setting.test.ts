/** The run settings' pool choice: checked at the API boundary, turned into a cluster pool by the Node host. */
import { describe, expect, it } from 'vitest';
import { checkSettingsPatch } from '@samfire/core/api';
import { NatsPool, nodeHostDeps } from '@samfire/core/node';

describe('settings.pool', () => {
  it('accepts local and nats pools and names what is wrong otherwise', () => {
    expect(checkSettingsPatch({ pool: { kind: 'local' } }, 'settings')).toEqual({
      pool: { kind: 'local' },
    });
    const nats = { kind: 'nats', url: 'nats://lab:4222', user: 'coordinator' };
    expect(checkSettingsPatch({ pool: nats }, 'settings')).toEqual({ pool: nats });
    expect(() => checkSettingsPatch({ pool: { kind: 'nats' } }, 'settings')).toThrow(
      /settings\.pool\.url/,
    );
    expect(() =>
      checkSettingsPatch({ pool: { kind: 'nats', url: 'http://lab' } }, 'settings'),
    ).toThrow(/settings\.pool\.url.*nats:\/\/HOST:4222/);
    expect(() =>
      checkSettingsPatch({ pool: { kind: 'local', url: 'nats://lab:4222' } }, 'settings'),
    ).toThrow(/settings\.pool/);
    expect(() => checkSettingsPatch({ pool: { kind: 'grid' } }, 'settings')).toThrow(
      /settings\.pool\.kind/,
    );
  });

  it('gives a cluster pool from the Node host for kind nats, threads otherwise', async () => {
    const deps = nodeHostDeps({ backupDir: null });
    const cluster = deps.createPool(2, { kind: 'nats', url: 'nats://127.0.0.1:4222' });
    expect(cluster).toBeInstanceOf(NatsPool);
    const local = deps.createPool(2, { kind: 'local' });
    expect(local).toBeDefined();
    expect(local).not.toBeInstanceOf(NatsPool);
    await Promise.all([cluster?.close(), local?.close()]);
  });
});
