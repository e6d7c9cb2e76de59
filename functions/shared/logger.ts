/**
 * The one structured JSON logger. Events are never logged (they hold tokens and passwords): the
 * request middleware logs method, route, status and duration only.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'lambase' });
