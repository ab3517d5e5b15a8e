import { AccountClient } from '@aws-sdk/client-account';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface ClientOptions {
  /** Attempts per call inside the SDK (adaptive retry mode: client-side rate limiting on throttling). */
  readonly sdkMaxAttempts: number;
  /** Credentials for this account; undefined means the standard chain (env, profile, SSO, instance role). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

type Ctor<T> = new (config: { region: string; maxAttempts: number; retryMode: string; credentials?: ClientOptions['credentials'] }) => T;

/**
 * One factory per account: SDK clients created on first use per region and reused. Endpoints follow the SDK's
 * own conventions (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), which is also how tests point it at a fake.
 */
export class AwsClientFactory {
  private readonly cache = new Map<string, { destroy(): void }>();

  constructor(readonly options: ClientOptions) {}

  private get<T extends { destroy(): void }>(key: string, ctor: Ctor<T>, region: string): T {
    const k = `${key}@${region}`;
    let client = this.cache.get(k) as T | undefined;
    if (!client) {
      client = new ctor({ region, maxAttempts: this.options.sdkMaxAttempts, retryMode: 'adaptive', credentials: this.options.credentials });
      this.cache.set(k, client);
    }
    return client;
  }

  cloudTrail(region: string): CloudTrailClient {
    return this.get('cloudtrail', CloudTrailClient, region);
  }
  config(region: string): ConfigServiceClient {
    return this.get('config', ConfigServiceClient, region);
  }
  bedrock(region: string): BedrockClient {
    return this.get('bedrock', BedrockClient, region);
  }
  sageMaker(region: string): SageMakerClient {
    return this.get('sagemaker', SageMakerClient, region);
  }
  logs(region: string): CloudWatchLogsClient {
    return this.get('logs', CloudWatchLogsClient, region);
  }
  s3(region: string): S3Client {
    return this.get('s3', S3Client, region);
  }
  sts(region: string): STSClient {
    return this.get('sts', STSClient, region);
  }
  account(region: string): AccountClient {
    return this.get('account', AccountClient, region);
  }

  destroy(): void {
    for (const c of this.cache.values()) c.destroy();
    this.cache.clear();
  }
}
