import { lastHeld } from './last-held';

describe('the last sequence a stream holds', () => {
  it('is its last sequence when nothing at the tail was deleted', () => {
    expect(lastHeld({ messages: 16, first_seq: 1, last_seq: 16, deleted: [3] })).toBe(16);
  });

  it('steps back over deleted messages at the tail', () => {
    expect(lastHeld({ messages: 13, first_seq: 1, last_seq: 16, deleted: [14, 16, 15] })).toBe(13);
  });

  it('is 0 for an empty stream, purged or never written', () => {
    expect(lastHeld({ messages: 0, first_seq: 17, last_seq: 16 })).toBe(0);
    expect(lastHeld({ messages: 0, first_seq: 0, last_seq: 0 })).toBe(0);
  });
});
