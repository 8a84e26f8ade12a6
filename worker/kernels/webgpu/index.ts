// The WebGPU implementation of the fused RNN kernels: a whole GPU trainer (see trainer.ts for why
// it is not a TF.js layer), the adapter probe, and the spec check the implementation choice uses.
export { gpuAdapterInfo, openGpu, type GpuContext } from './device.js';
export { webgpuLoadError } from './runtime.js';
export { gpuTrainerUnsupported } from './support.js';
export {
  createGpuTrainer,
  weightShapes,
  type GpuGradients,
  type GpuTrainer,
  type GpuTrainerOptions,
} from './trainer.js';
