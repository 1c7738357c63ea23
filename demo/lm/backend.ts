/**
 * tfjs in Node for the language-model demo: the wasm backend (single-threaded SIMD build, loaded from
 * node_modules), falling back to the cpu backend with a printed note; and the gradients of tfjs-core's
 * own ops, which tfjs-core does not register by itself (docs/tfjs.md, "tfjs in Node").
 *
 * `@tensorflow/tfjs-core/dist/register_all_gradients` cannot be imported by plain Node (its ES build
 * uses extension-less imports), so it is bundled once in memory with esbuild (a devDependency) and
 * imported from a data: URL. The bundle carries its own copy of tfjs-core's modules, but the gradient
 * registry, the engine and the kernel registry are process globals in tfjs, so the gradients it
 * registers are the ones the demo's engine uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';

let gradientsLoaded = false;

async function registerGradients(): Promise<void> {
  if (gradientsLoaded) return;
  const require = createRequire(import.meta.url);
  const { build } = (await import('esbuild')) as typeof import('esbuild');
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no bundle of register_all_gradients');
  await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  registerMatMulGradient();
  gradientsLoaded = true;
}

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
function swapLast(t: tf.Tensor): tf.Tensor {
  return t.rank === 2 ? tf.transpose(t) : tf.transpose(t, [0, 2, 1]);
}

/**
 * The gradient of BatchMatMul with explicit transposes. tfjs's own gradient multiplies with
 * transposeA / transposeB set, which the wasm backend runs about 7× slower than a transpose followed
 * by a plain product (measured: 2.4 ms vs 0.33 ms for [48, 768]ᵀ·[768, 48]). Same math; equal batch
 * dimensions only (the model never broadcasts a product).
 */
function registerMatMulGradient(): void {
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (a.rank !== b.rank || a.rank > 3 || (a.rank === 3 && a.shape[0] !== b.shape[0])) {
        throw new Error(`this BatchMatMul gradient needs equal batch dimensions (got [${a.shape}] × [${b.shape}])`);
      }
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D);
      if (!transposeA && !transposeB) return { a: () => mm(g, swapLast(b)), b: () => mm(swapLast(a), g) };
      if (!transposeA && transposeB) return { a: () => mm(g, b), b: () => mm(swapLast(g), a) };
      if (transposeA && !transposeB) return { a: () => mm(b, swapLast(g)), b: () => mm(a, g) };
      return { a: () => mm(swapLast(b), swapLast(g)), b: () => mm(swapLast(g), swapLast(a)) };
    },
  });
}

/**
 * Selects the backend ('wasm' by default; 'cpu' on request or when wasm fails, with a note on stderr)
 * and registers the gradients. Returns the backend in use.
 */
export async function setupTfjs(preferred: 'wasm' | 'cpu' = 'wasm', note: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<string> {
  // PROD silences tfjs's console hints (e.g. about tfjs-node); it changes no numerics.
  tf.env().set('PROD', true);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  let ok = false;
  if (preferred === 'wasm') {
    try {
      ok = await tf.setBackend('wasm');
    } catch {
      ok = false;
    }
    if (!ok) note('note: the tfjs wasm backend failed to initialise; using the (slower) cpu backend');
  }
  if (!ok && !(await tf.setBackend('cpu'))) throw new Error('neither the tfjs wasm nor the cpu backend initialised');
  await tf.ready();
  await registerGradients();
  return tf.getBackend();
}
