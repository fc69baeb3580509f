import { acquireOrRenew, isExpired, releaseLease as release } from './lease-decision';

const TTL = 10_000;

describe('the lease decision', () => {
  it('gives a lease nobody holds to the first contender, with an expiry one TTL away', () => {
    expect(acquireOrRenew(undefined, 'a', 1_000, TTL)).toEqual({ kind: 'write', next: { holder: 'a', expiresAt: 11_000 } });
  });

  it("refuses another holder's live lease, naming its holder and expiry", () => {
    expect(acquireOrRenew({ holder: 'a', expiresAt: 11_000 }, 'b', 10_999, TTL)).toEqual({ kind: 'refused', holder: 'a', expiresAt: 11_000 });
  });

  it('renews the holder its own lease, pushing the expiry out', () => {
    expect(acquireOrRenew({ holder: 'a', expiresAt: 11_000 }, 'a', 5_000, TTL)).toEqual({ kind: 'write', next: { holder: 'a', expiresAt: 15_000 } });
  });

  it('lets another contender take a lease whose holder stopped renewing once its expiry has come', () => {
    expect(isExpired({ holder: 'a', expiresAt: 11_000 }, 11_000)).toBe(true);
    expect(isExpired({ holder: 'a', expiresAt: 11_000 }, 10_999)).toBe(false);
    expect(acquireOrRenew({ holder: 'a', expiresAt: 11_000 }, 'b', 11_000, TTL)).toEqual({ kind: 'write', next: { holder: 'b', expiresAt: 21_000 } });
  });

  it('releases only the holder its own lease, once, so the next contender gets in at once', () => {
    const released = release({ holder: 'a', expiresAt: 11_000 }, 'a');
    expect(released).toEqual({ holder: 'a', expiresAt: 0 });
    expect(release(released, 'a')).toBeUndefined();
    expect(release({ holder: 'a', expiresAt: 11_000 }, 'b')).toBeUndefined();
    expect(release(undefined, 'a')).toBeUndefined();
    expect(acquireOrRenew(released, 'b', 5_000, TTL)).toMatchObject({ kind: 'write', next: { holder: 'b' } });
  });
});
