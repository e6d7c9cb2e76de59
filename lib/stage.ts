/**
 * Stages: one stack per stage, so `dev`, `pr-42` and `prod` can live in one account. Development
 * stages are disposable (resources are destroyed with the stack, CORS allows any origin); every
 * other stage keeps its data (RETAIN, deletion protection) and must name its allowed origins.
 */
import { RemovalPolicy } from 'aws-cdk-lib';

const DEVELOPMENT_STAGE = /^(dev|test|local|sandbox)(-[a-z0-9-]+)?$|^pr-\d+$/;
const STAGE_NAME = /^[a-z][a-z0-9-]{0,22}$/;

export type Stage = {
  name: string;
  /** Disposable: data is destroyed with the stack. */
  isDevelopment: boolean;
  removalPolicy: RemovalPolicy;
};

export function resolveStage(name: string): Stage {
  if (!STAGE_NAME.test(name)) {
    throw new Error(`Stage "${name}" is not valid: use lower-case letters, digits and "-" (at most 23), e.g. -c stage=prod`);
  }
  const isDevelopment = DEVELOPMENT_STAGE.test(name);
  return { name, isDevelopment, removalPolicy: isDevelopment ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN };
}
