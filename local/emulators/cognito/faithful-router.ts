/**
 * cognito-local's router with the corrections of this layer in front: an action named in the
 * tables below answers its x-amz-target, calling cognito-local's own target (`next`) when it
 * wants to. The tables cover the calls Lambase makes (functions/adapters, ensureUser) and no
 * others; every other target goes straight to cognito-local, uncorrected. Errors cognito-local
 * raises are reworded as Cognito words them.
 */
import { Router, type Route } from 'cognito-local/lib/server/Router.js';
import { authActions } from './auth-actions.js';
import { inCognitoWords } from './cognito-errors.js';
import { codeActions } from './code-actions.js';
import type { Action, Layer } from './layer.js';
import { userAdminActions } from './user-admin-actions.js';

const ACTIONS: Record<string, Action> = { ...authActions, ...codeActions, ...userAdminActions };

export function faithfulRouter(layer: Layer): (target: string) => Route {
  const cognitoLocal = Router(layer.services);
  return (target) => {
    const original = cognitoLocal(target);
    const next: Route = (ctx, req) => original(ctx, req).catch((error: unknown) => Promise.reject(inCognitoWords(error)));
    const action = ACTIONS[target];
    if (!action) return next;
    return (ctx, req) => action(layer, ctx, (req ?? {}) as Record<string, unknown>, next);
  };
}
