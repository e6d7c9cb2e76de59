/**
 * `UserDirectory` over Cognito's administrative API (IAM: exactly the Admin* / ListUsers actions
 * each route's grants name). Users are named by `sub`, which Cognito accepts as the username.
 */
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  ListUsersCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { NotFoundError } from '../core/errors.js';
import type { DirectoryUser, UserDirectory } from '../core/auth/ports.js';
import { callCognito, type CognitoErrorOverrides } from './cognito-errors.js';

/** Cognito's largest ListUsers and AdminListGroupsForUser page. */
const MAX_COGNITO_PAGE = 60;

const noSuchGroup: CognitoErrorOverrides = {
  ResourceNotFoundException: (error) => new NotFoundError('No such group.', { cause: error }),
};

export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async findUser(userId: string): Promise<DirectoryUser | undefined> {
    try {
      const user = await callCognito(() => this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: userId })));
      return directoryUser({ Username: user.Username, Attributes: user.UserAttributes, Enabled: user.Enabled, UserCreateDate: user.UserCreateDate });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async groupsOf(userId: string): Promise<string[]> {
    const groups: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await callCognito(() =>
        this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: userId, Limit: MAX_COGNITO_PAGE, NextToken })),
      );
      groups.push(...(page.Groups ?? []).flatMap((group) => (group.GroupName ? [group.GroupName] : [])));
      NextToken = page.NextToken;
    } while (NextToken);
    return groups.sort();
  }

  async setName(userId: string, name: string | undefined): Promise<void> {
    // Cognito removes an attribute that is set to the empty string.
    await callCognito(() =>
      this.client.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: this.userPoolId, Username: userId, UserAttributes: [{ Name: 'name', Value: name ?? '' }] }),
      ),
    );
  }

  async deleteUser(userId: string): Promise<void> {
    await callCognito(() => this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: userId })));
  }

  async listUsers(page: { limit: number; token?: string }): Promise<{ users: DirectoryUser[]; nextToken?: string }> {
    const users: DirectoryUser[] = [];
    let token = page.token;
    // Cognito pages hold 60 users at most: ask for exactly what is missing until the page is full.
    do {
      const listed = await callCognito(() =>
        this.client.send(
          new ListUsersCommand({ UserPoolId: this.userPoolId, Limit: Math.min(page.limit - users.length, MAX_COGNITO_PAGE), PaginationToken: token }),
        ),
      );
      users.push(...(listed.Users ?? []).map(directoryUser));
      token = listed.PaginationToken;
    } while (token && users.length < page.limit);
    return { users, ...(token ? { nextToken: token } : {}) };
  }

  async addToGroup(userId: string, group: string): Promise<void> {
    await callCognito(
      () => this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: userId, GroupName: group })),
      noSuchGroup,
    );
  }

  async removeFromGroup(userId: string, group: string): Promise<void> {
    await callCognito(
      () => this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: userId, GroupName: group })),
      noSuchGroup,
    );
  }

  async disable(userId: string): Promise<void> {
    await callCognito(() => this.client.send(new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: userId })));
  }

  async enable(userId: string): Promise<void> {
    await callCognito(() => this.client.send(new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: userId })));
  }
}

type CognitoUser = { Username?: string; Attributes?: AttributeType[]; Enabled?: boolean; UserCreateDate?: Date };

function directoryUser(user: CognitoUser): DirectoryUser {
  const attributes = new Map((user.Attributes ?? []).map((attribute) => [attribute.Name, attribute.Value]));
  const name = attributes.get('name');
  return {
    userId: attributes.get('sub') ?? user.Username ?? '',
    email: attributes.get('email') ?? '',
    emailVerified: attributes.get('email_verified') === 'true',
    ...(name ? { name } : {}),
    enabled: user.Enabled ?? true,
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
  };
}
