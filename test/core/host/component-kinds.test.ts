/** The Add list: every kind it offers can be added to an open dataset with its default options. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

describe('component kinds offered by the model service', () => {
  it('lists the built-in kinds but not the ones only the EDS builder can make', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    await host.file.openExample();
    const kinds = (await host.model.componentKinds()).map((k) => k.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Gaussian', 'Offset', 'Polynomial', 'PowerLaw']));
    expect(kinds).not.toContain('XrayFamily');
    expect(kinds).not.toContain('EdsCalibration');
  });

  it('adds every offered kind with its default options', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    await host.file.openExample();
    for (const info of await host.model.componentKinds()) {
      const state = await host.model.addComponent({ kind: info.kind, name: `new_${info.kind}` });
      expect(state.components.map((c) => c.name)).toContain(`new_${info.kind}`);
    }
  });
});
