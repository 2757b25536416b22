// The metrics a template's CloudWatch alarms already watch, so transforms add only the alarms
// that are missing: the single metric of a plain alarm and each MetricStat of a metric-math alarm.
import type { JsonValue, Template } from '../types.js';
import { pointer } from './pointer.js';
import { resourcesOfType } from './template.js';
import { asObject } from './values.js';

export interface WatchedMetric {
  alarmId: string;
  namespace: JsonValue | undefined;
  metricName: JsonValue | undefined;
  dimensions: Array<{ name: JsonValue | undefined; value: JsonValue | undefined; pointer: string }>;
}

/**
 * Every metric the template's `AWS::CloudWatch::Alarm`s watch: the single metric of a plain
 * alarm and each `MetricStat` of a metric-math alarm.
 */
export function watchedMetrics(t: Template): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const { id, resource } of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
    const props = asObject(resource.Properties);
    if (!props) continue;
    const base = pointer('Resources', id, 'Properties');
    out.push({ alarmId: id, namespace: props['Namespace'], metricName: props['MetricName'], dimensions: dimensionsOf(props['Dimensions'], base + '/Dimensions') });
    const metrics = props['Metrics'];
    if (!Array.isArray(metrics)) continue;
    metrics.forEach((query, i) => {
      const metric = asObject(asObject(asObject(query)?.['MetricStat'])?.['Metric']);
      if (!metric) return;
      out.push({
        alarmId: id,
        namespace: metric['Namespace'],
        metricName: metric['MetricName'],
        dimensions: dimensionsOf(metric['Dimensions'], `${base}/Metrics/${i}/MetricStat/Metric/Dimensions`),
      });
    });
  }
  return out;
}

function dimensionsOf(v: unknown, at: string): WatchedMetric['dimensions'] {
  if (!Array.isArray(v)) return [];
  return v.map((d, i) => ({ name: asObject(d)?.['Name'], value: asObject(d)?.['Value'], pointer: `${at}/${i}` }));
}

/** The value of dimension `name` of a watched metric, when it has exactly one such dimension. */
export function dimension(m: WatchedMetric, name: string): { value: JsonValue | undefined; pointer: string } | undefined {
  const found = m.dimensions.filter((d) => d.name === name);
  return found.length === 1 ? found[0] : undefined;
}

export function isMetric(m: WatchedMetric, namespace: string, metricNames: readonly string[]): boolean {
  return m.namespace === namespace && typeof m.metricName === 'string' && metricNames.includes(m.metricName);
}
