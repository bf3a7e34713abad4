/** The recent files list, kept in userData/recent.json and given to the OS (jump list, dock menu). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import { writeFileAtomic } from '@samfire/core/node';
import { RecentList } from '@samfire/core/host';

export function loadRecent(onChange: () => void): RecentList {
  const file = join(app.getPath('userData'), 'recent.json');
  let paths: string[] = [];
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(value)) paths = value.filter((p): p is string => typeof p === 'string');
  } catch {
    // No list yet, or an unreadable one: start empty.
  }
  return new RecentList(paths, 10, (list) => {
    if (list[0]) app.addRecentDocument(list[0]);
    void writeFileAtomic(file, JSON.stringify(list)).catch(() => undefined);
    onChange();
  });
}
