export * from './backend.js';
export * from './features.js';
export * from './fusion.js';
export * from './io.js';
export * from './model.js';
export * from './monitor.js';
export { estimatesFromPhysics } from './physics-monitor.js';
