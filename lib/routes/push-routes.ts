/**
 * The push feature's section of the route table (lib/routes.ts): devices, topics, sending and the
 * inbox, each route with exactly the table access and SNS actions its function uses.
 */
import * as push from '../../functions/contract/push.js';
import { grants } from '../grants.js';
import type { RouteDefinition } from '../route-types.js';

export const pushRoutes: readonly RouteDefinition[] = [
  {
    // Reads the device and the caller's follows; writes the device and its subscriptions; moves a
    // token's subscriptions away from its previous owner.
    operation: push.registerDeviceOperation,
    handler: 'functions/push/register-device.ts',
    grants: [grants.tableReadWrite, grants.push('CreatePlatformEndpoint', 'GetEndpointAttributes', 'SetEndpointAttributes', 'Subscribe', 'Unsubscribe')],
  },
  { operation: push.listDevicesOperation, handler: 'functions/push/list-devices.ts', grants: [grants.tableRead, grants.cursorKey] },
  {
    operation: push.deleteDeviceOperation,
    handler: 'functions/push/delete-device.ts',
    grants: [grants.tableReadWrite, grants.push('Unsubscribe', 'DeleteEndpoint')],
  },
  { operation: push.followTopicOperation, handler: 'functions/push/follow-topic.ts', grants: [grants.tableReadWrite, grants.push('Subscribe')] },
  { operation: push.unfollowTopicOperation, handler: 'functions/push/unfollow-topic.ts', grants: [grants.tableReadWrite, grants.push('Unsubscribe')] },
  {
    // Reads recipients' devices and a topic's followers, writes inboxes (and Idempotency-Key
    // records); removes the devices SNS reports gone. The fan-out is bounded (ARCHITECTURE.md,
    // "Push"): 10,000 devices fit well inside API Gateway's 29 s.
    operation: push.sendNotificationOperation,
    handler: 'functions/push/send-notification.ts',
    grants: [grants.tableReadWrite, grants.push('Publish', 'Unsubscribe', 'DeleteEndpoint')],
    timeoutSeconds: 29,
    memoryMb: 1024,
  },
  { operation: push.listNotificationsOperation, handler: 'functions/push/list-notifications.ts', grants: [grants.tableRead, grants.cursorKey] },
  { operation: push.markNotificationReadOperation, handler: 'functions/push/mark-notification-read.ts', grants: [grants.tableWrite] },
];
