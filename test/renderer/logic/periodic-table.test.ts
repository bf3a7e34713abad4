/** The periodic table's layout: every element in its own cell, in the usual places. */
import { describe, expect, it } from 'vitest';
import { tablePosition } from '../../../renderer/src/lib/logic/periodic-table.js';

describe('periodic table layout', () => {
  it('puts the elements where a chemist looks for them', () => {
    expect(tablePosition(1)).toEqual({ row: 1, col: 1 });
    expect(tablePosition(2)).toEqual({ row: 1, col: 18 });
    expect(tablePosition(5)).toEqual({ row: 2, col: 13 }); // B
    expect(tablePosition(13)).toEqual({ row: 3, col: 13 }); // Al
    expect(tablePosition(26)).toEqual({ row: 4, col: 8 }); // Fe
    expect(tablePosition(47)).toEqual({ row: 5, col: 11 }); // Ag
    expect(tablePosition(56)).toEqual({ row: 6, col: 2 }); // Ba
    expect(tablePosition(57)).toEqual({ row: 9, col: 3 }); // La, first lanthanide
    expect(tablePosition(58)).toEqual({ row: 9, col: 4 }); // Ce
    expect(tablePosition(71)).toEqual({ row: 9, col: 17 }); // Lu
    expect(tablePosition(72)).toEqual({ row: 6, col: 4 }); // Hf
    expect(tablePosition(82)).toEqual({ row: 6, col: 14 }); // Pb
    expect(tablePosition(89)).toEqual({ row: 10, col: 3 }); // Ac
    expect(tablePosition(92)).toEqual({ row: 10, col: 6 }); // U
    expect(tablePosition(118)).toEqual({ row: 7, col: 18 }); // Og
  });

  it('gives every element its own cell', () => {
    const cells = new Set<string>();
    for (let z = 1; z <= 118; z++) {
      const { row, col } = tablePosition(z);
      expect(col).toBeGreaterThanOrEqual(1);
      expect(col).toBeLessThanOrEqual(18);
      expect(row).not.toBe(8); // the gap above the f-block
      cells.add(`${row},${col}`);
    }
    expect(cells.size).toBe(118);
    expect(() => tablePosition(0)).toThrow('no element with Z = 0');
  });
});
