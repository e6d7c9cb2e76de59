import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/project-root.js';

const outputs = {
  OutputsVersion: '1',
  ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
  Region: 'eu-west-1',
  UserPoolId: 'eu-west-1_AbCdEf123',
  UserPoolClientId: '1example23456789',
  BucketName: 'lambase-dev-storagefiles-1abc',
};

function run(file: object, args: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambase-outputs-'));
  writeFileSync(path.join(dir, 'cdk-outputs.json'), JSON.stringify(file));
  try {
    const stdout = execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(PROJECT_ROOT, 'bin/outputs.ts'), ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, stdout, config: JSON.parse(readFileSync(path.join(dir, 'lambase.outputs.json'), 'utf8')) };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr) };
  }
}

// Each test runs bin/outputs.ts in a fresh Node process (tsx compiles it): seconds when idle, more under CI-like load.
describe('npm run outputs', { timeout: 60_000 }, () => {
  it('turns the deployed stack\'s outputs into the versioned client config', () => {
    const result = run({ 'Lambase-dev': outputs });
    expect(result.config).toEqual({
      version: 1,
      stage: 'dev',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
      userPoolClientId: '1example23456789',
      bucketName: 'lambase-dev-storagefiles-1abc',
    });
  });

  it('adds the realtime URL when the stack has one, and still reads outputs of a stack deployed before realtime', () => {
    const realtimeUrl = 'wss://ws123.execute-api.eu-west-1.amazonaws.com/realtime';
    expect(run({ 'Lambase-dev': { ...outputs, RealtimeUrl: realtimeUrl } }).config).toMatchObject({ version: 1, realtimeUrl });
    expect(run({ 'Lambase-dev': outputs }).config).not.toHaveProperty('realtimeUrl');
    expect(run({ 'Lambase-dev': { ...outputs, RealtimeUrl: 'https://not-a-websocket.example.com' } }).stderr).toContain('RealtimeUrl');
  });

  it('asks for a stage when there are several, and refuses outputs of another version', () => {
    expect(run({ 'Lambase-dev': outputs, 'Lambase-prod': outputs }).stderr).toContain('Pick a stage with --stage');
    expect(run({ 'Lambase-dev': outputs, 'Lambase-prod': outputs }, ['--stage', 'prod']).config.stage).toBe('prod');
    expect(run({ 'Lambase-dev': { ...outputs, OutputsVersion: '2' } }).stderr).toContain('redeploy');
  });
});
