/** View state on its own: the theme and the confirm dialog. */
import { describe, expect, it } from 'vitest';
import { Ui } from '../../../renderer/src/lib/state/ui.svelte.js';

describe('Ui', () => {
  it('dark follows the theme chosen', () => {
    const ui = new Ui();
    expect(ui.dark).toBe(false);
    ui.theme = 'dark';
    expect(ui.dark).toBe(true);
    ui.theme = 'light';
    expect(ui.dark).toBe(false);
  });

  it('confirm resolves with the answer; a second question cancels the first', async () => {
    const ui = new Ui();
    const first = ui.confirm('Unsaved results', 'Lose them?');
    expect(ui.confirmRequest?.title).toBe('Unsaved results');
    const second = ui.confirm('Resume?', 'Go on?', 'Resume', 'Discard');
    expect(await first).toBe(false);
    expect(ui.confirmRequest).toMatchObject({ confirm: 'Resume', cancel: 'Discard' });
    ui.confirmRequest?.resolve(true);
    expect(await second).toBe(true);
    expect(ui.confirmRequest).toBeNull();
  });
});
