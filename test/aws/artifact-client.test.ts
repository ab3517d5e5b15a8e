import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactClient,
  ArtifactServiceError,
  artifactEndpoint,
  downloadPresigned,
  IncompleteDownloadError,
} from '../../src/aws/artifact-client.js';
import { classifyAwsError } from '../../src/aws/errors.js';
import {
  CREDENTIALS,
  EXAMPLE_PDF,
  FakeArtifact,
  SMITHY_EXAMPLES,
  pdfOf,
  type FakeReport,
} from '../fixtures/collectors/artifact/fake-artifact.js';
import { API_MODELS_DIR, smithyAvailable } from '../fixtures/smithy.js';

const REGION = 'us-east-1';
const EXAMPLE_ID = 'report-abcdef0123456789';

const example: FakeReport = {
  summary: (SMITHY_EXAMPLES.ListReports.output['reports'] as Record<string, unknown>[])[0]!,
  metadata: SMITHY_EXAMPLES.GetReportMetadata.output,
  document: EXAMPLE_PDF,
};
const more = (n: number): FakeReport => {
  const id = `report-${String(n).padStart(16, '0')}`;
  return {
    summary: { ...example.summary, id, arn: `arn:aws:artifact:us-east-1::report/${id}` },
    metadata: { reportDetails: { id, name: `Report ${n}` } },
    document: pdfOf(`report ${n}`),
  };
};

let fake: FakeArtifact;
beforeAll(async () => {
  fake = await new FakeArtifact(REGION, [example, more(1), more(2)], 2).start();
});
afterAll(async () => {
  await fake.stop();
});
afterEach(() => {
  fake.received.length = 0;
});

const client = (over: Partial<ConstructorParameters<typeof ArtifactClient>[0]> = {}) =>
  new ArtifactClient({ region: REGION, credentials: CREDENTIALS, endpoint: fake.url, ...over });

describe('artifactEndpoint', () => {
  it('is the regional endpoint unless AWS_ENDPOINT_URL_ARTIFACT or AWS_ENDPOINT_URL says otherwise', () => {
    expect(artifactEndpoint('eu-west-1', {}).href).toBe('https://artifact.eu-west-1.amazonaws.com/');
    expect(artifactEndpoint('cn-north-1', {}).host).toBe('artifact.cn-north-1.amazonaws.com.cn');
    expect(artifactEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://localhost:4566' }).href).toBe(
      'http://localhost:4566/',
    );
    expect(
      artifactEndpoint('us-east-1', {
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_ARTIFACT: 'http://127.0.0.1:9000/base',
      }).href,
    ).toBe('http://127.0.0.1:9000/base');
    expect(
      artifactEndpoint('us-east-1', {
        AWS_ENDPOINT_URL_ARTIFACT: 'http://127.0.0.1:9000',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }).host,
    ).toBe('artifact.us-east-1.amazonaws.com');
    expect(
      artifactEndpoint('us-east-1', { AWS_ENDPOINT_URL_ARTIFACT: 'http://127.0.0.1:9000' }, 'http://override:1').href,
    ).toBe('http://override:1/');
    expect(() => artifactEndpoint('us-east-1/../x', {})).toThrow(/invalid AWS region/);
  });

  it('reads the variables from the environment by default', () => {
    const c = new ArtifactClient({
      region: REGION,
      credentials: CREDENTIALS,
      env: { AWS_ENDPOINT_URL_ARTIFACT: fake.url },
    });
    expect(c.endpoint.origin).toBe(fake.url);
  });
});

