/** TLSF size -> (first level, second level) at class boundaries (mapping_insert) and with rounding (mapping_search). */
import { describe, expect, it } from "vitest";
import { TLSF_FL_INDEX_COUNT, TLSF_SMALL_BLOCK, tlsfListMinSize, tlsfMapping, tlsfSearchMapping } from "../src/tlsf.js";

describe("tlsf mapping", () => {
  it("small sizes sit in the linear first class, one exact size per list 8 bytes apart", () => {
    expect(TLSF_SMALL_BLOCK).toBe(256);
    expect(tlsfMapping(24)).toEqual([0, 3]);
    expect(tlsfMapping(200)).toEqual([0, 25]);
    expect(tlsfMapping(248)).toEqual([0, 31]);
    expect(tlsfSearchMapping(248)).toEqual([0, 31]); // exact lists: no rounding
  });

  it("the first logarithmic class starts at 256 with 32 lists of 8 bytes", () => {
    expect(tlsfMapping(256)).toEqual([1, 0]);
    expect(tlsfMapping(263)).toEqual([1, 0]);
    expect(tlsfMapping(264)).toEqual([1, 1]);
    expect(tlsfMapping(511)).toEqual([1, 31]);
    expect(tlsfMapping(512)).toEqual([2, 0]);
  });

  it("second level: the five bits after the leading one", () => {
    expect(tlsfMapping(1000)).toEqual([2, 30]); // 0b1111101000: log2 9 -> fl index 2, next five bits 11110
    expect(tlsfMapping(1023)).toEqual([2, 31]);
    expect(tlsfMapping(1024)).toEqual([3, 0]);
    expect(tlsfMapping(4096)).toEqual([5, 0]);
    expect(tlsfMapping(4096 + 127)).toEqual([5, 0]);
    expect(tlsfMapping(4096 + 128)).toEqual([5, 1]);
    expect(tlsfMapping(2 ** 30)).toEqual([TLSF_FL_INDEX_COUNT - 1, 0]);
  });

  it("mapping_search rounds up to the next list unless the size is a list's lower bound", () => {
    expect(tlsfSearchMapping(256)).toEqual([1, 0]);
    expect(tlsfSearchMapping(257)).toEqual([1, 1]);
    expect(tlsfSearchMapping(4096)).toEqual([5, 0]);
    expect(tlsfSearchMapping(4104)).toEqual([5, 1]);
    expect(tlsfSearchMapping(8064)).toEqual([5, 31]); // 8064 = 4096 + 31 * 128: a lower bound
    expect(tlsfSearchMapping(8072)).toEqual([6, 0]); // rounds across the first-level boundary
  });

  it("every size maps to the list whose range holds it, and search lists start at or above the size", () => {
    for (let size = 8; size < 1 << 20; size += size < 4096 ? 8 : 88) {
      const [fl, sl] = tlsfMapping(size);
      const lo = tlsfListMinSize(fl, sl);
      const hi = sl === 31 ? tlsfListMinSize(fl + 1, 0) : tlsfListMinSize(fl, sl + 1);
      expect(lo <= size && size < hi).toBe(true);
      const [sf, ss] = tlsfSearchMapping(size);
      expect(tlsfListMinSize(sf, ss)).toBeGreaterThanOrEqual(size);
      expect(sf * 32 + ss - (fl * 32 + sl)).toBeLessThanOrEqual(1);
    }
  });
});
