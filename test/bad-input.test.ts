// Bad input (issue 10): whatever the bytes, tapfix ends with exit code 2, one
// `file:line:col: message` line per problem on stderr, no stack trace, and the file byte-for-byte
// as it was, --write or not. Fixtures are made here, so each test shows the shape it is about.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../src/template/errors.js';
import { parseJson } from '../src/template/json.js';
import { parseYaml } from '../src/template/yaml.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tapfix');
if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js'))) {
  throw new Error('dist/ is missing: run npm run build (npm ci does it) before the CLI tests');
}

function tapfix(args: string[], options: { cwd?: string; input?: Buffer | string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd, input: options.input, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** The problem lines on stderr: everything before the run's summary (`tapfix: N files, ...` and its table). */
function problemLines(stderr: string): string[] {
  const lines = stderr.split('\n');
  const summary = lines.findIndex((line) => line.startsWith('tapfix: '));
  return lines.slice(0, summary < 0 ? lines.length : summary).filter((line) => line !== '');
}

/** The 1-based `line:col` of a character offset in `text`, as tapfix reports it. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

const TEMPLATE_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapfix-bad-'));
});

/**
 * Runs `tapfix <name> --write` on `bytes` and checks the contract: exit 2, exactly one problem
 * line `name:line:col: message`, no stack trace, the file unchanged. Returns that line.
 */
function expectRejected(name: string, bytes: Buffer | string, extra: string[] = []): string {
  const input = Buffer.from(bytes);
  writeFileSync(join(dir, name), input);
  const r = tapfix([name, '--write', ...extra], { cwd: dir });
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(2);
  const lines = problemLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${name.replace('.', '\\.')}:\\d+:\\d+: \\S`));
  expect(readFileSync(join(dir, name)).equals(input)).toBe(true);
  return lines[0]!;
}

describe('input that is not UTF-8', () => {
  const latin1 = Buffer.concat([Buffer.from(`${TEMPLATE_HEAD}    Properties:\n      BucketName: caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
  const badByte = latin1.indexOf(0xe9);
  const where = lineCol(latin1.subarray(0, badByte).toString('utf8') + '?', badByte);

  it('is an error naming the byte offset and line:col, and the file stays as it was', () => {
    const line = expectRejected('latin1.yaml', latin1);
    expect(line).toBe(`latin1.yaml:${where}: invalid UTF-8: byte 0xe9 at offset ${badByte} is not part of a UTF-8 character (save the file as UTF-8)`);
  });

  it('is an error in JSON too, and in a run over several files on worker threads', () => {
    writeFileSync(join(dir, 'good.yaml'), `${TEMPLATE_HEAD}    DeletionPolicy: Retain\n`);
    const head = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "caf';
    const json = Buffer.concat([Buffer.from(head), Buffer.from([0xe9, 0x22]), Buffer.from('}}}}\n')]);
    const line = expectRejected('latin1.json', json, ['good.yaml', '--jobs', '2']);
    expect(line).toMatch(new RegExp(`^latin1\\.json:1:${head.length + 1}: invalid UTF-8: byte 0xe9 at offset ${head.length} `));
    expect(readFileSync(join(dir, 'good.yaml'), 'utf8')).not.toBe(`${TEMPLATE_HEAD}    DeletionPolicy: Retain\n`);
  });

  it('names a truncated multi-byte character and counts columns in characters', () => {
    // "é" (2 bytes) is one column; then the first byte of a 3-byte "€" with nothing after it.
    const text = Buffer.concat([Buffer.from(`${TEMPLATE_HEAD}    Properties:\n      BucketName: é`), Buffer.from([0xe2, 0x82])]);
    const line = expectRejected('cut.yaml', text);
    expect(line).toBe(`cut.yaml:6:20: invalid UTF-8: byte 0xe2 at offset ${text.length - 2} is not part of a UTF-8 character (save the file as UTF-8)`);
  });

  it('still accepts a UTF-8 byte order mark and keeps it', () => {
    writeFileSync(join(dir, 'bom.yaml'), `\uFEFF${TEMPLATE_HEAD}`);
    const r = tapfix(['bom.yaml', '--write', '--only', 'retain-stateful'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, 'bom.yaml'));
    expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.toString('utf8')).toContain('DeletionPolicy: Retain');
  });

  it('is an error on standard input, which --write hands back byte for byte', () => {
    const r = tapfix(['--stdin', '--write'], { cwd: dir, input: latin1 });
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)).toEqual([`stdin:${where}: invalid UTF-8: byte 0xe9 at offset ${badByte} is not part of a UTF-8 character (save the file as UTF-8)`]);
    expect(r.stdout.equals(latin1)).toBe(true);
    const dry = tapfix(['--stdin'], { cwd: dir, input: latin1 });
    expect(dry.code).toBe(2);
    expect(problemLines(dry.stderr)).toHaveLength(1);
  });
});

