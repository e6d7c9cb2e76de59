/**
 * A verified access token is remembered until it expires (its next checks cost no RSA
 * verification and no key fetch), and not a moment longer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccessTokenVerifier, rememberedUntilExpiry } from '../../../functions/adapters/access-token-verifier.js';

const userPoolId = 'us-east-1_TestPool1';
const clientId = 'test-client';
let server: http.Server;
let endpoint: string;
let fetches = 0;
let sign: (expiresAtSeconds: number) => Promise<string>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = http.createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sign = (exp) =>
    new SignJWT({ token_use: 'access', client_id: clientId, sub: 'user-1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(`https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`)
      .setIssuedAt(exp - 3600)
      .setExpirationTime(exp)
      .sign(privateKey);
});
afterAll(() => {
  vi.useRealTimers();
  server.close();
});

describe('the access-token verifier', () => {
  it('verifies each token once until it expires; a failure is not remembered; the oldest token goes first', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const checked: string[] = [];
    const verifier = rememberedUntilExpiry(
      {
        async verify(token) {
          checked.push(token);
          if (token === 'bad') throw new Error('invalid signature');
          return { sub: token, exp };
        },
      },
      2,
    );
    await verifier.verify('a');
    await verifier.verify('a');
    await expect(verifier.verify('bad')).rejects.toThrow('invalid signature');
    await expect(verifier.verify('bad')).rejects.toThrow('invalid signature');
    await verifier.verify('b');
    await verifier.verify('c'); // two kept: "a" goes
    await verifier.verify('c');
    await verifier.verify('a');
    expect(checked).toEqual(['a', 'bad', 'bad', 'b', 'c', 'a']);
    vi.setSystemTime((exp + 1) * 1000);
    await verifier.verify('a');
    expect(checked.at(-1)).toBe('a');
    expect(checked).toHaveLength(7);
  });

  it('(with Cognito-shaped tokens) trusts a verified one until it expires, then refuses it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') });
    const now = Math.floor(Date.now() / 1000);
    const verifier = createAccessTokenVerifier({ userPoolId, clientId, cognitoEndpoint: endpoint });
    const token = await sign(now + 60);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    expect(fetches).toBe(1);
    vi.setSystemTime((now + 61) * 1000);
    await expect(verifier.verify(token)).rejects.toThrow(/expired/i);
  });
});
