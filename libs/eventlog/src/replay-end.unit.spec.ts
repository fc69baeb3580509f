import { replayIsEmpty, replayStep } from './replay-end';

describe('where a replay bounded to the log’s end as it began ends', () => {
  it('reads on while the server says messages are pending past this one, short of the last sequence', () => {
    expect(replayStep({ seq: 10, pending: 6 }, 1, { lastSeq: 17, count: 7 })).toBe('more');
  });

  it('ends with the message at the stream’s last sequence', () => {
    expect(replayStep({ seq: 17, pending: 3 }, 8, { lastSeq: 17 })).toBe('last');
  });

  it('ends with a message nothing is pending past, though the last sequence (deleted) is above it', () => {
    expect(replayStep({ seq: 16, pending: 0 }, 7, { lastSeq: 17, count: 7 })).toBe('last');
  });

  it('ends without a message appended after it began, past a deleted last sequence', () => {
    expect(replayStep({ seq: 18, pending: 2 }, 8, { lastSeq: 17 })).toBe('beyond');
  });

  it('ends after as many messages as its consumer had to deliver when created', () => {
    expect(replayStep({ seq: 12, pending: 4 }, 3, { count: 3 })).toBe('last');
    expect(replayStep({ seq: 11, pending: 4 }, 2, { count: 3 })).toBe('more');
  });

  it('is empty when its consumer had nothing to deliver or it starts past the last sequence', () => {
    expect(replayIsEmpty(17, { lastSeq: 17, count: 0 })).toBe(true);
    expect(replayIsEmpty(18, { lastSeq: 17 })).toBe(true);
    expect(replayIsEmpty(17, { lastSeq: 17, count: 1 })).toBe(false);
    expect(replayIsEmpty(1, {})).toBe(false);
  });
});
