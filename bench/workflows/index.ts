// Bundle entry of the benchmark worker: every ptflow workflow plus the floor workflow it is compared with.
export * from '../../workflows/index.js';
export { benchFloor } from './floor.js';
