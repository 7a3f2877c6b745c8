export * from './cell.js';
export * from './diffusion.js';
export * from './protocol.js';
export * from './rng.js';
export * from './scenarios.js';
export * from './random.js';
export * from './healthy-population.js';