describe('ArtifactClient', () => {
  it('signs every request with SigV4 for service artifact in its region, session token included', async () => {
    const out = await client().listReports({ maxResults: 2 });
    expect(out.reports).toHaveLength(2);
    const [call] = fake.calls('ListReports');
    expect(call!.signatureOk).toBe(true);
    expect(call!.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/artifact\/aws4_request, SignedHeaders=[a-z0-9;-]*\bx-amz-security-token\b/,
    );
  });

  it('is refused by the fake when signed for another region or with another secret (the check is real)', async () => {
    const other = client({ region: 'eu-west-1' });
    await expect(other.listReports()).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    // Same key id and scope, another secret: only the signature itself differs.
    const forged = client({ credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' } });
    await expect(forged.listReports()).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect(fake.calls('ListReports').map((c) => c.signatureOk)).toEqual([false, false]);
  });

  it('returns the Smithy example outputs with the request id as $metadata', async () => {
    const c = client();
    const list = await c.listReports({ maxResults: 1 });
    expect({ ...list, $metadata: undefined }).toEqual({
      ...SMITHY_EXAMPLES.ListReports.output,
      nextToken: list.nextToken,
      $metadata: undefined,
    });
    expect(list.$metadata).toMatchObject({ httpStatusCode: 200, requestId: expect.stringMatching(/^fake-\d+$/) });
    const meta = await c.getReportMetadata({ reportId: EXAMPLE_ID });
    expect({ reportDetails: meta.reportDetails }).toEqual(SMITHY_EXAMPLES.GetReportMetadata.output);
    const term = await c.getTermForReport({ reportId: EXAMPLE_ID, reportVersion: 1 });
    expect(term.termToken).toBe(`term-token-${EXAMPLE_ID}`);
    const report = await c.getReport({ reportId: EXAMPLE_ID, reportVersion: 1, termToken: term.termToken! });
    expect(report.documentPresignedUrl).toMatch(new RegExp(`^${fake.url}/presigned/${EXAMPLE_ID}\\.pdf\\?`));
    expect(fake.received.map((r) => [r.op, r.query, r.signatureOk])).toEqual([
      ['ListReports', { maxResults: '1' }, true],
      ['GetReportMetadata', { reportId: EXAMPLE_ID }, true],
      ['GetTermForReport', { reportId: EXAMPLE_ID, reportVersion: '1' }, true],
      ['GetReport', { reportId: EXAMPLE_ID, reportVersion: '1', termToken: `term-token-${EXAMPLE_ID}` }, true],
    ]);
  });

  it('passes nextToken through exactly, whatever characters it holds', async () => {
    const c = client();
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.listReports({ maxResults: 2, nextToken: token });
      ids.push(...(page.reports ?? []).map((r) => r.id!));
      token = page.nextToken;
      if (token) expect(token).toMatch(/[+/=]/);
    } while (token);
    expect(ids).toEqual([EXAMPLE_ID, 'report-0000000000000001', 'report-0000000000000002']);
    expect(fake.calls('ListReports').every((r) => r.signatureOk)).toBe(true);
    expect(fake.calls('ListReports')[1]!.query['nextToken']).toBe(Buffer.from('offset?:2:>>>').toString('base64'));
  });

  it('raises SDK-like errors that classifyAwsError reads like the SDK’s', async () => {
    const c = client();
    fake.fail('ListReports', {
      status: 403,
      type: 'AccessDeniedException',
      message: 'User is not authorized to perform: artifact:ListReports',
    });
    const denied = await c.listReports().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ArtifactServiceError);
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      message: 'User is not authorized to perform: artifact:ListReports',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    expect(classifyAwsError(denied)).toMatchObject({
      category: 'access_denied',
      code: 'AccessDeniedException',
      httpStatus: 403,
      requestId: expect.stringMatching(/^fake-/),
    });

    fake.fail('GetReportMetadata', { status: 429, type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(
      classifyAwsError(await c.getReportMetadata({ reportId: EXAMPLE_ID }).catch((e: unknown) => e)),
    ).toMatchObject({ category: 'throttled', retryable: true });

    fake.fail('GetReport', { status: 500, message: 'boom' });
    const server = await c.getReport({ reportId: EXAMPLE_ID, termToken: 't' }).catch((e: unknown) => e);
    expect(server).toMatchObject({ name: 'InternalServerException', $fault: 'server' });
    expect(classifyAwsError(server)).toMatchObject({ category: 'server', retryable: true });

    const notFound = await c.getReportMetadata({ reportId: 'report-nonexistent00000' }).catch((e: unknown) => e);
    expect(classifyAwsError(notFound)).toMatchObject({ category: 'not_found', code: 'ResourceNotFoundException' });
    const invalid = await c.getReport({ reportId: EXAMPLE_ID, termToken: 'forged' }).catch((e: unknown) => e);
    expect(classifyAwsError(invalid)).toMatchObject({ category: 'validation', code: 'ValidationException' });
  });

  it('reports a connection failure as fetch raised it, so the classifier sees the network code', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const err = await client({ endpoint: `http://127.0.0.1:${port}` })
      .listReports()
      .catch((e: unknown) => e);
    expect(classifyAwsError(err)).toMatchObject({ category: 'network', code: 'ECONNREFUSED', retryable: true });
  });

  it('honours the abort signal, before and during a request', async () => {
    const c = client();
    const before = new AbortController();
    before.abort(new Error('stop now'));
    await expect(c.listReports({}, { abortSignal: before.signal })).rejects.toThrow('stop now');
    expect(fake.received).toHaveLength(0);

    const slow: Server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const during = new AbortController();
      const pending = client({ endpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}` }).listReports(
        {},
        { abortSignal: during.signal },
      );
      setTimeout(() => during.abort(new Error('user interrupt')), 50);
      await expect(pending).rejects.toThrow('user interrupt');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('takes credentials from a provider, resolved per request', async () => {
    let resolved = 0;
    const c = client({
      credentials: () => {
        resolved += 1;
        return Promise.resolve(CREDENTIALS);
      },
    });
    await c.listReports();
    await c.getReportMetadata({ reportId: EXAMPLE_ID });
    expect(resolved).toBeGreaterThanOrEqual(1);
    expect(fake.received.every((r) => r.signatureOk)).toBe(true);
  });
});

describe('downloadPresigned', () => {
  const reports: FakeReport[] = [{ ...example }, { ...more(3), truncate: true }, { ...more(4), chunked: true }];
  let dl: FakeArtifact;
  beforeAll(async () => {
    dl = await new FakeArtifact(REGION, reports).start();
  });
  afterAll(async () => {
    await dl.stop();
  });
  const url = (id: string) => `${dl.url}/presigned/${id}.pdf?X-Amz-Signature=abc`;
  const signal = () => new AbortController().signal;

  it('downloads the whole document without signing, checking its length', async () => {
    const got = await downloadPresigned(fetch, url(EXAMPLE_ID), signal());
    expect(Buffer.from(got.bytes).equals(EXAMPLE_PDF)).toBe(true);
    expect(got).toMatchObject({ contentType: 'application/pdf', requestId: 'S3REQUESTID', lengthChecked: true });
    expect(dl.calls('Download').at(-1)!.authorization).toBeNull();
  });

  it('throws IncompleteDownload when the connection closes before Content-Length bytes arrived', async () => {
    const err = await downloadPresigned(fetch, url('report-0000000000000003'), signal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompleteDownloadError);
    expect((err as Error).message).toMatch(/^document download ended after \d+ of \d+ bytes/);
    expect(classifyAwsError(err)).toMatchObject({ code: 'IncompleteDownload', category: 'server', retryable: true });
  });

  it('says when it could not check the length (chunked body)', async () => {
    const got = await downloadPresigned(fetch, url('report-0000000000000004'), signal());
    expect(got.lengthChecked).toBe(false);
    expect(Buffer.from(got.bytes).equals(reports[2]!.document as Buffer)).toBe(true);
  });

  it('maps an S3 error page to an SDK-like error, without the signed URL in the message', async () => {
    const err = await downloadPresigned(fetch, url('report-expired000000000'), signal()).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: 'document download: Request has expired',
      $metadata: { httpStatusCode: 403, requestId: 'S3REQUESTID' },
    });
    expect((err as Error).message).not.toContain('X-Amz-Signature');
    expect(classifyAwsError(err).category).toBe('access_denied');
  });

  it('refuses a document over the size limit', async () => {
    await expect(downloadPresigned(fetch, url(EXAMPLE_ID), signal(), 100)).rejects.toMatchObject({
      name: 'DocumentTooLarge',
    });
    await expect(downloadPresigned(fetch, url('report-0000000000000004'), signal(), 100)).rejects.toMatchObject({
      name: 'DocumentTooLarge',
    });
  });
});

describe.runIf(smithyAvailable())('the served examples', () => {
  it('are the smithy.api#examples of the official Artifact model, unchanged', () => {
    const model = JSON.parse(
      readFileSync(`${API_MODELS_DIR}/artifact/service/2018-05-10/artifact-2018-05-10.json`, 'utf8'),
    ) as {
      shapes: Record<string, { traits?: Record<string, unknown> }>;
    };
    for (const [op, ex] of Object.entries(SMITHY_EXAMPLES)) {
      const examples = model.shapes[`com.amazonaws.artifact#${op}`]!.traits!['smithy.api#examples'] as {
        input: unknown;
        output: unknown;
      }[];
      expect(
        examples.map((e) => ({ input: e.input, output: e.output })),
        op,
      ).toEqual([ex]);
    }
  });
});
