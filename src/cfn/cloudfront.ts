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

/**
 * The template buckets CloudFront distributions read as an anonymous client, each with those
 * distributions: an origin on the bucket's website endpoint (`${B}.s3-website...`, or a domain
 * cut out of `GetAtt B.WebsiteURL`), or on its REST endpoint with neither origin access control
 * nor an origin access identity. Such a bucket only serves the distribution while it is public.
 */
export function anonymousOriginBuckets(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (bucket: string, distribution: string) => out.set(bucket, [...new Set([...(out.get(bucket) ?? []), distribution])]);
  for (const distribution of resources(t, CLOUDFRONT_DISTRIBUTION)) {
    const config = asObject(property(distribution, 'DistributionConfig')?.value);
    for (const entry of toList(config?.['Origins'])) {
      const origin = asObject(entry);
      if (!origin) continue;
      const written = JSON.stringify(origin['DomainName'] ?? null);
      const viaWebsiteUrl = /"Fn::GetAtt":\["([^"]+)","WebsiteURL"\]|"Fn::GetAtt":"([^".]+)\.WebsiteURL"|\$\{([^}.]+)\.WebsiteURL\}/.exec(written);
      const websiteBucket = viaWebsiteUrl ? (viaWebsiteUrl[1] ?? viaWebsiteUrl[2] ?? viaWebsiteUrl[3])! : undefined;
      if (websiteBucket !== undefined && resources(t, 'AWS::S3::Bucket').some((b) => b.id === websiteBucket)) {
        add(websiteBucket, distribution.id);
        continue;
      }
      const bucket = bucketByDomainName(t, origin['DomainName']);
      if (!bucket) continue;
      const domain = subText(origin['DomainName']) ?? '';
      const oac = origin['OriginAccessControlId'];
      const oai = subText(asObject(origin['S3OriginConfig'])?.['OriginAccessIdentity']);
      if (/\.s3-website[.-]/.test(domain) || ((oac === undefined || oac === '') && !oai)) add(bucket, distribution.id);
    }
  }
  return out;
}
