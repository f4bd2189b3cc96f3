/** Infrastructure the use cases share: the dependency object, the blob store, keyed limiters. */
export * from './blobs.ts';
export * from './instances.ts';
export * from './keyed-limiter.ts';
export * from './platform.ts';
export * from './revocations.ts';
