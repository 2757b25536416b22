// The monitoring helpers moved to concept modules: expressions.ts (string expressions),
// alarms.ts (watched metrics), alarm-topic.ts (where alarms notify), logs.ts (Lambda log groups),
// edits.ts (resource attributes). Kept only so that transforms not yet migrated still compile.
import type { Resource, Template } from '../types.js';
import { resource } from './query.js';
import { subText } from './values.js';

// re-exported for transforms not yet migrated
export { asObject, hasOwn, sameText } from './values.js';
export { prefixed, refersTo } from './expressions.js';
export { dimension, isMetric, watchedMetrics, type WatchedMetric } from './alarms.js';
export { chooseAlarmTopic, describeChoice, type AlarmTopic, type TopicChoice } from './alarm-topic.js';
export { FUNCTION_TYPES, functionOfLogGroupName, LAMBDA_LOG_GROUP_PREFIX } from './logs.js';
export { newResource } from './edits.js';

// re-exported for transforms not yet migrated
/** A string-valued expression as canonical Sub text: values.ts subText. */
export const renderText = subText;

// re-exported for transforms not yet migrated
/** Resource `id` of the template: query.ts resource(t, id)?.resource. */
export function resourceAt(t: Template, id: string): Resource | undefined {
  return resource(t, id)?.resource;
}
