import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const run = (t: unknown, options?: Record<string, unknown>) => runTransform('cloudtrail-data-events', t, options ? { options } : {});
/** The operations the run applied. */
const ops = (t: unknown, options?: Record<string, unknown>) => run(t, options).result.operations;
const fixed = (t: unknown, options?: Record<string, unknown>) => run(t, options).template as { Resources: Record<string, { Properties: Record<string, unknown> }> };

const TRAIL = '/Resources/Trail/Properties';
const s3Objects = (...values: unknown[]) => ({ Type: 'AWS::S3::Object', Values: values });
const trail = (props: Record<string, unknown>) => ({ Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: { Ref: 'TrailBucket' }, IsLogging: true, ...props } });
const withTrail = (props: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  Resources: { TrailBucket: { Type: 'AWS::S3::Bucket' }, AppBucket: { Type: 'AWS::S3::Bucket' }, Trail: trail(props), ...more },
});
const basic = (values: unknown[], selector: Record<string, unknown> = {}) => ({
  EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [s3Objects(...values)], ...selector }],
});
const field = (name: string, operator: string, values: unknown[]) => ({ Field: name, [operator]: values });
const management = { FieldSelectors: [field('eventCategory', 'Equals', ['Management'])] };
const s3Data = (...more: unknown[]) => ({ FieldSelectors: [field('eventCategory', 'Equals', ['Data']), field('resources.type', 'Equals', ['AWS::S3::Object']), ...more] });
const app = { 'Fn::Sub': '${AppBucket.Arn}/' };

