import { decideAccess } from './access';

const action = (bearer?: string) => ({ method: 'POST', path: '/api/goals', bearer });
const read = (token?: { bearer?: string; readToken?: string }) => ({ method: 'GET', path: '/api/runs', ...token });

describe('who may read and act on the console', () => {
  it('refuses every action while CONSOLE_TOKEN is unset, saying to set it', () => {
    for (const bearer of [undefined, '', 'anything']) {
      expect(decideAccess(action(bearer), {})).toEqual({ allowed: false, status: 403, message: expect.stringMatching(/set CONSOLE_TOKEN where it runs/) });
    }
  });

  it('allows an action only with the exact token', () => {
    const config = { actionToken: 's3cret' };
    expect(decideAccess(action('s3cret'), config)).toEqual({ allowed: true });
    expect(decideAccess(action(), config)).toMatchObject({ allowed: false, status: 401, message: expect.stringMatching(/needs the console token/) });
    for (const wrong of ['s3cre', 's3cret ', 'S3CRET', 's3cret-longer']) {
      expect(decideAccess(action(wrong), config)).toMatchObject({ allowed: false, status: 401, message: expect.stringMatching(/does not match CONSOLE_TOKEN/) });
    }
  });

  it('does not take a read token from the query or a cookie as an action token', () => {
    expect(decideAccess({ method: 'POST', path: '/api/goals', readToken: 's3cret' }, { actionToken: 's3cret' })).toMatchObject({ allowed: false, status: 401 });
  });

  it('leaves reading open unless CONSOLE_READ_TOKEN is set, then takes it (or the action token) from a header, query or cookie', () => {
    expect(decideAccess(read(), { actionToken: 'a' })).toEqual({ allowed: true });
    const config = { actionToken: 'a', readToken: 'r' };
    expect(decideAccess(read(), config)).toMatchObject({ allowed: false, status: 401, message: expect.stringMatching(/\?token=<CONSOLE_READ_TOKEN>/) });
    expect(decideAccess(read({ bearer: 'x' }), config)).toMatchObject({ allowed: false, status: 401 });
    expect(decideAccess(read({ bearer: 'r' }), config)).toEqual({ allowed: true });
    expect(decideAccess(read({ readToken: 'r' }), config)).toEqual({ allowed: true });
    expect(decideAccess(read({ bearer: 'a' }), config)).toEqual({ allowed: true });
    expect(decideAccess({ method: 'HEAD', path: '/', readToken: 'nope' }, config)).toMatchObject({ allowed: false });
  });

  it('keeps /health and /metrics open whatever the tokens', () => {
    for (const path of ['/health', '/metrics']) expect(decideAccess({ method: 'GET', path }, { actionToken: 'a', readToken: 'r' })).toEqual({ allowed: true });
  });
});
