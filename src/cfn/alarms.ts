// The metrics a template's CloudWatch alarms already watch, so transforms add only the alarms
// that are missing: the single metric of a plain alarm and each MetricStat of a metric-math alarm.
import type { JsonValue, Template } from '../types.js';
import { property, resources } from './query.js';
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
  for (const alarm of resources(t, 'AWS::CloudWatch::Alarm')) {
    if (!alarm.properties) continue;
    const dimensions = property(alarm, 'Dimensions');
    out.push({
      alarmId: alarm.id,
      namespace: property(alarm, 'Namespace')?.value,
      metricName: property(alarm, 'MetricName')?.value,
      dimensions: dimensionsOf(dimensions?.value, dimensions?.pointer),
    });
    const metrics = property(alarm, 'Metrics');
    if (!metrics || !Array.isArray(metrics.value)) continue;
    metrics.value.forEach((_query, i) => {
      const metric = property(alarm, 'Metrics', i, 'MetricStat', 'Metric');
      if (!metric || !asObject(metric.value)) return;
      const dims = property(alarm, 'Metrics', i, 'MetricStat', 'Metric', 'Dimensions');
      out.push({
        alarmId: alarm.id,
        namespace: asObject(metric.value)!['Namespace'],
        metricName: asObject(metric.value)!['MetricName'],
        dimensions: dimensionsOf(dims?.value, dims?.pointer),
      });
    });
  }
  return out;
}

function dimensionsOf(v: JsonValue | undefined, at: string | undefined): WatchedMetric['dimensions'] {
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
