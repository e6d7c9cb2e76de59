/**
 * WebSocket API settings shared by the CDK construct and local mode, so both answer alike.
 */

/** The WebSocket API's stage: `wss://<api>.execute-api.<region>.amazonaws.com/realtime`, like local mode's `/realtime`. */
export const REALTIME_STAGE_NAME = 'realtime';

/** Where local mode's gateway accepts WebSocket upgrades. */
export const LOCAL_REALTIME_PATH = '/realtime';
