import { describe, expect, it } from 'vitest';
import { Ui } from '../../../renderer/src/lib/state/ui.svelte.js';

describe('Ui', () => {
  it('dark follows the theme', () => {
    const ui = new Ui();
    expect(ui.dark).toBe(false);
    ui.theme = 'dark';
    expect(ui.dark).toBe(true);
  });
});
