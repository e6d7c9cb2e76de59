/**
 * Every feature's scenario table, by operationId. A feature that adds routes adds its table here
 * (test/security/scenarios/<feature>-scenarios.ts); the matrix fails for any route without one.
 * The user's own HTTP functions have theirs generated from the config (function-scenarios.ts).
 */
import { authScenarios } from './auth-scenarios.js';
import { dataScenarios } from './data-scenarios.js';
import { functionScenarios } from './function-scenarios.js';
import { geoScenarios } from './geo-scenarios.js';
import { everyone, type FeatureScenarios } from './scenario-types.js';
import { pushScenarios } from './push-scenarios.js';
import { storageScenarios } from './storage-scenarios.js';
import { worldBackend } from '../harness/security-backend.js';
import { MEMBER_GROUP } from '../harness/world.js';

const systemScenarios: FeatureScenarios = {
  getOpenApi: [{ name: 'the document', request: () => ({}), expect: everyone(200) }],
};

export const scenarios: FeatureScenarios = { ...systemScenarios, ...authScenarios, ...dataScenarios, ...storageScenarios, ...pushScenarios, ...geoScenarios, ...functionScenarios(worldBackend, MEMBER_GROUP) };
