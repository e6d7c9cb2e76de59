/**
 * The integration tests' global setup never leaves an emulator running: not when another one fails
 * to start, not when provisioning fails, not after the run.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';

const emulators = vi.hoisted(() => ({
  startDynamoDb: vi.fn(),
  startS3: vi.fn(),
  startCognito: vi.fn(),
  provisionTable: vi.fn(),
}));
vi.mock('../../local/emulators/dynamodb.js', () => ({ startDynamoDb: emulators.startDynamoDb }));
vi.mock('../../local/emulators/s3/start-s3.js', () => ({ startS3: emulators.startS3 }));
vi.mock('../../local/emulators/cognito/start-cognito.js', () => ({ startCognito: emulators.startCognito }));
vi.mock('../../local/provision-table.js', () => ({ provisionTable: emulators.provisionTable }));

const { default: setup } = await import('../setup/emulators-global-setup.js');

const stops = { dynamodb: vi.fn(async () => {}), s3: vi.fn(async () => {}), cognito: vi.fn(async () => {}) };
const project = { provide: vi.fn() } as unknown as TestProject;

beforeEach(() => {
  vi.clearAllMocks();
  emulators.startDynamoDb.mockResolvedValue({ endpoint: 'http://127.0.0.1:1', stop: stops.dynamodb });
  emulators.startS3.mockResolvedValue({ endpoint: 'http://127.0.0.1:2', stop: stops.s3 });
  emulators.startCognito.mockResolvedValue({ endpoint: 'http://127.0.0.1:3', userPoolId: 'pool', userPoolClientId: 'client', stop: stops.cognito });
  emulators.provisionTable.mockResolvedValue('arn:stream');
});

describe('the emulators\' global setup', () => {
  it('stops the emulators that started when another one fails', async () => {
    emulators.startS3.mockRejectedValue(new Error('s3 would not start'));
    await expect(setup(project)).rejects.toThrow('s3 would not start');
    expect(stops.dynamodb).toHaveBeenCalledOnce();
    expect(stops.cognito).toHaveBeenCalledOnce();
  });

  it('stops every emulator when provisioning the table fails', async () => {
    emulators.provisionTable.mockRejectedValue(new Error('no table'));
    await expect(setup(project)).rejects.toThrow('no table');
    expect([stops.dynamodb, stops.s3, stops.cognito].map((stop) => stop.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it('provides the endpoints, and its teardown stops every emulator', async () => {
    const teardown = await setup(project);
    expect(project.provide).toHaveBeenCalledWith('emulators', expect.objectContaining({ dynamodbEndpoint: 'http://127.0.0.1:1', userPoolId: 'pool' }));
    expect(stops.dynamodb).not.toHaveBeenCalled();
    await teardown();
    expect([stops.dynamodb, stops.s3, stops.cognito].map((stop) => stop.mock.calls.length)).toEqual([1, 1, 1]);
  });
});
