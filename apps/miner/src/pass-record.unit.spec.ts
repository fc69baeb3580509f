import { passWorthRecording } from './pass-record';

const nothing = new Map<string, number>();

describe('passWorthRecording', () => {
  it('records the first pass, and any pass that appended an event', () => {
    expect(passWorthRecording({ readThroughSeq: 0, appended: nothing }, undefined)).toBe(true);
    expect(passWorthRecording({ readThroughSeq: 10, appended: new Map([['rule.proposed', 1]]) }, { seq: 11, readThroughSeq: 10 })).toBe(true);
  });

  it('skips a pass that appended nothing and read nothing new but the last record', () => {
    expect(passWorthRecording({ readThroughSeq: 11, appended: nothing }, { seq: 11, readThroughSeq: 10 })).toBe(false);
    expect(passWorthRecording({ readThroughSeq: 10, appended: new Map([['rule.proposed', 0]]) }, { seq: 11, readThroughSeq: 10 })).toBe(false);
  });

  it('records a pass that read events stored while the last one ran', () => {
    // a run ended at 11 while the last pass ran; its record is 12
    expect(passWorthRecording({ readThroughSeq: 12, appended: nothing }, { seq: 12, readThroughSeq: 10 })).toBe(true);
    expect(passWorthRecording({ readThroughSeq: 13, appended: nothing }, { seq: 11, readThroughSeq: 10 })).toBe(true);
  });
});
