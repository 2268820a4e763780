import { alignDown, alignUp, intersect, isCovered, mergeSpans, slots, splitAt, subtractSpans } from './coverage-math';

const H = 3600;

describe('coverage arithmetic', () => {
  it('aligns to the step', () => {
    expect(alignDown(7201, H)).toBe(7200);
    expect(alignUp(7201, H)).toBe(10800);
    expect(alignUp(7200, H)).toBe(7200);
  });

  it('counts inclusive slots', () => {
    expect(slots({ from: 0, to: 0 }, H)).toBe(1);
    expect(slots({ from: 0, to: 10 * H }, H)).toBe(11);
    expect(slots({ from: H, to: 0 }, H)).toBe(0);
  });

  it('merges overlapping and touching spans, keeps separated ones apart', () => {
    expect(
      mergeSpans(
        [
          { from: 10 * H, to: 12 * H },
          { from: 0, to: 3 * H },
          { from: 4 * H, to: 5 * H }, // touches [0, 3H]
          { from: 11 * H, to: 20 * H }, // overlaps
          { from: 7 * H, to: 8 * H }, // one slot apart from 5H: a gap at 6H
        ],
        H,
      ),
    ).toEqual([
      { from: 0, to: 5 * H },
      { from: 7 * H, to: 8 * H },
      { from: 10 * H, to: 20 * H },
    ]);
  });

  it('subtracts coverage from a window', () => {
    const window = { from: 0, to: 20 * H };
    expect(subtractSpans(window, [], H)).toEqual([window]);
    expect(subtractSpans(window, [{ from: 0, to: 20 * H }], H)).toEqual([]);
    expect(
      subtractSpans(
        window,
        [
          { from: 2 * H, to: 5 * H },
          { from: 6 * H, to: 9 * H }, // touching: no gap between 5H and 6H
          { from: 15 * H, to: 30 * H },
        ],
        H,
      ),
    ).toEqual([
      { from: 0, to: H },
      { from: 10 * H, to: 14 * H },
    ]);
    expect(subtractSpans({ from: 5 * H, to: 6 * H }, [{ from: 0, to: 2 * H }], H)).toEqual([
      { from: 5 * H, to: 6 * H },
    ]);
    expect(subtractSpans({ from: 5 * H, to: 4 * H }, [], H)).toEqual([]);
  });

  it('tells whether a span is covered', () => {
    const covered = [
      { from: 0, to: 5 * H },
      { from: 6 * H, to: 9 * H },
    ];
    expect(isCovered({ from: H, to: 9 * H }, covered, H)).toBe(true);
    expect(isCovered({ from: H, to: 10 * H }, covered, H)).toBe(false);
  });

  it('intersects and splits', () => {
    expect(intersect({ from: 0, to: 5 }, { from: 3, to: 9 })).toEqual({ from: 3, to: 5 });
    expect(intersect({ from: 0, to: 2 }, { from: 3, to: 9 })).toBeNull();
    const span = { from: 0, to: 10 * H };
    expect(splitAt(span, 4 * H, H)).toEqual({ before: { from: 0, to: 3 * H }, after: { from: 4 * H, to: 10 * H } });
    expect(splitAt(span, 0, H)).toEqual({ before: null, after: span });
    expect(splitAt(span, 11 * H, H)).toEqual({ before: span, after: null });
  });
});