/** Ten anchored lists, each holding nine aliases of the one before: 9^10 nodes once expanded. */
function aliasBomb(): string {
  const lines = [TEMPLATE_HEAD.trimEnd(), '    Metadata:', '      a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) lines.push(`      a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

describe('YAML aliases', () => {
  it('refuses an alias bomb in well under a second, at the alias that crosses the bound', () => {
    const text = aliasBomb();
    const started = performance.now();
    let error: unknown;
    try {
      parseYaml(text);
    } catch (e) {
      error = e;
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(SourceError);
    // a5 expands to 597,871 nodes; the first *a5 (in a6) takes the total past 1,000,000.
    expect((error as SourceError).offset).toBe(text.indexOf('*a5'));
    const line = expectRejected('bomb.yaml', text);
    expect(line).toMatch(new RegExp(`^bomb\\.yaml:${lineCol(text, text.indexOf('*a5'))}: YAML aliases expand to more than 1000000 nodes`));
  });

  it('refuses aliases that nest deeper than the depth bound once expanded', () => {
    const deep = `${'['.repeat(600)}x${']'.repeat(600)}`;
    const text = `${TEMPLATE_HEAD}    Metadata:\n      a: &a ${deep}\n      b: &b [*a]\n      c: [[[[*b]]]]\n      d: ${deep.slice(0, 500)}*b${deep.slice(-500)}\n`;
    const line = expectRejected('deep-alias.yaml', text);
    expect(line).toBe(`deep-alias.yaml:${lineCol(text, text.lastIndexOf('*b'))}: YAML nesting deeper than 1000 levels once aliases are expanded`);
  });

  it('refuses an alias inside the node it names (a cycle)', () => {
    const text = `${TEMPLATE_HEAD}    Metadata:\n      Loop: &loop\n        Next: [1, *loop]\n`;
    const line = expectRejected('cycle.yaml', text);
    expect(line).toBe(`cycle.yaml:${lineCol(text, text.indexOf('*loop'))}: YAML alias *loop is inside the node it names: a cycle has no JSON value`);
  });

  it('still fixes a template with a few anchors and aliases', () => {
    const text = `${TEMPLATE_HEAD}    Properties:\n      Tags: &tags\n        - Key: team\n          Value: data\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *tags\n      BucketName: &name logs\n    Metadata:\n      Names: [*name, *name]\n`;
    writeFileSync(join(dir, 'anchors.yaml'), text);
    const r = tapfix(['anchors.yaml', '--write', '--only', 'retain-stateful'], { cwd: dir });
    expect(r.stderr).toMatch(/1 fixed/);
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, 'anchors.yaml'), 'utf8');
    expect(out.match(/DeletionPolicy: Retain/g)).toHaveLength(2);
    expect(out).toContain('Tags: *tags');
  });
});

describe('deep nesting', () => {
  const N = 20_000;
  const open = (s: string) => s.repeat(N);

  it('JSON 20,000 levels deep is one error at the bracket that crosses 1000 levels', () => {
    const prefix = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": ';
    const text = `${prefix}${open('[')}${open(']')}}}}\n`;
    // The template object, Resources and B are three levels: the 998th bracket is level 1001.
    const line = expectRejected('deep.json', text);
    expect(line).toBe(`deep.json:1:${prefix.length + 998}: nesting deeper than 1000 levels`);
    expect(() => parseJson(`${open('{"a":')}1${open('}')}`)).toThrow(SourceError);
  });

  it('JSON nested in strings and comments does not count', () => {
    const text = `{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": {"a": "${open('[')}"}}}}\n`;
    writeFileSync(join(dir, 'flat.json'), text);
    const r = tapfix(['flat.json', '--only', 'retain-stateful'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.toString('utf8')).toContain('retain-stateful');
  });

  it('YAML flow nesting 20,000 deep is one error at the bracket that crosses 1000 levels', () => {
    const text = `${TEMPLATE_HEAD}    Metadata: ${open('[')}${open(']')}\n`;
    const line = expectRejected('deep-flow.yaml', text);
    // The document, Resources and Data are three levels; "    Metadata: " is 14 columns.
    expect(line).toBe(`deep-flow.yaml:5:${14 + 998}: nesting deeper than 1000 levels`);
  });

  it('YAML block nesting (compact sequences 20,000 deep, mappings 1,500 deep) is one error', () => {
    expectRejected('deep-seq.yaml', `${TEMPLATE_HEAD}    Metadata:\n      ${'- '.repeat(N)}x\n`);
    const mapping = [TEMPLATE_HEAD.trimEnd(), '    Metadata:'];
    for (let i = 0; i < 1500; i++) mapping.push(`${' '.repeat(6 + i)}k${i}:`);
    mapping.push(`${' '.repeat(6 + 1500)}v`);
    const line = expectRejected('deep-map.yaml', mapping.join('\n') + '\n');
    expect(line).toMatch(/^deep-map\.yaml:\d+:\d+: nesting deeper than 1000 levels$/);
  });

  it('a template nested just under the bound still loads and fixes, JSON and YAML', () => {
    const depth = 990;
    const json = `{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": ${'['.repeat(depth)}1${']'.repeat(depth)}}}}\n`;
    const yaml = `${TEMPLATE_HEAD}    Metadata: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    for (const [name, text] of [['near.json', json], ['near.yaml', yaml]] as const) {
      writeFileSync(join(dir, name), text);
      const r = tapfix([name, '--write', '--only', 'retain-stateful'], { cwd: dir });
      expect(r.stderr).toMatch(/1 fixed/);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, name), 'utf8')).toMatch(/DeletionPolicy"?: "?Retain/);
    }
  });
});

describe('--stdin without --stdin-filepath', () => {
  it('reads JSON as JSON', () => {
    const json = '{\n  "Resources": {\n    "Data": {\n      "Type": "AWS::S3::Bucket"\n    }\n  }\n}\n';
    const r = tapfix(['--stdin', '--write', '--only', 'retain-stateful'], { cwd: dir, input: json });
    expect(r.code).toBe(0);
    const out = r.stdout.toString('utf8');
    expect(JSON.parse(out)).toEqual({ Resources: { Data: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } } });
    expect(out).toContain('"DeletionPolicy": "Retain"');
  });

  it('reads YAML as YAML', () => {
    const r = tapfix(['--stdin', '--write', '--only', 'retain-stateful'], { cwd: dir, input: TEMPLATE_HEAD });
    expect(r.code).toBe(0);
    expect(r.stdout.toString('utf8')).toBe(`${TEMPLATE_HEAD}    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n`);
  });
});

describe('YAML indentation', () => {
  it('is read from the structure, not from the lines of a block scalar', () => {
    // Two-space mappings, an indented sequence, single quotes; a Lambda whose inline Python
    // indents by four and quotes with double quotes, in more lines than the template has.
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/handler
      Code:
        ZipFile: |
          import json

          def handler(event, context):
              for record in event["Records"]:
                  if record:
                      print(json.dumps(record))
                      for key in record:
                          print(key)
              return {"ok": True}

          class Report:
              def __init__(self):
                  self.rows = []
                  if self.rows:
                      self.rows.append(1)
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:shared:1
`;
    expect(parseYaml(text).style).toMatchObject({ indent: '  ', seqNoIndent: false, quote: 'single' });
    writeFileSync(join(dir, 'lambda.yaml'), text);
    const r = tapfix(['lambda.yaml', '--write', '--only', 'standard-tags'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, 'lambda.yaml'), 'utf8');
    expect(out).toContain('      Tags:\n        - Key: Name\n          Value:\n');
    expect(out).not.toMatch(/-\s{2,}Key:/);
  });
});
