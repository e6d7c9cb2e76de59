/**
 * cdk-nag's AwsSolutions and Serverless checks run on every synth. A finding is either fixed or
 * acknowledged where the construct that causes it is built, with a one-line reason.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