describe('cloudtrail-data-events: a trail logging object events of its own log bucket', () => {
  const forms: Array<[string, unknown, Record<string, unknown>?]> = [
    ['${Bucket.Arn}/', { 'Fn::Sub': '${TrailBucket.Arn}/' }],
    ['${Bucket.Arn}/*', { 'Fn::Sub': '${TrailBucket.Arn}/*' }],
    ['Sub with ${AWS::Partition} and the bucket Ref', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${TrailBucket}/' }],
    ['Join of the bucket Arn', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['TrailBucket', 'Arn'] }, '/']] }],
    ['Join with the partition and the bucket Ref', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'TrailBucket' }, '/']] }],
    ['the bucket ARN without a slash', { 'Fn::GetAtt': ['TrailBucket', 'Arn'] }],
  ];
  for (const [name, value] of forms) {
    it(`removes the value written as ${name} and keeps the other bucket`, () => {
      const r = run(withTrail(basic([app, value])));
      expect(r.ids).toEqual(['ownBucket']);
      expect(r.findings[0]!.message).toMatch(/its own log bucket/);
      expect(r.result.operations).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/1` }]);
      expectIdempotent('cloudtrail-data-events', r);
    });
  }

  it('finds the bucket by the name the trail writes: a literal, a parameter, or the BucketName of a template bucket', () => {
    const literal = { Resources: { Trail: trail({ S3BucketName: 'audit-logs', ...basic(['arn:aws:s3:::audit-logs/', 'arn:aws:s3:::other/']) }) } };
    expect(ops(literal)).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/0` }]);

    const parameter = {
      Parameters: { LogBucketName: { Type: 'String' } },
      Resources: { Trail: trail({ S3BucketName: { Ref: 'LogBucketName' }, ...basic([{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${LogBucketName}/' }, 'arn:aws:s3:::other/']) }) },
    };
    expect(ops(parameter)).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/0` }]);

    const named = {
      Resources: {
        Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': 'audit-${AWS::AccountId}' } } },
        Trail: trail({ S3BucketName: { 'Fn::Sub': 'audit-${AWS::AccountId}' }, ...basic(['arn:aws:s3:::other/', { 'Fn::Sub': '${Logs.Arn}/' }]) }),
      },
    };
    expect(ops(named)).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/1` }]);
  });

  it('removes the data resource, or the DataResources key, when nothing else is left', () => {
    const t = withTrail({
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }, s3Objects({ 'Fn::Sub': '${TrailBucket.Arn}/' })] }],
    });
    expect(ops(t)).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/1` }]);
    expect(fixed(withTrail(basic([{ 'Fn::Sub': '${TrailBucket.Arn}/' }]))).Resources['Trail']!.Properties['EventSelectors']).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true },
    ]);
  });

  it('leaves prefixes the trail does not deliver under, read-only selectors and unknown buckets alone', () => {
    expect(run(withTrail({ S3KeyPrefix: 'cloudtrail', ...basic([{ 'Fn::Sub': '${TrailBucket.Arn}/uploads/' }]) })).findings).toEqual([]);
    expect(run(withTrail(basic([{ 'Fn::Sub': '${TrailBucket.Arn}/' }], { ReadWriteType: 'ReadOnly' }))).findings).toEqual([]);
    expect(run({ Resources: { Trail: trail({ S3BucketName: { 'Fn::ImportValue': 'logs' }, ...basic(['arn:aws:s3:::logs/']) }) } }).findings).toEqual([]);
  });

  it('follows S3KeyPrefix: a value covering the delivery prefix is the loop, with or without a trailing slash on the prefix', () => {
    for (const prefix of ['cloudtrail', 'cloudtrail/']) {
      for (const key of ['', 'cloud', 'cloudtrail/', 'cloudtrail/AWSLogs/', 'cloudtrail/AWSLogs/111122223333/']) {
        const r = run(withTrail({ S3KeyPrefix: prefix, ...basic([app, { 'Fn::Sub': '${TrailBucket.Arn}/' + key }]) }));
        expect(r.ids, `${prefix} ${key}`).toEqual(['ownBucket']);
        expect(r.result.operations, `${prefix} ${key}`).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/1` }]);
      }
      expect(run(withTrail({ S3KeyPrefix: prefix, ...basic([{ 'Fn::Sub': '${TrailBucket.Arn}/AWSLogs/' }]) })).findings).toEqual([]);
    }
  });

  it('reports a data-events-only selector left with nothing to log instead of emptying it', () => {
    const r = run(withTrail(basic([{ 'Fn::Sub': '${TrailBucket.Arn}/' }], { IncludeManagementEvents: false })));
    expect(r.ids).toEqual(['ownBucketDataOnly']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.findings[0]!.message).toMatch(/its own log bucket/);
    expect(r.changed).toBe(false);
  });

  it('never adds the trail bucket from keepFor, and says so', () => {
    const r = run(withTrail(basic(['arn:aws:s3:::*/*'])), { keepFor: ['TrailBucket', 'AppBucket'] });
    expect(r.ids).toEqual(['everyBucket']);
    expect(r.result.operations).toEqual([
      { op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/0` },
      { op: 'add', path: `${TRAIL}/EventSelectors/0/DataResources/0/Values/-`, value: app },
    ]);
    expect(r.findings[0]!.message).toMatch(/not TrailBucket/);

    expect(ops(withTrail(basic(['arn:aws:s3:::*/*'])), { keepFor: ['TrailBucket'] })).toEqual([{ op: 'remove', path: `${TRAIL}/EventSelectors/0/DataResources` }]);

    expect(ops(withTrail({ AdvancedEventSelectors: [management, s3Data()] }), { keepFor: ['TrailBucket', 'AppBucket'] })).toEqual([{ op: 'add', path: `${TRAIL}/AdvancedEventSelectors/1/FieldSelectors/-`, value: field('resources.ARN', 'StartsWith', [app]) }]);
  });

  it('names the trail bucket in the every-bucket message', () => {
    expect(run(withTrail(basic(['arn:aws:s3']))).findings[0]!.message).toMatch(/its own log bucket included/);
  });

  it('reports a keepFor that names no bucket, and changes nothing', () => {
    const r = run(withTrail(basic(['arn:aws:s3'])), { keepFor: ['Nope'] });
    expect(r.ids).toEqual(['everyBucket']);
    expect(r.findings[0]!.message).toMatch(/not fixed: keepFor names Nope/);
    expect(r.changed).toBe(false);
  });
});

describe('cloudtrail-data-events: every bucket, data events only', () => {
  it('EventSelectors: reports (a basic selector cannot leave one bucket out of every bucket)', () => {
    const r = run(withTrail(basic(['arn:aws:s3:::'], { IncludeManagementEvents: false })));
    expect(r.ids).toEqual(['everyBucketDataOnly']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.findings[0]!.message).toMatch(/its own log bucket/);
    expect(r.findings[0]!.message).toMatch(/NotStartsWith/);
  });

  it('AdvancedEventSelectors: excludes the trail bucket with resources.ARN NotStartsWith, once', () => {
    const t = withTrail({ AdvancedEventSelectors: [s3Data()] });
    const r = run(t);
    expect(r.ids).toEqual(['everyBucketDataOnly', 'ownBucket']);
    expect(r.result.operations).toEqual([
      { op: 'add', path: `${TRAIL}/AdvancedEventSelectors/0/FieldSelectors/-`, value: field('resources.ARN', 'NotStartsWith', [{ 'Fn::Sub': '${TrailBucket.Arn}/' }]) },
    ]);
    expect(r.findings.filter((f) => f.fix === 'none').map((f) => f.message)).toEqual([expect.stringMatching(/every bucket.*no selector logs management events/)]);

    const again = run(r.output);
    expect(again.ids).toEqual(['everyBucketDataOnly']);
    expect(again.changed).toBe(false);
  });

  it('AdvancedEventSelectors: takes every bucket but a few for every bucket', () => {
    const t = withTrail({ AdvancedEventSelectors: [management, s3Data(field('resources.ARN', 'NotStartsWith', [{ 'Fn::Sub': '${TrailBucket.Arn}/' }]))] });
    expect(ops(t)).toEqual([{ op: 'remove', path: `${TRAIL}/AdvancedEventSelectors/1` }]);
    expect(ops(t, { keepFor: ['AppBucket'] })).toEqual([{ op: 'replace', path: `${TRAIL}/AdvancedEventSelectors/1/FieldSelectors/2`, value: field('resources.ARN', 'StartsWith', [app]) }]);
  });

  it('AdvancedEventSelectors: replaces an every-bucket StartsWith, and writes an outside bucket with the partition', () => {
    const t = {
      Resources: { Trail: trail({ S3BucketName: 'audit-logs', AdvancedEventSelectors: [s3Data(field('resources.ARN', 'StartsWith', ['arn:aws:s3:::']))] }) },
    };
    expect(ops(t)).toEqual([
      {
        op: 'replace',
        path: `${TRAIL}/AdvancedEventSelectors/0/FieldSelectors/2`,
        value: field('resources.ARN', 'NotStartsWith', [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::audit-logs/' }]),
      },
    ]);
  });
});

describe('cloudtrail-data-events: advanced selectors naming the trail bucket', () => {
  it('removes the trail bucket from StartsWith and keeps the rest', () => {
    const t = withTrail({ AdvancedEventSelectors: [management, s3Data(field('resources.ARN', 'StartsWith', [app, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${TrailBucket}/' }]))] });
    const r = run(t);
    expect(r.ids).toEqual(['ownBucket']);
    expect(r.result.operations).toEqual([{ op: 'remove', path: `${TRAIL}/AdvancedEventSelectors/1/FieldSelectors/2/StartsWith/1` }]);
  });

  it('removes a selector that only names the trail bucket when another selector is left', () => {
    const t = withTrail({ AdvancedEventSelectors: [management, s3Data(field('resources.ARN', 'StartsWith', [{ 'Fn::Sub': '${TrailBucket.Arn}/' }]))] });
    expect(ops(t)).toEqual([{ op: 'remove', path: `${TRAIL}/AdvancedEventSelectors/1` }]);
    const only = run(withTrail({ AdvancedEventSelectors: [s3Data(field('resources.ARN', 'StartsWith', [{ 'Fn::Sub': '${TrailBucket.Arn}/' }]))] }));
    expect(only.ids).toEqual(['ownBucketOnlySelector']);
    expect(only.changed).toBe(false);
  });

  it('leaves read-only selectors, selectors that never log PutObject, excluded buckets and unknown operators alone', () => {
    const own = field('resources.ARN', 'StartsWith', [{ 'Fn::Sub': '${TrailBucket.Arn}/' }]);
    for (const more of [
      [own, field('readOnly', 'Equals', ['true'])],
      [own, field('eventName', 'Equals', ['GetObject', 'DeleteObject'])],
      [own, field('eventName', 'NotEquals', ['PutObject'])],
      [field('resources.ARN', 'EndsWith', ['.csv'])],
      [own, field('userIdentity.arn', 'StartsWith', ['arn:aws:iam::111122223333:role/app'])],
    ]) {
      expect(run(withTrail({ AdvancedEventSelectors: [management, s3Data(...more)] })).findings, JSON.stringify(more)).toEqual([]);
    }
  });

  it('still fixes selectors that log PutObject among other writes', () => {
    const t = withTrail({
      AdvancedEventSelectors: [
        management,
        s3Data(field('resources.ARN', 'StartsWith', [app, { 'Fn::Sub': '${TrailBucket.Arn}/' }]), field('readOnly', 'Equals', ['false']), field('eventName', 'StartsWith', ['Put'])),
      ],
    });
    expect(run(t).ids).toEqual(['ownBucket']);
  });
});
