import { describe, expect, it } from 'vitest';
import { decide, isAccessRule, mayAccess, type AccessRule, type Caller } from '../../../functions/core/config/access-rules.js';

const owner: Caller = { userId: 'owner', groups: [] };
const other: Caller = { userId: 'other', groups: [] };
const editor: Caller = { userId: 'editor', groups: ['editors'] };
const admin: Caller = { userId: 'admin', groups: ['admin'] };

describe('access rules', () => {
  it.each<[AccessRule[], Caller | undefined, boolean]>([
    [['public'], undefined, true],
    [['authenticated'], undefined, false],
    [['authenticated'], other, true],
    [['owner'], owner, true],
    [['owner'], other, false],
    [['owner'], undefined, false],
    [['group:editors'], editor, true],
    [['group:editors'], other, false],
    [['owner', 'group:editors'], editor, true],
    [['owner', 'group:editors'], other, false],
    [['owner'], admin, true],
    [['group:editors'], admin, true],
  ])('%j for %j on a document of "owner" → %s', (rules, caller, allowed) => {
    expect(mayAccess(rules, caller, 'admin', 'owner')).toBe(allowed);
  });

  it('tells list queries whether they must stay in the caller\'s own partition', () => {
    expect(decide(['owner'], other, 'admin')).toBe('owner-only');
    expect(decide(['owner', 'group:editors'], editor, 'admin')).toBe('allow');
    expect(decide(['group:editors'], other, 'admin')).toBe('deny');
  });

  it('recognises well-formed rules only', () => {
    expect(['public', 'authenticated', 'owner', 'group:admin'].every(isAccessRule)).toBe(true);
    expect(['everyone', 'group:', 'Owner', 'group: x'].some(isAccessRule)).toBe(false);
  });
});
