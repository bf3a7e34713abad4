/** Browser mode's --max-upload sizes. */
import { describe, expect, it } from 'vitest';
import { parseSize } from '../../../../core/src/host/node/browser-main.js';

describe('parseSize', () => {
  it('reads bytes and units', () => {
    expect(parseSize('--max-upload', '1048576')).toBe(1048576);
    expect(parseSize('--max-upload', '500MB')).toBe(500e6);
    expect(parseSize('--max-upload', '2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('--max-upload', '4g')).toBe(4 * 1024 ** 3);
    expect(parseSize('--max-upload', '1.5 MiB')).toBe(1.5 * 1024 ** 2);
  });

  it('refuses anything else, naming the option', () => {
    for (const bad of ['', '0', '-1', 'lots', '2XB', '1e99'])
      expect(() => parseSize('--max-upload', bad)).toThrow(
        `--max-upload: expected a size such as 500MB or 2GiB, got '${bad}'`,
      );
  });
});
