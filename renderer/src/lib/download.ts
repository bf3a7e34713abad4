/** Saving bytes from the page: through the shell's save dialog, or as a browser download. */
import type { SaveResult } from '@samfire/core/api';

/** Starts a browser download of bytes (browser mode has no save dialog). */
export function downloadBytes(
  name: string,
  bytes: Uint8Array,
  type = 'application/octet-stream',
): void {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const url = URL.createObjectURL(new Blob([copy.buffer], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Finishes a save: downloads when the shell asks for it; returns where it went (null: cancelled). */
export function completeSave(result: SaveResult): string | null {
  if (result.kind === 'cancelled') return null;
  if (result.kind === 'download') {
    downloadBytes(result.name, result.bytes);
    return `${result.name} (downloaded)`;
  }
  return result.path;
}
