/** Usage numbers: the hourly rollup written with each execution's completion, and its reads. */
export * from './histogram.ts';
export * from './rollup.ts';
export * from './usage.ts';
