/** The samfire://app/ scheme maps URLs to files inside the renderer folder only. */
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ protocol: {} }));
const { APP_URL, appFile } = await import('../../electron/main/app-protocol.js');

const ROOT = '/opt/app/out/renderer';

describe('app protocol', () => {
  it('serves the page and its assets from the renderer folder', () => {
    expect(APP_URL).toBe('samfire://app/index.html');
    expect(appFile('samfire://app/index.html', ROOT)).toBe(`${ROOT}/index.html`);
    expect(appFile('samfire://app/', ROOT)).toBe(`${ROOT}/index.html`);
    expect(appFile('samfire://app/assets/index-1.js?x=1#y', ROOT)).toBe(
      `${ROOT}/assets/index-1.js`,
    );
  });

  it('never leaves the renderer folder or answers another host or scheme', () => {
    for (const url of [
      'samfire://app/../../etc/passwd',
      'samfire://app/%2e%2e/%2e%2e/etc/passwd',
      'samfire://app/..%2f..%2fetc/passwd',
      'samfire://other/index.html',
      'file:///opt/app/out/renderer/index.html',
      'samfire://app/%E0%A4%A',
      'not a url',
    ]) {
      const file = appFile(url, ROOT);
      expect(file === null || file.startsWith(`${ROOT}/`)).toBe(true);
      expect(file).not.toBe('/etc/passwd');
    }
    expect(appFile('samfire://other/index.html', ROOT)).toBeNull();
  });
});
