import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeGeometry, geometryFilters } from './sizing.js';

const size = (w: number, h: number, s: Parameters<typeof computeGeometry>[2]) => {
  const g = computeGeometry(w, h, s);
  return [g.width, g.height];
};

describe('Elastic Transcoder sizing policies', () => {
  it('ShrinkToFit shrinks into the box and never enlarges', () => {
    assert.deepEqual(size(1920, 1080, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'ShrinkToFit' }), [1280, 720]);
    assert.deepEqual(size(1920, 1080, { maxWidth: '854', maxHeight: '480', sizingPolicy: 'ShrinkToFit' }), [854, 480]);
    assert.deepEqual(size(640, 360, { maxWidth: '1920', maxHeight: '1080', sizingPolicy: 'ShrinkToFit' }), [640, 360]);
    assert.deepEqual(size(640, 360, { maxWidth: '400', maxHeight: '288', sizingPolicy: 'ShrinkToFit' }), [400, 226]);
    assert.deepEqual(size(1080, 1920, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'ShrinkToFit' }), [406, 720]);
  });

  it('Fit enlarges or shrinks until one side meets its maximum', () => {
    assert.deepEqual(size(640, 360, { maxWidth: '1280', maxHeight: '1280', sizingPolicy: 'Fit' }), [1280, 720]);
    assert.deepEqual(size(640, 480, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'Fit' }), [960, 720]);
  });

  it('Fill covers the box and crops the excess; ShrinkToFill does the same without enlarging', () => {
    const fill = computeGeometry(640, 480, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'Fill' });
    assert.deepEqual([fill.scaledWidth, fill.scaledHeight, fill.width, fill.height], [1280, 960, 1280, 720]);
    assert.deepEqual(geometryFilters(fill, 640, 480), ['scale=1280:960', 'crop=1280:720', 'setsar=1']);
    assert.deepEqual(size(1920, 1440, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'ShrinkToFill' }), [1280, 720]);
    assert.deepEqual(size(640, 480, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'ShrinkToFill' }), [640, 480]);
  });

  it('Stretch distorts to the box; Keep crops without scaling', () => {
    assert.deepEqual(size(640, 480, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'Stretch' }), [1280, 720]);
    assert.deepEqual(size(1920, 1080, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'Keep' }), [1280, 720]);
    assert.deepEqual(size(640, 360, { maxWidth: '1280', maxHeight: '720', sizingPolicy: 'Keep' }), [640, 360]);
  });

  it('Pad adds centered bars up to the box; auto maxima are 1920x1080; Resolution is exact', () => {
    const padded = computeGeometry(640, 360, { maxWidth: '480', maxHeight: '480', sizingPolicy: 'Fit', paddingPolicy: 'Pad' });
    assert.deepEqual([padded.contentWidth, padded.contentHeight, padded.width, padded.height], [480, 270, 480, 480]);
    assert.deepEqual(geometryFilters(padded, 640, 360), ['scale=480:270', 'pad=480:480:(ow-iw)/2:(oh-ih)/2:black', 'setsar=1']);
    assert.deepEqual(size(3840, 2160, { maxWidth: 'auto', maxHeight: 'auto', sizingPolicy: 'ShrinkToFit' }), [1920, 1080]);
    assert.deepEqual(size(3840, 2160, { resolution: '640x480' }), [640, 480]);
  });
});
