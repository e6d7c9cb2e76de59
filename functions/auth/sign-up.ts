import { signUpOperation } from '../contract/auth.js';
import { signUp } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { clientContextOf } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(signUpOperation, async ({ body, event }) => created(await signUp(flows, body, clientContextOf(event))));
