// The writer on tricky inputs: each case states the exact text expected, so any byte the writer
// touches without need shows up as a failure.
import { describe, expect, it } from 'vitest';
import { applyOperations } from '../src/engine/patch.js';
import { parseSource } from '../src/template/load.js';
import { WriterInvariantError, writeFixed } from '../src/writer/index.js';
import type { Operation } from '../src/types.js';

function fix(format: 'json' | 'yaml', text: string, ops: Operation[]): string {
  const parsed = parseSource(format, text);
  return writeFixed(parsed, applyOperations(parsed.value, ops));
}

describe('YAML writer', () => {
  it('keeps comments everywhere while adding keys and items', () => {
    const input = [
      '# head comment',
      'Resources: # resources',
      '  # before bucket',
      '  Bucket: # bucket',
      '    Type: AWS::S3::Bucket # type',
      '    Properties:',
      '      Tags: # tags',
      '        - Key: a # first',
      '          Value: b',
      '      # trailing comment in Properties',
      '  # before queue',
      '  Queue:',
      '    Type: AWS::SQS::Queue',
      '# tail comment',
      '',
    ].join('\n');
    const out = fix('yaml', input, [
      { op: 'add', path: '/Resources/Bucket/DeletionPolicy', value: 'Retain' },
      { op: 'add', path: '/Resources/Bucket/Properties/Tags/-', value: { Key: 'c', Value: 'd' } },
      { op: 'add', path: '/Resources/Queue/Properties', value: { MessageRetentionPeriod: 60 } },
    ]);
    expect(out).toBe(
      [
        '# head comment',
        'Resources: # resources',
        '  # before bucket',
        '  Bucket: # bucket',
        '    Type: AWS::S3::Bucket # type',
        '    Properties:',
        '      Tags: # tags',
        '        - Key: a # first',
        '          Value: b',
        '        - Key: c',
        '          Value: d',
        '      # trailing comment in Properties',
        '    DeletionPolicy: Retain',
        '  # before queue',
        '  Queue:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      MessageRetentionPeriod: 60',
        '# tail comment',
        '',
      ].join('\n'),
    );
  });

  it('edits inside flow collections in flow style', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties: {A: 1, B: [x, y]}\n';
    expect(
      fix('yaml', input, [
        { op: 'add', path: '/Resources/R/Properties/C', value: { D: 'e' } },
        { op: 'add', path: '/Resources/R/Properties/B/1', value: 'z' },
        { op: 'remove', path: '/Resources/R/Properties/A' },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties: {B: [x, z, y], C: {D: e}}\n');
  });

  it('leaves block scalars intact and appends after them', () => {
    const input = 'Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          def handler(e, c):\n              return 1\n\n      Description: >\n        folded\n        text\n';
    const out = fix('yaml', input, [
      { op: 'add', path: '/Resources/F/Properties/Code/S3Key', value: 'k' },
      { op: 'add', path: '/Resources/F/Properties/Timeout', value: 30 },
    ]);
    expect(out).toBe(
      'Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          def handler(e, c):\n              return 1\n        S3Key: k\n\n      Description: >\n        folded\n        text\n      Timeout: 30\n',
    );
  });

  it('replaces a block scalar and keeps quoted keys as written', () => {
    const input = '"Resources":\n  \'R\':\n    "Type": X\n    Properties:\n      Script: |\n        echo hi\n      Other: 1\n';
    expect(fix('yaml', input, [{ op: 'replace', path: '/Resources/R/Properties/Script', value: 'echo bye' }])).toBe(
      '"Resources":\n  \'R\':\n    "Type": X\n    Properties:\n      Script: echo bye\n      Other: 1\n',
    );
  });

  it('replaces a scalar with a mapping and a mapping with a scalar', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      A: plain # keep me\n      B:\n        C: 1\n';
    expect(
      fix('yaml', input, [
        { op: 'replace', path: '/Resources/R/Properties/A', value: { 'Fn::Sub': '${AWS::StackName}-a' } },
        { op: 'replace', path: '/Resources/R/Properties/B', value: { Nested: { List: [1, 2] } } },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties:\n      A: # keep me\n        Fn::Sub: ${AWS::StackName}-a\n      B:\n        Nested:\n          List:\n            - 1\n            - 2\n');
    expect(fix('yaml', input, [{ op: 'replace', path: '/Resources/R/Properties/B', value: 'flat' }])).toBe(
      'Resources:\n  R:\n    Type: X\n    Properties:\n      A: plain # keep me\n      B: flat\n',
    );
  });

  it('writes long form when the file does not use short tags', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      Name:\n        Ref: P\n';
    expect(fix('yaml', input, [{ op: 'add', path: '/Resources/R/Properties/Arn', value: { 'Fn::GetAtt': ['B', 'Arn'] } }])).toBe(
      'Resources:\n  R:\n    Type: X\n    Properties:\n      Name:\n        Ref: P\n      Arn:\n        Fn::GetAtt:\n          - B\n          - Arn\n',
    );
  });

  it('edits inside a short-form intrinsic without losing its tag', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      V: !If [IsProd, 1, 2]\n      J: !Join\n        - ""\n        - - a\n          - b\n';
    expect(
      fix('yaml', input, [
        { op: 'replace', path: '/Resources/R/Properties/V/Fn::If/2', value: 3 },
        { op: 'add', path: '/Resources/R/Properties/J/Fn::Join/1/-', value: { Ref: 'AWS::Region' } },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties:\n      V: !If [IsProd, 1, 3]\n      J: !Join\n        - ""\n        - - a\n          - b\n          - !Ref AWS::Region\n');
  });

  it('fills empty mappings and lists', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties: {}\n    DependsOn: []\n';
    expect(
      fix('yaml', input, [
        { op: 'add', path: '/Resources/R/Properties/A', value: 1 },
        { op: 'add', path: '/Resources/R/DependsOn/-', value: 'Other' },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties:\n      A: 1\n    DependsOn:\n      - Other\n');
  });

  it('removes the first key of a sequence item without breaking the dash', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      Rules:\n        - Id: one\n          Status: Enabled\n        - Id: two\n          Status: Disabled\n';
    expect(
      fix('yaml', input, [
        { op: 'remove', path: '/Resources/R/Properties/Rules/0/Id' },
        { op: 'remove', path: '/Resources/R/Properties/Rules/1' },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties:\n      Rules:\n        - Status: Enabled\n');
  });

  it('inserts at the first and last position of sequences, with un-indented sequences', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n      - b\n      - c\n';
    expect(
      fix('yaml', input, [
        { op: 'add', path: '/Resources/R/Properties/L/0', value: 'a' },
        { op: 'add', path: '/Resources/R/Properties/L/-', value: { K: 'v', W: 'x' } },
      ]),
    ).toBe('Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n      - a\n      - b\n      - c\n      - K: v\n        W: x\n');
  });

  it('keeps CRLF line endings, a BOM and a missing final newline', () => {
    const input = '\uFEFFResources:\r\n  R:\r\n    Type: X\r\n    Properties:\r\n      A: 1';
    const out = fix('yaml', input, [{ op: 'add', path: '/Resources/R/Properties/B', value: { C: [1] } }]);
    expect(out).toBe('\uFEFFResources:\r\n  R:\r\n    Type: X\r\n    Properties:\r\n      A: 1\r\n      B:\r\n        C:\r\n          - 1');
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('follows a four-space indent', () => {
    const input = 'Resources:\n    R:\n        Type: X\n        Properties:\n            A: 1\n';
    expect(fix('yaml', input, [{ op: 'add', path: '/Resources/R/Properties/B', value: { C: 'd' } }])).toBe(
      'Resources:\n    R:\n        Type: X\n        Properties:\n            A: 1\n            B:\n                C: d\n',
    );
  });

  it('edits deep paths without touching siblings', () => {
    const input = 'A:\n  B:\n    C:\n      D:\n        E:\n          F: 1\n          G: 2\nResources:\n  R:\n    Type: X\n';
    expect(fix('yaml', input, [{ op: 'replace', path: '/A/B/C/D/E/G', value: 'two' }])).toBe(
      'A:\n  B:\n    C:\n      D:\n        E:\n          F: 1\n          G: two\nResources:\n  R:\n    Type: X\n',
    );
  });

  it('edits around anchors but refuses to edit through an alias', () => {
    const input = 'Mappings:\n  M: &shared\n    K: v\nResources:\n  R:\n    Type: X\n    Properties:\n      Copy: *shared\n';
    expect(fix('yaml', input, [{ op: 'add', path: '/Resources/R/Properties/Extra', value: 1 }])).toBe(
      'Mappings:\n  M: &shared\n    K: v\nResources:\n  R:\n    Type: X\n    Properties:\n      Copy: *shared\n      Extra: 1\n',
    );
    // Changing the anchored node would change every alias of it: the writer must refuse.
    const parsed = parseSource('yaml', input);
    const after = applyOperations(parsed.value, [{ op: 'add', path: '/Mappings/M/New', value: 1 }]);
    expect(() => writeFixed(parsed, after)).toThrow(WriterInvariantError);
  });

  it('quotes strings YAML would read as something else', () => {
    const input = 'Resources:\n  R:\n    Type: X\n';
    expect(
      fix('yaml', input, [{ op: 'add', path: '/Resources/R/Properties', value: { A: 'yes', B: '2012-10-17', C: '0123', D: 'a: b', E: '' } }]),
    ).toBe("Resources:\n  R:\n    Type: X\n    Properties:\n      A: 'yes'\n      B: '2012-10-17'\n      C: '0123'\n      D: 'a: b'\n      E: ''\n");
  });
});

describe('section order and intrinsic style', () => {
  it('puts new template sections in their conventional place, before the comments that introduce the next', () => {
    const input = 'AWSTemplateFormatVersion: "2010-09-09"\n# The stack\nResources:\n  R:\n    Type: X\nOutputs:\n  O:\n    Value: 1\n';
    expect(
      fix('yaml', input, [
        { op: 'add', path: '/Mappings', value: { M: { K: { V: 1 } } } },
        { op: 'add', path: '/Parameters', value: { P: { Type: 'String' } } },
      ]),
    ).toBe('AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  P:\n    Type: String\nMappings:\n  M:\n    K:\n      V: 1\n# The stack\nResources:\n  R:\n    Type: X\nOutputs:\n  O:\n    Value: 1\n');
  });

  it('writes short intrinsics inline in JSON, as the file does', () => {
    const input = '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {"A": { "Ref": "P" }}\n    }\n  }\n}\n';
    expect(fix('json', input, [{ op: 'add', path: '/Resources/R/Properties/B', value: { C: { 'Fn::GetAtt': ['Q', 'Arn'] }, D: [{ Ref: 'AWS::Region' }] } }])).toBe(
      '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {"A": { "Ref": "P" }, "B": { "C": { "Fn::GetAtt": ["Q", "Arn"] }, "D": [{ "Ref": "AWS::Region" }] }}\n    }\n  }\n}\n',
    );
    const expanded = '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {\n        "A": {\n          "Ref": "P"\n        }\n      }\n    }\n  }\n}\n';
    expect(fix('json', expanded, [{ op: 'add', path: '/Resources/R/Properties/B', value: { Ref: 'Q' } }])).toBe(
      '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {\n        "A": {\n          "Ref": "P"\n        },\n        "B": {\n          "Ref": "Q"\n        }\n      }\n    }\n  }\n}\n',
    );
  });
});

describe('rewrites', () => {
  it('writes an empty tagged argument quoted', () => {
    const input = 'Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: !Ref Az\n';
    expect(fix('yaml', input, [{ op: 'replace', path: '/Resources/S/Properties/AvailabilityZone', value: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } }])).toBe(
      "Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: !Select\n        - 0\n        - !GetAZs ''\n",
    );
  });

  it('keeps a tagged string plain in block context', () => {
    const input = 'Resources:\n  R:\n    Type: X\n    Properties:\n      Arn: !Sub arn:aws:s3:::b-123456789012\n';
    expect(fix('yaml', input, [{ op: 'replace', path: '/Resources/R/Properties/Arn/Fn::Sub', value: 'arn:${AWS::Partition}:s3:::b-${AWS::AccountId}' }])).toBe(
      'Resources:\n  R:\n    Type: X\n    Properties:\n      Arn: !Sub arn:${AWS::Partition}:s3:::b-${AWS::AccountId}\n',
    );
  });

  it('renders a list item whole when most of it is rewritten', () => {
    const input = '{\n  "S": [\n    {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}\n  ],\n  "Resources": {"R": {"Type": "X"}}\n}\n';
    expect(fix('json', input, [{ op: 'replace', path: '/S/0', value: { Sid: 'Logs', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['G', 'Arn'] } } }])).toBe(
      '{\n  "S": [\n    {\n      "Sid": "Logs",\n      "Effect": "Allow",\n      "Action": [\n        "logs:PutLogEvents"\n      ],\n      "Resource": {"Fn::GetAtt": ["G", "Arn"]}\n    }\n  ],\n  "Resources": {"R": {"Type": "X"}}\n}\n',
    );
  });
});

describe('JSON writer', () => {
  it('writes a new short list of scalars the way the file writes its lists', () => {
    const op: Operation = { op: 'add', path: '/Parameters/Env/AllowedValues', value: ['dev', 'prod'] };
    const inline = '{\n  "Parameters": {\n    "Env": {\n      "Type": "String"\n    },\n    "Size": {\n      "Type": "String",\n      "AllowedValues": ["s", "m"]\n    }\n  }\n}\n';
    expect(fix('json', inline, [op])).toBe(inline.replace('"Type": "String"\n    },', '"Type": "String",\n      "AllowedValues": ["dev", "prod"]\n    },'));
    const block = inline.replace('["s", "m"]', '[\n        "s",\n        "m"\n      ]');
    expect(fix('json', block, [op])).toBe(
      block.replace('"Type": "String"\n    },', '"Type": "String",\n      "AllowedValues": [\n        "dev",\n        "prod"\n      ]\n    },'),
    );
    // No list to go by: one item per line, as before.
    const none = '{\n  "Parameters": {\n    "Env": {\n      "Type": "String"\n    }\n  }\n}\n';
    expect(fix('json', none, [op])).toContain('"AllowedValues": [\n        "dev",');
    // Too long for one line: one item per line whatever the style.
    const long = { ...op, value: Array.from({ length: 12 }, (_, i) => `environment-${i}`) };
    expect(fix('json', inline, [long])).toContain('"AllowedValues": [\n        "environment-0",');
  });

  it('uses the file indentation (tabs) and keeps untouched bytes', () => {
    const input = '{\n\t"Resources": {\n\t\t"B": {\n\t\t\t"Type": "AWS::S3::Bucket"\n\t\t}\n\t}\n}\n';
    expect(fix('json', input, [{ op: 'add', path: '/Resources/B/Properties', value: { Tags: [{ Key: 'a', Value: 'b' }] } }])).toBe(
      '{\n\t"Resources": {\n\t\t"B": {\n\t\t\t"Type": "AWS::S3::Bucket",\n\t\t\t"Properties": {\n\t\t\t\t"Tags": [\n\t\t\t\t\t{\n\t\t\t\t\t\t"Key": "a",\n\t\t\t\t\t\t"Value": "b"\n\t\t\t\t\t}\n\t\t\t\t]\n\t\t\t}\n\t\t}\n\t}\n}\n',
    );
  });

  it('keeps CRLF and a BOM, and writes inline into inline objects', () => {
    const input = '\uFEFF{\r\n  "Resources": {\r\n    "B": {"Type": "AWS::S3::Bucket", "Properties": {}}\r\n  }\r\n}';
    expect(
      fix('json', input, [
        { op: 'add', path: '/Resources/B/DeletionPolicy', value: 'Retain' },
        { op: 'add', path: '/Parameters', value: { P: { Type: 'String' } } },
      ]),
    ).toBe('\uFEFF{\r\n  "Parameters": {\r\n    "P": {\r\n      "Type": "String"\r\n    }\r\n  },\r\n  "Resources": {\r\n    "B": {"Type": "AWS::S3::Bucket", "Properties": {}, "DeletionPolicy": "Retain"}\r\n  }\r\n}');
  });

  it('removes first, middle and last members with their commas', () => {
    const input = '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {\n        "A": 1,\n        "B": 2,\n        "C": 3,\n        "D": [1, 2, 3]\n      }\n    }\n  }\n}\n';
    expect(
      fix('json', input, [
        { op: 'remove', path: '/Resources/R/Properties/A' },
        { op: 'remove', path: '/Resources/R/Properties/C' },
        { op: 'remove', path: '/Resources/R/Properties/D/2' },
        { op: 'remove', path: '/Resources/R/Properties/D/0' },
      ]),
    ).toBe('{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "Properties": {\n        "B": 2,\n        "D": [2]\n      }\n    }\n  }\n}\n');
  });

  it('fills empty objects and arrays and replaces a scalar with an object', () => {
    const input = '{\n    "Resources": {\n        "R": {\n            "Type": "X",\n            "Properties": {},\n            "DependsOn": [],\n            "Metadata": "x"\n        }\n    }\n}\n';
    expect(
      fix('json', input, [
        { op: 'add', path: '/Resources/R/Properties/A', value: 1 },
        { op: 'add', path: '/Resources/R/DependsOn/0', value: 'Other' },
        { op: 'replace', path: '/Resources/R/Metadata', value: { K: 'v' } },
      ]),
    ).toBe(
      '{\n    "Resources": {\n        "R": {\n            "Type": "X",\n            "Properties": {\n                "A": 1\n            },\n            "DependsOn": [\n                "Other"\n            ],\n            "Metadata": {\n                "K": "v"\n            }\n        }\n    }\n}\n',
    );
  });

  it('inserts before the first array item and after the last', () => {
    const input = '{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "DependsOn": [\n        "B"\n      ]\n    }\n  }\n}\n';
    expect(
      fix('json', input, [
        { op: 'add', path: '/Resources/R/DependsOn/0', value: 'A' },
        { op: 'add', path: '/Resources/R/DependsOn/-', value: 'C' },
      ]),
    ).toBe('{\n  "Resources": {\n    "R": {\n      "Type": "X",\n      "DependsOn": [\n        "A",\n        "B",\n        "C"\n      ]\n    }\n  }\n}\n');
  });

  it('keeps comments in JSONC files it is allowed to write', () => {
    const input = '{\n  // the stack\n  "Resources": {\n    "R": {"Type": "X"} // one resource\n  }\n}\n';
    expect(fix('json', input, [{ op: 'add', path: '/Resources/R/Condition', value: 'C' }])).toBe(
      '{\n  // the stack\n  "Resources": {\n    "R": {"Type": "X", "Condition": "C"} // one resource\n  }\n}\n',
    );
  });
});

describe('writer regressions found by the property test', () => {
  const cases: Array<[string, string, Operation[]]> = [
    ['removing the last nested key while adding a sibling after its parent', 'Resources:\n  Type: 0\n  x y: 0\n', [
      { op: 'remove', path: '/Resources/x y' },
      { op: 'add', path: '/Type', value: 'plain' },
    ]],
    ['a multi-line string inside a flow list', 'Resources:\n  Type:\n    - [null]\n', [{ op: 'add', path: '/Resources/Type/0/0', value: 'multi\nline' }]],
    ['a string with braces inside a flow mapping', 'Resources: {Type: 0}\n', [{ op: 'replace', path: '/Resources/Type', value: '${AWS::Region}' }]],
    ['a number replacing a tagged scalar', 'Resources: !Sub plain\n', [{ op: 'replace', path: '/Resources/Fn::Sub', value: 0 }]],
    ['a mapping replacing a sequence item with 4-space indent', 'Resources:\n    Type:\n        - plain\n', [{ op: 'replace', path: '/Resources/Type/0', value: { Type: false, Key: null } }]],
    ['an item added to an empty tagged list', 'Resources: !Sub []\n', [{ op: 'add', path: '/Resources/Fn::Sub/-', value: null }]],
    ['a value for an empty tagged scalar', 'Resources:\n  Type:\n    - !Sub\n', [{ op: 'replace', path: '/Resources/Type/0/Fn::Sub', value: 'plain' }]],
    ['a scalar replacing a tagged list', 'Resources: !Ref []\n', [{ op: 'replace', path: '/Resources/Ref', value: 0 }]],
    ['a new key named like an intrinsic', 'Resources:\n  Type: 0\n', [{ op: 'add', path: '/Ref', value: 'plain' }, { op: 'add', path: '/Condition', value: 'c' }]],
    ['emptying a block list under a tag', 'Resources: !Ref\n- {}\n', [{ op: 'remove', path: '/Resources/Ref/0' }]],
  ];
  for (const [name, input, ops] of cases) {
    it(name, () => {
      const parsed = parseSource('yaml', input);
      const expected = applyOperations(parsed.value, ops);
      expect(parseSource('yaml', writeFixed(parsed, expected)).value).toEqual(expected);
    });
  }
});

describe('block scalar ends', () => {
  const cases: Array<[string, string]> = [
    ['trailing empty lines', 'Resources:\n  F:\n    Type: X\n    Properties:\n      Code: |\n        x\n\n\n  G:\n    Type: Y\n'],
    ['a spaces-only content line', 'Resources:\n  F:\n    Type: X\n    Properties:\n      Code: |\n          def handler(e, c):\n              pass\n\n              \n  G:\n    Type: Y\n'],
    ['keep chomping', 'Resources:\n  F:\n    Type: X\n    Properties:\n      Code: |+\n        x\n\n  G:\n    Type: Y\n'],
    ['CRLF', 'Resources:\r\n  F:\r\n    Type: X\r\n    Properties:\r\n      Code: |\r\n        x\r\n\r\n  G:\r\n    Type: Y\r\n'],
  ];
  for (const [name, input] of cases) {
    it(`adds after a block scalar with ${name}`, () => {
      const parsed = parseSource('yaml', input);
      const after = applyOperations(parsed.value, [
        { op: 'add', path: '/Resources/F/DependsOn', value: 'G' },
        { op: 'add', path: '/Resources/F/Properties/Timeout', value: 3 },
      ]);
      expect(parseSource('yaml', writeFixed(parsed, after)).value).toEqual(after);
    });
  }
});

describe('list alignment', () => {
  it('removes the item that went away, not the one whose neighbour changed', () => {
    const input = [
      'Resources:',
      '  Trail:',
      '    Type: AWS::CloudTrail::Trail',
      '    Properties:',
      '      DataResources:',
      '        - Type: AWS::S3::Object',
      "          Values: ['arn:aws:s3']   # every bucket",
      '        - Type: AWS::S3::Object',
      '          Values: [arn:aws:s3:::*/, uploads]  # scoped',
      '',
    ].join('\n');
    const out = fix('yaml', input, [
      { op: 'remove', path: '/Resources/Trail/Properties/DataResources/1/Values/0' },
      { op: 'remove', path: '/Resources/Trail/Properties/DataResources/0' },
    ]);
    expect(out).toBe(
      ['Resources:', '  Trail:', '    Type: AWS::CloudTrail::Trail', '    Properties:', '      DataResources:', '        - Type: AWS::S3::Object', '          Values: [uploads]  # scoped', ''].join('\n'),
    );
  });
});

describe('blank-line rhythm', () => {
  it('separates new resources and sections with a blank line where the file does', () => {
    const input = 'Parameters:\n  P:\n    Type: String\n\nResources:\n  A:\n    Type: X\n\n  B:\n    Type: Y\n';
    expect(
      fix('yaml', input, [
        { op: 'add', path: '/Resources/C', value: { Type: 'Z' } },
        { op: 'add', path: '/Mappings', value: { M: { K: { V: 1 } } } },
      ]),
    ).toBe('Parameters:\n  P:\n    Type: String\n\nMappings:\n  M:\n    K:\n      V: 1\n\nResources:\n  A:\n    Type: X\n\n  B:\n    Type: Y\n\n  C:\n    Type: Z\n');
  });
});
