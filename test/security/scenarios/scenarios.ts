/**
 * Every feature's scenario table, by operationId. A feature that adds routes adds its table here
 * (test/security/scenarios/<feature>-scenarios.ts); the matrix fails for any route without one.
 */
import { authScenarios } from './auth-scenarios.js';
import { dataScenarios } from './data-scenarios.js';
import { geoScenarios } from './geo-scenarios.js';
import { everyone, type FeatureScenarios } from './scenario-types.js';
import { pushScenarios } from './push-scenarios.js';
import { storageScenarios } from './storage-scenarios.js';

const systemScenarios: FeatureScenarios = {
  getOpenApi: [{ name: 'the document', request: () => ({}), expect: everyone(200) }],
};

export const scenarios: FeatureScenarios = { ...systemScenarios, ...authScenarios, ...dataScenarios, ...storageScenarios, ...pushScenarios, ...geoScenarios };
