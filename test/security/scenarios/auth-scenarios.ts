/**
 * The auth routes in the authorization matrix (docs/api/auth.md).
 *
 * - Public routes take no identity: every caller, token or not, gets the same answer.
 * - The caller's own account (`/me`, sign-out) acts on the caller alone: 401 without a token,
 *   the caller's own data with one. Routes that end sessions or the account run on a throwaway
 *   user of each caller's, so the suite's callers stay signed in.
 * - Administration: 403 for anyone outside the admin group, whatever the target; a refused call
 *   leaves the target as it was.
 */
import { expect } from 'vitest';
import { send } from '../harness/http.js';
import { enabledState, groupsOf, targetUser, unconfirmedUser, userWithTemporaryPassword } from '../harness/pool.js';
import { codeFromOutbox, PASSWORD, throwawayUser, uniqueEmail, type World } from '../harness/world.js';
import { adminOnly, everyone, signedIn, type FeatureScenarios, type ObjectUnderTest, type ScenarioContext, type ScenarioRequest } from './scenario-types.js';

/** The caller's own token, or — for routes that end sessions or the account — a throwaway user's. */
async function ownThrowawayToken({ world, caller }: ScenarioContext): Promise<string | undefined> {
  return caller === 'anonymous' ? undefined : (await throwawayUser(world, `own-${caller}`)).accessToken;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** An admin route's target: a user made for the call, named by its id. */
const target = (options: { group?: boolean; disabled?: boolean } = {}) =>
  async (world: World): Promise<ObjectUnderTest> => {
    const user = await targetUser(world, { group: options.group ? world.memberGroup : undefined, disabled: options.disabled });
    return { params: { userId: user.userId }, ownerId: user.userId, email: user.email };
  };

const groupParams = ({ world }: ScenarioContext, object: ObjectUnderTest | undefined): ScenarioRequest => ({
  params: { userId: object!.params.userId!, group: world.memberGroup },
});

export const authScenarios: FeatureScenarios = {
  signUp: [
    { name: 'a new email', request: () => ({ body: { email: uniqueEmail('sign-up'), password: PASSWORD } }), expect: everyone(201) },
  ],
  confirmSignUp: [
    {
      name: 'the emailed code',
      object: async (world) => {
        const user = await unconfirmedUser(world);
        return { params: {}, ownerId: user.userId, email: user.email };
      },
      request: async ({ world }, object) => ({ body: { email: object!.email, code: await codeFromOutbox(world.url, object!.email as string) } }),
      expect: everyone(204),
    },
  ],
  resendConfirmation: [{ name: 'any email', request: () => ({ body: { email: uniqueEmail('resend') } }), expect: everyone(202) }],
  signIn: [
    {
      name: 'the owner\'s email and password',
      request: ({ world }) => ({ body: { email: world.users.owner.email, password: world.users.owner.password } }),
      expect: everyone(200),
    },
  ],
  respondToChallenge: [
    {
      name: 'a new password for an invited user',
      object: async (world) => {
        const invited = await userWithTemporaryPassword(world);
        return { params: {}, ownerId: invited.email, ...invited };
      },
      request: (_context, object) => ({ body: { email: object!.email, session: object!.session, newPassword: `${PASSWORD}-new` } }),
      expect: everyone(200),
    },
  ],
  refreshTokens: [
    {
      name: 'the owner\'s refresh token',
      request: ({ world }) => ({ body: { refreshToken: world.users.owner.refreshToken } }),
      expect: everyone(200),
    },
  ],
  forgotPassword: [{ name: 'any email', request: () => ({ body: { email: uniqueEmail('forgot') } }), expect: everyone(202) }],
  resetPassword: [
    {
      name: 'the emailed reset code',
      object: async (world) => {
        const user = await throwawayUser(world, 'reset');
        const asked = await send(world.url, { method: 'POST', path: '/auth/forgot-password', body: { email: user.email } });
        expect(asked.status).toBe(202);
        return { params: {}, ownerId: user.userId, email: user.email };
      },
      request: async ({ world }, object) => ({
        body: { email: object!.email, code: await codeFromOutbox(world.url, object!.email as string), newPassword: `${PASSWORD}-reset` },
      }),
      expect: everyone(204),
    },
  ],

  signOut: [{ name: 'a throwaway user of the caller\'s', request: async (context) => ({ token: await ownThrowawayToken(context) }), expect: signedIn(204) }],
  getMe: [
    {
      name: 'the caller\'s profile',
      request: () => ({}),
      expect: signedIn(200),
      verify: ({ world, caller }, _object, response) => {
        if (caller !== 'anonymous') expect(response.json).toMatchObject({ userId: world.users[caller].userId });
      },
    },
  ],
  updateMe: [
    {
      name: 'the caller\'s name',
      request: ({ caller }) => ({ body: { name: `Security ${caller}` } }),
      expect: signedIn(200),
      verify: ({ world, caller }, _object, response) => {
        if (caller !== 'anonymous') expect(response.json).toMatchObject({ userId: world.users[caller].userId, name: `Security ${caller}` });
      },
    },
  ],
  changePassword: [
    {
      name: 'a throwaway user of the caller\'s',
      request: async (context) => ({ token: await ownThrowawayToken(context), body: { currentPassword: PASSWORD, newPassword: `${PASSWORD}-changed` } }),
      expect: signedIn(204),
    },
  ],
  exportMe: [
    {
      name: 'everything the caller owns',
      request: () => ({}),
      expect: signedIn(200),
      verify: ({ world, caller }, _object, response) => {
        if (caller === 'anonymous') return;
        const exported = response.json as { profile: { userId: string }; documents: { owner: string }[] };
        expect(exported.profile.userId).toBe(world.users[caller].userId);
        expect(exported.documents.every((document) => document.owner === world.users[caller].userId)).toBe(true);
      },
    },
  ],
  deleteMe: [{ name: 'a throwaway user of the caller\'s', request: async (context) => ({ token: await ownThrowawayToken(context) }), expect: signedIn(204) }],

  listUsers: [{ name: 'the first page', request: () => ({}), expect: adminOnly(200) }],
  addUserToGroup: [
    {
      name: 'a user into a group',
      object: target(),
      request: groupParams,
      expect: adminOnly(204),
      verify: async ({ world }, object, response) => {
        expect(await groupsOf(world, object!.email as string)).toEqual(is2xx(response.status) ? [world.memberGroup] : []);
      },
    },
  ],
  removeUserFromGroup: [
    {
      name: 'a user out of a group',
      object: target({ group: true }),
      request: groupParams,
      expect: adminOnly(204),
      verify: async ({ world }, object, response) => {
        expect(await groupsOf(world, object!.email as string)).toEqual(is2xx(response.status) ? [] : [world.memberGroup]);
      },
    },
  ],
  disableUser: [
    {
      name: 'an enabled user',
      object: target(),
      request: (_context, object) => ({ params: object!.params }),
      expect: adminOnly(204),
      verify: async ({ world }, object, response) => {
        expect(await enabledState(world, object!.email as string)).toBe(!is2xx(response.status));
      },
    },
  ],
  enableUser: [
    {
      name: 'a disabled user',
      object: target({ disabled: true }),
      request: (_context, object) => ({ params: object!.params }),
      expect: adminOnly(204),
      verify: async ({ world }, object, response) => {
        expect(await enabledState(world, object!.email as string)).toBe(is2xx(response.status));
      },
    },
  ],
};

