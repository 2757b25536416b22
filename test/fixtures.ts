// Templates several test files share (written by us).

/** A bucket on SSE-KMS without an S3 Bucket Key: one s3-bucket-key finding, fixed by one added line. */
export const NEEDS_BUCKET_KEY = `Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms  # our key
`;
