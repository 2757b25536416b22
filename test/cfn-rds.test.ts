import { describe, expect, it } from 'vitest';
import { resource } from '../src/cfn/query.js';
import { clusterLogTypes, engineFamily, engineOf, fromSource, inCluster, instanceLogTypes } from '../src/cfn/rds.js';
import type { Template } from '../src/types.js';

const db = (props: Record<string, unknown>, parameters: Record<string, unknown> = {}): Template =>
  ({ Parameters: parameters, Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: props } } }) as unknown as Template;

describe('rds facts', () => {
  it('groups engines into families', () => {
    expect(['mysql', 'mariadb', 'postgres', 'aurora', 'aurora-mysql', 'aurora-postgresql', 'oracle-se2-cdb', 'sqlserver-web', 'custom-oracle-ee', 'db2-se'].map(engineFamily))
      .toEqual(['mysql', 'mariadb', 'postgres', 'aurora-mysql', 'aurora-mysql', 'aurora-postgresql', 'oracle', 'sqlserver', 'other', 'other']);
  });

  it('reads the engine from a literal or a parameter of one family', () => {
    const engine = (t: Template) => engineOf(t, resource(t, 'Db')!);
    expect(engine(db({ Engine: 'MySQL' }))).toEqual({ engine: 'mysql', family: 'mysql', fromParameter: false });
    expect(engine(db({ Engine: { Ref: 'E' } }, { E: { Type: 'String', Default: 'postgres' } }))).toEqual({ engine: 'postgres', family: 'postgres', fromParameter: true });
    expect(engine(db({ Engine: { Ref: 'E' } }, { E: { Type: 'String', Default: 'postgres', AllowedValues: ['postgres', 'mysql'] } }))).toBeUndefined();
    expect(engine(db({ Engine: { Ref: 'E' } }, { E: { Type: 'String' } }))).toBeUndefined();
    expect(engine(db({ Engine: { 'Fn::FindInMap': ['M', 'a', 'b'] } }))).toBeUndefined();
    expect(engine(db({}))).toBeUndefined();
  });

  it('tells cluster members and databases made from a source', () => {
    const view = (props: Record<string, unknown>) => resource(db(props), 'Db')!;
    expect(inCluster(view({ DBClusterIdentifier: { Ref: 'C' } }))).toBe(true);
    expect(inCluster(view({}))).toBe(false);
    expect(fromSource(view({ SourceDBInstanceIdentifier: 'x' }))).toBe(true);
    expect(fromSource(view({ DBSnapshotIdentifier: 'x' }))).toBe(true);
    expect(fromSource(view({ Engine: 'mysql' }))).toBe(false);
  });

  it('knows the log types per engine', () => {
    expect(instanceLogTypes('mariadb')).toEqual(['audit', 'error', 'general', 'slowquery']);
    expect(instanceLogTypes('sqlserver-ex')).toEqual(['error']);
    expect(instanceLogTypes('sqlserver-se')).toEqual(['agent', 'error']);
    expect(instanceLogTypes('aurora-mysql')).toBeUndefined();
    expect(clusterLogTypes('aurora-postgresql')).toEqual(['postgresql']);
    expect(clusterLogTypes('mysql')).toEqual(['error', 'general', 'slowquery']);
    expect(clusterLogTypes('oracle-ee')).toBeUndefined();
  });
});
