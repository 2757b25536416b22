// CloudFront distributions as readers of template buckets: which distributions use each bucket as
// an origin, whether they sign requests with origin access control, and whether viewers upload
// through them (what a key policy must allow CloudFront on SSE-KMS buckets).
import type { JsonObject, Template } from '../types.js';
import { property, resources } from './query.js';
import { bucketByDomainName } from './s3.js';
import { asObject, subText, toList } from './values.js';

export const CLOUDFRONT_DISTRIBUTION = 'AWS::CloudFront::Distribution';
export const CLOUDFRONT_SERVICE = 'cloudfront.amazonaws.com';

export interface CloudFrontOrigin {
  distribution: string;
  /** The origin signs its requests with origin access control, the only way CloudFront reads SSE-KMS objects. */
  oac: boolean;
  /** A cache behavior of the origin forwards PUT or POST requests: viewers upload through it. */
  uploads: boolean;
}

/**
 * The distributions that use each template bucket as an origin. An origin with both an
 * OriginAccessControlId and an origin access identity counts as OAI (CloudFront refuses it).
 */
export function cloudFrontOrigins(t: Template): Map<string, CloudFrontOrigin[]> {
  const out = new Map<string, CloudFrontOrigin[]>();
  for (const distribution of resources(t, CLOUDFRONT_DISTRIBUTION)) {
    const config = asObject(property(distribution, 'DistributionConfig')?.value);
    const behaviors = [config?.['DefaultCacheBehavior'], ...toList(config?.['CacheBehaviors'])].map(asObject).filter((b): b is JsonObject => b !== undefined);
    for (const entry of toList(config?.['Origins'])) {
      const origin = asObject(entry);
      const bucket = origin ? bucketByDomainName(t, origin['DomainName']) : undefined;
      if (!origin || !bucket) continue;
      const oacId = origin['OriginAccessControlId'];
      const oai = subText(asObject(origin['S3OriginConfig'])?.['OriginAccessIdentity']);
      const originId = subText(origin['Id']);
      const uploads = behaviors.some(
        (b) => originId !== undefined && subText(b['TargetOriginId']) === originId && toList(b['AllowedMethods']).some((m) => m === 'PUT' || m === 'POST'),
      );
      const uses = out.get(bucket) ?? [];
      uses.push({ distribution: distribution.id, oac: oacId !== undefined && oacId !== '' && !oai, uploads });
      out.set(bucket, uses);
    }
  }
  return out;
}
