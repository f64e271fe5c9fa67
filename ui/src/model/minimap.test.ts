import { describe, expect, it } from 'vitest';
import { scaleWindow, shiftWindow, windowForKey, type TimeWindow } from './minimap.js';

describe('shiftWindow', () => {
  it.each([
    ['inside', [100, 200], 50, [150, 250]],
    ['clamped at the end', [800, 900], 500, [900, 1000]],
    ['clamped at the start', [100, 200], -500, [0, 100]],
    ['whole trace stays put', [0, 1000], 300, [0, 1000]],
  ] as const)('%s', (_name, w, delta, out) => expect(shiftWindow([...w] as TimeWindow, delta, 1000)).toEqual(out));
});

describe('scaleWindow', () => {
  it.each([
    ['zoom in about the centre', [400, 600], 0.5, [450, 550]],
    ['zoom out about the centre', [400, 600], 2, [300, 700]],
    ['zoom out past an edge slides inside', [0, 200], 2, [0, 400]],
    ['zoom out past the whole trace', [0, 800], 4, [0, 1000]],
    ['zoom in stops at the minimum width', [500, 500.2], 0.5, [500, 500.2]],
  ] as const)('%s', (_name, w, factor, out) => {
    const got = scaleWindow([...w] as TimeWindow, factor, 1000, 0.2);
    expect(got[0]).toBeCloseTo(out[0], 9);
    expect(got[1]).toBeCloseTo(out[1], 9);
  });
});

describe('windowForKey', () => {
  it.each([
    ['right arrow: a tenth', 'ArrowRight', false, [200, 300], [210, 310]],
    ['left arrow: a tenth', 'ArrowLeft', false, [200, 300], [190, 290]],
    ['shift right: a width', 'ArrowRight', true, [200, 300], [300, 400]],
    ['shift left: a width', 'ArrowLeft', true, [200, 300], [100, 200]],
    ['home', 'Home', false, [200, 300], [0, 100]],
    ['end', 'End', false, [200, 300], [900, 1000]],
    ['plus zooms in', '+', false, [200, 300], [225, 275]],
    ['minus zooms out', '-', false, [200, 300], [150, 350]],
    ['zero shows all', '0', false, [200, 300], [0, 1000]],
    ['other keys', 'a', false, [200, 300], undefined],
  ] as const)('%s', (_name, key, shift, w, out) => expect(windowForKey(key, shift, [...w] as TimeWindow, 1000)).toEqual(out));
});
