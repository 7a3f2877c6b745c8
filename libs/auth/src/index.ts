export * from './tokens.js';
export * from './topic-rules.js';
